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

    @Test func aMappingSetIsNotReadAsACatalogButAsAMappingSet() throws {
        let mapping = try CatalogFixtures.text("example-isms-to-iso42001-mapping.yaml")
        #expect(throws: AuditModelError.invalidCatalog(
            "it is a CISO Assistant requirement mapping set (urn:fieldaudit:risk:framework:example-isms-2025 to urn:intuitem:risk:framework:iso42001-2023), not a catalog: `fieldaudit catalog import` stores it beside the catalogs of its two frameworks")) {
            try CatalogFile.read(mapping)
        }
        guard case let .mappingSet(set) = try CatalogFile.readLibrary(mapping) else { Issue.record("not read as a mapping set"); return }
        #expect(set.id == "example-isms-2025-to-iso-iec-42001-2023" && set.edition == "1")
        #expect(set.sourceFramework == "urn:fieldaudit:risk:framework:example-isms-2025" && set.targetFramework == Catalog.iso42001FrameworkURN)
        #expect(set.mappings.first == MappingSet.Mapping(
            source: "urn:fieldaudit:risk:req_node:example-isms-2025:4.1", target: "urn:intuitem:risk:req_node:iso42001-2023:4.1",
            relationship: .intersect, strength: 8))
        #expect(set.mappings.map(\.relationship) == [.intersect, .subset])
    }

    @Test func aMappingSetIsCheckedAgainstTheCatalogsOfItsFrameworks() throws {
        guard case let .mappingSet(set) = try CatalogFile.readLibrary(try CatalogFixtures.text("example-isms-to-iso42001-mapping.yaml")) else {
            Issue.record("not read as a mapping set"); return
        }
        let isms = try CatalogFile.read(try CatalogFixtures.text("example-isms-2025.yaml")).catalog
        try set.validate(source: isms, target: .iso42001)
        var unknown = set
        unknown.mappings[1].target = "urn:intuitem:risk:req_node:iso42001-2023:6.1.9"
        #expect(throws: AuditModelError.invalidCatalog(
            "requirement_mappings[1].target_requirement_urn urn:intuitem:risk:req_node:iso42001-2023:6.1.9 is no requirement of ISO/IEC 42001:2023 (iso-iec-42001-2023)")) {
            try unknown.validate(source: isms, target: .iso42001)
        }
        #expect(throws: AuditModelError.self) { try set.validate(source: .iso42001, target: isms) }
    }

    @Test func aMappingSetWithAnUnknownRelationshipOrNoMappingIsRefused() throws {
        let mapping = try CatalogFixtures.text("example-isms-to-iso42001-mapping.yaml")
        #expect(throws: AuditModelError.invalidCatalog(
            "objects.requirement_mapping_set.requirement_mappings[0].relationship is same; CISO Assistant defines equal, subset, superset, intersect, not_related")) {
            try CatalogFile.readLibrary(mapping.replacingOccurrences(of: "relationship: intersect", with: "relationship: same"))
        }
        let empty = mapping.components(separatedBy: "    requirement_mappings:")[0] + "    requirement_mappings: []\n"
        #expect(throws: AuditModelError.self) { try CatalogFile.readLibrary(empty) }
    }

    @Test func slugsAreCatalogIDs() {
        #expect(CatalogFile.slug("iso27001-2022") == "iso27001-2022")
        #expect(CatalogFile.slug("NIST SP 800-53 Rev 5.1.1: Controls") == "nist-sp-800-53-rev-5.1.1-controls")
        #expect(CatalogFile.slug("!!!") == "catalog")
        #expect(CatalogFile.slug(String(repeating: "word ", count: 20)).count <= 48)
    }
}
