import AuditModel
@testable import CatalogFormats
import Foundation
import TestSupport
import Testing

/// CISO Assistant framework libraries read as catalogs (`Fixtures/catalogs/example-isms-2025.yaml`).
struct CISOAssistantLibraryTests {
    let library: String

    init() throws { library = try CatalogFixtures.text("example-isms-2025.yaml") }

    @Test func aFrameworkLibraryReadsAsTheGoldenCatalogInEnglishAndInFrench() throws {
        let english = try CatalogFile.read(library)
        #expect(english.missingLocale == nil)
        try assertSnapshot(try CatalogFixtures.json(english.catalog), named: "example-isms-2025.en.json", in: "CatalogFormatsTests")
        let french = try CatalogFile.read(library, locale: "fr")
        #expect(french.missingLocale == nil)
        try assertSnapshot(try CatalogFixtures.json(french.catalog), named: "example-isms-2025.fr.json", in: "CatalogFormatsTests")
    }

    @Test func assessableNodesBecomeRequirementsGroupedUnderTheirNearestHeading() throws {
        let catalog = try CatalogFile.read(library).catalog
        #expect(catalog.id == "example-isms-2025")
        #expect(catalog.name == "EXAMPLE-ISMS:2025")
        #expect(catalog.source == Catalog.Source(
            format: "ciso-assistant-library", identifier: "urn:fieldaudit:risk:framework:example-isms-2025", version: "2", locale: "en"))
        #expect(catalog.requirements.map(\.ref) == ["4.1", "4.10", "6.1", "6.1.2", "A.5.1", "A.5.2", "A.8.15"])
        #expect(catalog.groups.map(\.ref) == ["4", "6", "A.5", "A.8"])
        // `ref_id: 4.10` is a YAML float; it stays the text written, not 4.1.
        #expect(catalog.requirement("4.10")?.group == "4")
        // 6.1.2's parent 6.1 is itself assessable: its group is the nearest heading, 6.
        #expect(catalog.requirement("6.1.2")?.group == "6")
        #expect(catalog.requirement("4.1")?.kind == .clause)
        #expect(catalog.requirement("A.8.15")?.kind == .control)
        #expect(catalog.requirement("4.1")?.title == "Knowing the organization and its setting")
        #expect(catalog.group("4")?.title == "Context of the organization")
        #expect(catalog.requirement("4.1")?.implementationGroups == ["IG1", "IG2"])
        #expect(catalog.requirement("A.5.1")?.urn == "urn:fieldaudit:risk:req_node:example-isms-2025:a.5.1")
        #expect(catalog.requirement("A.8.15")?.summary?.contains("- protected & reviewed.") == true)
    }

    @Test func aTranslationReplacesEachFieldItHasAndKeepsTheOthers() throws {
        let catalog = try CatalogFile.read(library, locale: "fr").catalog
        #expect(catalog.id == "example-isms-2025-fr")
        #expect(catalog.source?.locale == "fr")
        #expect(catalog.title == "Norme d'exemple de management de la sécurité de l'information 2025")
        #expect(catalog.requirement("6.1.2")?.title == "Apprécier les risques de sécurité de l'information")
        // 4.10 has a French name but no French description: the English one stays.
        #expect(catalog.requirement("4.10")?.title == "Périmètre du système de management")
        #expect(catalog.requirement("4.10")?.summary == "State which sites, services and teams the management system covers.")
    }

    @Test func aLocaleTheLibraryLacksFallsBackToItsOwnTextAndSaysSo() throws {
        let reading = try CatalogFile.read(library, locale: "de")
        #expect(reading.missingLocale == "de")
        #expect(reading.catalog.id == "example-isms-2025")
        #expect(reading.catalog.source?.locale == "en")
        #expect(reading.catalog.requirement("6.1.2")?.title == "Assessing information security risks")
    }

    @Test func anIDGivenReplacesTheOneMadeFromTheURN() throws {
        #expect(try CatalogFile.read(library, id: "isms25").catalog.id == "isms25")
        #expect(throws: AuditModelError.invalidCatalog("\"id\" must be letters, digits, '-' and '.' only")) {
            try CatalogFile.read(library, id: "bad id!")
        }
    }

    @Test func aMappingSetIsRecognisedAndRefusedForNow() throws {
        let mapping = try CatalogFixtures.text("example-isms-to-iso42001-mapping.yaml")
        #expect(throws: AuditModelError.invalidCatalog(
            "it is a CISO Assistant requirement mapping set (urn:fieldaudit:risk:framework:example-isms-2025 to urn:intuitem:risk:framework:iso42001-2023): mapping sets are used by integrated audits, not yet supported; import the frameworks' own libraries")) {
            try CatalogFile.read(mapping)
        }
    }

    @Test func slugsAreCatalogIDs() {
        #expect(CatalogFile.slug("iso27001-2022") == "iso27001-2022")
        #expect(CatalogFile.slug("NIST SP 800-53 Rev 5.1.1: Controls") == "nist-sp-800-53-rev-5.1.1-controls")
        #expect(CatalogFile.slug("!!!") == "catalog")
        #expect(CatalogFile.slug(String(repeating: "word ", count: 20)).count <= 48)
    }
}
