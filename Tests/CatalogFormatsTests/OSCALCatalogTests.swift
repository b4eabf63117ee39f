import AuditModel
@testable import CatalogFormats
import Foundation
import TestSupport
import Testing

/// OSCAL catalogs read as catalogs (`Fixtures/catalogs/example-oscal-catalog.json`).
struct OSCALCatalogTests {
    let document: String

    init() throws { document = try CatalogFixtures.text("example-oscal-catalog.json") }

    @Test func anOSCALCatalogReadsAsTheGoldenCatalog() throws {
        let catalog = try CatalogFile.read(document).catalog
        try assertSnapshot(try CatalogFixtures.json(catalog), named: "example-oscal-catalog.json", in: "CatalogFormatsTests")
    }

    @Test func controlsAndEnhancementsKeepTheirIDsAndTitlesAndWithdrawnOnesAreLeftOut() throws {
        let catalog = try CatalogFile.read(document).catalog
        #expect(catalog.id == "example-security-controls-catalog")
        #expect(catalog.source == Catalog.Source(format: "oscal-catalog", identifier: "5a4b9c1e-0d2f-4e8a-9b61-3f7c2d8e1a40", version: "1.1.0"))
        #expect(catalog.requirements.map(\.ref) == ["ac-1", "ac-2", "ac-2.1", "au-11"])
        #expect(catalog.groups.map(\.ref) == ["ac", "au"])
        #expect(catalog.requirement("ac-2.1")?.group == "ac")
        #expect(catalog.requirement("ac-2.1")?.title == "Automated System Account Management")
        #expect(catalog.requirements.allSatisfy { $0.kind == .control })
        #expect(try catalog.check("AC-2.1").ref == "ac-2.1")
    }

    @Test func statementsResolveParametersToValuesLabelsAndChoices() throws {
        let catalog = try CatalogFile.read(document).catalog
        #expect(catalog.requirement("ac-1")?.summary == """
            a. Write and share with [Assignment: personnel or roles] an access control policy at the [Selection (one or more): organization-level; mission/business process-level; system-level] level; and
            b. Review the policy every year and after [Assignment: ac-01_odp.99].
            """)
        #expect(catalog.requirement("au-11")?.summary
            == "Retain audit records for [Assignment: time period consistent with records retention policy] to support after-the-fact investigations.")
    }

    @Test func aProfileIsRefusedWithHowToResolveIt() throws {
        let profile = try CatalogFixtures.text("example-oscal-profile.json")
        #expect(throws: AuditModelError.invalidCatalog(
            "it is an OSCAL profile, which selects and tailors controls from other catalogs: resolve it into a catalog first (for example `trestle author profile-resolve` or `oscal-cli profile resolve`) and import that")) {
            try CatalogFile.read(profile)
        }
    }

    @Test func otherOSCALModelsAndMissingFieldsAreNamed() throws {
        #expect(throws: AuditModelError.invalidCatalog("it is an OSCAL component-definition, not a catalog")) {
            try CatalogFile.read(#"{"component-definition": {}}"#)
        }
        #expect(throws: AuditModelError.invalidCatalog("catalog.metadata.version is missing")) {
            try CatalogFile.read(#"{"catalog": {"uuid": "u", "metadata": {"title": "T"}}}"#)
        }
        #expect(throws: AuditModelError.invalidCatalog("the OSCAL catalog has no controls")) {
            try CatalogFile.read(#"{"catalog": {"uuid": "u", "metadata": {"title": "T", "version": "1"}, "groups": []}}"#)
        }
    }
}
