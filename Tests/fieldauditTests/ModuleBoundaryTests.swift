import Foundation
import Testing

/// The command line goes through the front door only: its files import `FieldAudit` (which
/// re-exports `AuditModel` and `Replication`), `FieldAuditService` (the central repository's front
/// door, for `serve`, `remote` and `sync`, with swift-log to configure its logging), `AuditReports`
/// for report formats, ArgumentParser and the system libraries, never `AuditStore` or
/// `BundleFormat`; Package.swift says the same.
struct ModuleBoundaryTests {
    /// The package's root, from this file's path (`Tests/fieldauditTests/…`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let allowedImports: Set<String> = ["ArgumentParser", "FieldAudit", "FieldAuditService", "AuditReports", "Logging", "Foundation", "Dispatch", "Glibc", "Darwin"]
    static let allowedDependencies: Set<String> = ["FieldAudit", "FieldAuditService", "AuditReports", "ArgumentParser", "Logging"]

    /// Every module a Swift file imports (`import X`, `@testable import X`, `import struct X.Y`).
    static func imports(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /^\s*(?:@\w+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?(\w+)/).map { String($0.1) }
        }
    }

    @Test func everyCommandLineFileImportsOnlyTheFrontDoorReportsAndArgumentParser() throws {
        let folder = Self.root.appendingPathComponent("Sources/fieldaudit")
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 40, "found only \(files)")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for module in Self.imports(in: text) where !Self.allowedImports.contains(module) {
                offenders.append("Sources/fieldaudit/\(file) imports \(module)")
            }
        }
        #expect(offenders.isEmpty, "\(offenders.sorted().joined(separator: "\n"))")
    }

    @Test func theCommandLineTargetDependsOnlyOnTheFrontDoorReportsAndArgumentParser() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try #require(manifest.firstMatch(of: /\.executableTarget\(\s*name:\s*"fieldaudit",\s*dependencies:\s*\[([^\]]*)\]/))
        // Quoted names: targets, and the product and package of `.product(name:package:)`.
        var named = target.1.matches(of: /"([^"]+)"/).map { String($0.1) }
        named.removeAll { $0 == "swift-argument-parser" || $0 == "swift-log" }
        #expect(!named.isEmpty)
        #expect(Set(named).isSubset(of: Self.allowedDependencies), "the fieldaudit target depends on \(named)")
    }

    @Test func theImportCheckSeesEveryFormOfImport() {
        #expect(Self.imports(in: "import AuditStore\n@testable import BundleFormat\nimport struct AuditStore.Store\n// import Nothing\nlet x = 1")
            == ["AuditStore", "BundleFormat", "AuditStore"])
    }
}
