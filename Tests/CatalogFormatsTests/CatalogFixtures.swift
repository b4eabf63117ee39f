import AuditModel
import Foundation
import TestSupport

/// The catalog fixtures in `Fixtures/catalogs`, and the imported catalogs as golden JSON.
enum CatalogFixtures {
    /// The text of a fixture file.
    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: "\(packageRoot)/Fixtures/catalogs/\(name)", encoding: .utf8)
    }

    /// A catalog as pretty, key-sorted JSON, for golden files.
    static func json(_ catalog: Catalog) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(catalog), as: UTF8.self) + "\n"
    }
}
