import AuditModel
@testable import FieldAudit
import Foundation
import Replication
import TestSupport
import Testing

/// Two leads adding a standard to one engagement at once: both standards count on every replica,
/// and resolving the field's conflict keeps them both, whichever value is taken
/// (`Sync/PROTOCOL.md` §22.4: a standard is never removed).
struct StandardsConflictTests: ClockedReplicas {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    @Test func resolvingTwoLeadsConcurrentStandardsKeepsEveryStandardOnEveryReplica() throws {
        let ada = try replica("Ada", seed: 1)
        let cy = try replica("Cy", seed: 3)
        let engagement = try ada.createEngagement(
            EngagementDraft(client: "Helix Diagnostics Ltd", auditType: .stage2, startDate: "2026-12-01", endDate: "2026-12-03"))
        _ = try ada.addMember(cy.card, role: .lead, engagement: nil)
        try sync(ada, to: cy)
        try cy.use(engagement: engagement)
        _ = try ada.importCatalog(from: "\(packageRoot)/Fixtures/catalogs/example-isms-2025.yaml")
        _ = try cy.importCatalog(from: "\(packageRoot)/Fixtures/catalogs/example-oscal-catalog.json")
        let isms = try #require(ada.catalogs().first { $0.source?.format == "ciso-assistant-library" }).id
        let oscal = try #require(cy.catalogs().first { $0.source?.format == "oscal-catalog" }).id
        clock.advance(by: 1_000)
        _ = try ada.addStandard(isms, engagement: nil)
        _ = try cy.addStandard(oscal, engagement: nil)
        try sync(ada, to: cy)
        try sync(cy, to: ada)

        func audited(_ replica: Replica) throws -> Set<String> {
            Set(try replica.record(of: engagement).standards.catalogs.map(\.id))
        }
        let all: Set = [Catalog.iso42001ID, isms, oscal]
        #expect(try audited(ada) == all && audited(cy) == all)
        let conflict = try #require(try ada.conflicts(engagement: nil).first { $0.field == Engagement.Field.catalogs.rawValue })
        #expect(conflict.values.count == 2)

        #expect(throws: FieldAuditError.self) {
            try ada.resolve(entity: engagement.short, field: "catalogs", take: nil, value: .text("[]"), engagement: nil)
        }
        _ = try ada.resolve(entity: engagement.short, field: "catalogs", take: 2, value: nil, engagement: nil)
        try sync(ada, to: cy)
        #expect(try audited(ada) == all && audited(cy) == all, "taking one side's value dropped the other's standard")
        #expect(try ada.conflicts(engagement: nil).allSatisfy { $0.field != Engagement.Field.catalogs.rawValue })
        #expect(try ada.verify().digest == cy.verify().digest)
    }
}
