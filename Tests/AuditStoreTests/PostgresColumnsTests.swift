import AuditStore
@testable import AuditStorePostgres
import Replication
import TestSupport
import Testing

/// How the PostgreSQL store writes values and reads its URL; no server needed.
struct PostgresColumnsTests {
    @Test func everyValueReadsBackAsItWasWrittenBitForBit() throws {
        var simulator = HistorySimulator(seed: 17)
        var values: [Value] = [.integer(.min), .integer(.max), .real(-0.0), .real(.infinity), .text(""), .bytes([]), .json("[]")]
        for _ in 0..<propertyRuns(2_000) { values.append(simulator.randomValue()) }
        for value in values {
            let read = try PostgresColumns.decode(tag: Int64(value.tag.rawValue), PostgresColumns.encode(value))
            #expect(read == value, "\(value) read back as \(read)")
        }
    }

    @Test func anUnknownTypeTagOrAShortNumberIsAMalformedValueNotACrash() {
        #expect(throws: ReplicationError.self) { try PostgresColumns.decode(tag: 99, [1]) }
        #expect(throws: ReplicationError.self) { try PostgresColumns.decode(tag: Int64(Value.Tag.integer.rawValue), [1, 2, 3]) }
        #expect(throws: ReplicationError.self) { try PostgresColumns.decode(tag: Int64(Value.Tag.blob.rawValue), [1, 2, 3]) }
    }

    @Test func theURLShownInMessagesNeverCarriesThePassword() throws {
        let url = try DatabaseURL("postgres://central:s3cret@db.internal:6543/fieldaudit?schema=audit_2026")
        #expect(url.redacted == "postgres://central@db.internal:6543/fieldaudit?schema=audit_2026")
        #expect(url.schema == "audit_2026")
        #expect(url.configuration.password == "s3cret")
        #expect(url.configuration.database == "fieldaudit")
    }

    @Test func aMalformedURLOrSchemaNameIsRefusedSayingWhatIsExpected() {
        for bad in ["mysql://u@h/d", "postgres://h/d", "postgres://u@h", "postgres://u@h/d?schema=Robert');DROP", "not a url"] {
            #expect(throws: StoreError.self, "\(bad)") { try DatabaseURL(bad) }
            do { _ = try DatabaseURL(bad) } catch {
                #expect(!error.description.contains("DROP") || error.description.contains("schema name"), "\(error)")
            }
        }
    }
}
