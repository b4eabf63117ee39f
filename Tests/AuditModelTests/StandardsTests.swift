@testable import AuditModel
import Foundation
import Replication
import TestSupport
import Testing

/// The one resolver of requirement references in an integrated audit (`Standards`): qualified and
/// bare references, ambiguity, prefixes, and the stored form that never depends on a prefix.
struct StandardsTests {
    /// A small catalog with the given references (a reference starting with `A.` is a control).
    static func catalog(_ id: String, refs: [String], name: String? = nil) -> Catalog {
        Catalog(
            id: id, name: name, title: "Standard \(id)", groups: [.init(ref: "g", title: "Group")],
            requirements: refs.map { .init(ref: $0, kind: $0.hasPrefix("A.") ? .control : .clause, group: "g", title: "Requirement \($0)") })
    }

    let isms = Self.catalog("iso27001-2022", refs: ["4.1", "6.1.2", "A.5.1", "A.8.15"], name: "ISO/IEC 27001:2022")

    /// `isms` as a CISO Assistant library (version 2): requirement urns `urn:example:node:REF`,
    /// framework `urn:example:framework:isms`, for mapping sets to name.
    var ismsWithURNs: Catalog {
        var isms = self.isms
        isms.requirements = isms.requirements.map { requirement in
            var requirement = requirement
            requirement.urn = "urn:example:node:\(requirement.ref)"
            return requirement
        }
        isms.source = .init(format: "ciso-assistant-library", identifier: "urn:example:framework:isms", version: "2")
        return isms
    }

    @Test func prefixesAreTheStandardsNumbersWithoutTheirEdition() {
        #expect(Catalog.iso42001.shortPrefix == "42001")
        #expect(isms.shortPrefix == "27001")
        #expect(Self.catalog("nist-sp-800-53-rev5", refs: ["ac-1"]).shortPrefix == "800-53")
        #expect(Self.catalog("example-isms-2025", refs: ["4.1"]).shortPrefix == "isms")
        #expect(Self.catalog("example-security-controls-catalog", refs: ["ac-1"]).shortPrefix == "security")
    }

    @Test func twoStandardsWithOnePrefixAreTypedByTheirCatalogIDs() {
        let standards = Standards(primary: .iso42001, others: [Self.catalog("iso42001-2023", refs: ["4.1"]), isms])
        #expect(standards.prefixes == ["iso-iec-42001-2023", "iso42001-2023", "27001"])
    }

    @Test func aQualifiedReferenceResolvesInItsStandardAndIsStoredByCatalogID() throws {
        let standards = Standards(primary: .iso42001, others: [isms])
        let reference = try standards.resolve("27001:a.5.1")
        #expect(reference.stored == "iso27001-2022:A.5.1" && reference.shown == "27001:A.5.1" && reference.standard == 1)
        #expect(try standards.resolve("42001:6.1.2").stored == "6.1.2")
        #expect(try standards.resolve("iso27001-2022:6.1.2").stored == "iso27001-2022:6.1.2")
    }

    @Test func aBareReferenceOnlyOneStandardHasNeedsNoPrefix() throws {
        let standards = Standards(primary: .iso42001, others: [isms])
        #expect(try standards.resolve("A.6.2.8").stored == "A.6.2.8")
        #expect(try standards.resolve("a.8.15").stored == "iso27001-2022:A.8.15")
    }

    @Test func aBareReferenceSeveralStandardsHaveIsRefusedNamingTheCandidates() {
        let standards = Standards(primary: .iso42001, others: [isms])
        #expect(throws: AuditModelError.ambiguousRequirement("6.1.2", candidates: ["42001:6.1.2", "27001:6.1.2"])) {
            try standards.resolve("6.1.2")
        }
    }

    @Test func anUnknownPrefixOrReferenceIsRefusedWithWhatExists() throws {
        let standards = Standards(primary: .iso42001, others: [isms])
        #expect(throws: AuditModelError.unknownStandard("9001", known: ["42001", "27001"])) { try standards.resolve("9001:4.1") }
        let error = #expect(throws: AuditModelError.self) { try standards.resolve("27001:A.8.16") }
        guard case let .unknownRequirement(ref, _, suggestions) = try #require(error) else { Issue.record("\(String(describing: error))"); return }
        #expect(ref == "A.8.16" && suggestions == ["A.8.15"])
    }

    @Test func anAuditOfOneStandardResolvesAsBefore() throws {
        let standards = Standards(primary: .iso42001)
        #expect(try standards.resolve("a.6.2.8").stored == "A.6.2.8" && standards.shown("A.6.2.8") == "A.6.2.8")
        #expect(throws: AuditModelError.unknownRequirement("A.6.2.9", catalog: "ISO/IEC 42001:2023", suggestions: ["A.6.2.8"])) {
            try standards.resolve("A.6.2.9")
        }
    }

    /// Property: in random integrated audits (random references, shared ones and colliding
    /// prefixes included), every requirement of every standard round-trips: its shown form
    /// resolves to it, its stored form locates it, and a bare reference resolves exactly when one
    /// standard has it.
    @Test func everyReferenceOfEveryStandardRoundTripsThroughQualifyAndResolve() throws {
        var random = SeededGenerator(seed: 18)
        let pool = ["4.1", "4.2", "5.1", "6.1.2", "6.1.3", "9.2", "A.5.1", "A.5.2", "A.8.15", "ac-2", "AC-3", "x:y"]
        let ids = ["iso-iec-42001-2023", "iso27001-2022", "iso27001-2013", "nist-sp-800-53-rev5", "example-isms-2025", "iso9001-2015"]
        for run in 0..<propertyRuns(200) {
            let count = Int.random(in: 1...4, using: &random)
            let catalogs = ids.shuffled(using: &random).prefix(count).map { id in
                Self.catalog(id, refs: pool.filter { _ in random.chance(0.5) }.nilIfEmpty ?? ["4.1"])
            }
            let standards = Standards(primary: catalogs[0], others: Array(catalogs.dropFirst()))
            #expect(Set(standards.prefixes.map { $0.lowercased() }).count == standards.catalogs.count, "run \(run): prefixes \(standards.prefixes)")
            for (index, catalog) in standards.catalogs.enumerated() {
                for requirement in catalog.requirements {
                    let reference = standards.reference(requirement, of: index)
                    if standards.isIntegrated { #expect(try standards.resolve(reference.shown) == reference, "run \(run): \(reference.shown)") }
                    #expect(standards.locate(reference.stored) == reference, "run \(run): \(reference.stored)")
                    #expect(standards.shown(reference.stored) == reference.shown)
                    let holders = standards.catalogs.filter { $0.find(requirement.ref) != nil }.count
                    if holders == 1 {
                        #expect(try standards.resolve(requirement.ref) == reference, "run \(run): bare \(requirement.ref)")
                    } else {
                        #expect(throws: AuditModelError.self, "run \(run): bare \(requirement.ref) in \(holders) standards") {
                            try standards.resolve(requirement.ref)
                        }
                    }
                }
            }
        }
    }

    @Test func aMappingReadsAsWrittenFromItsTargetAndReversedFromItsSourceAndNotRelatedIsNeverShown() throws {
        var isms = self.isms
        isms.requirements = isms.requirements.map { requirement in
            var requirement = requirement
            requirement.urn = "urn:example:node:\(requirement.ref)"
            return requirement
        }
        isms.source = .init(format: "ciso-assistant-library", identifier: "urn:example:framework:isms", version: "1")
        let set = MappingSet(
            id: "isms-to-42001", name: "ISMS to 42001", urn: "urn:example:set", edition: "1", sourceFramework: "urn:example:framework:isms",
            targetFramework: Catalog.iso42001FrameworkURN, mappings: [
                .init(source: "urn:example:node:6.1.2", target: "urn:intuitem:risk:req_node:iso42001-2023:6.1.2", relationship: .subset),
                .init(source: "urn:example:node:A.5.1", target: "urn:intuitem:risk:req_node:iso42001-2023:a.6.2.8", relationship: .notRelated),
            ])
        try set.validate(source: isms, target: .iso42001)
        let standards = Standards(primary: .iso42001, others: [isms], mappingSets: [set, set])
        #expect(standards.mappingSets.count == 1)
        let target = try #require(Catalog.iso42001.requirement("6.1.2")), source = try #require(isms.requirement("6.1.2"))
        let fromTarget = standards.mapped(to: target, of: 0), fromSource = standards.mapped(to: source, of: 1)
        #expect(fromTarget.map(\.reference.shown) == ["27001:6.1.2"] && fromTarget.map(\.relationship) == [.subset])
        #expect(fromSource.map(\.reference.shown) == ["42001:6.1.2"] && fromSource.map(\.relationship) == [.superset])
        #expect(standards.mapped(to: try #require(Catalog.iso42001.requirement("A.6.2.8")), of: 0).isEmpty)
        #expect(Standards(primary: .iso42001, mappingSets: [set]).mappingSets.isEmpty, "a set whose source is not audited links nothing")
    }

    @Test func aMappingSetNamingARequirementTheAuditedVersionLacksIsRefusedNotSilentlyHalfShown() throws {
        let isms = self.ismsWithURNs
        var older = isms
        older.requirements.removeAll { $0.ref == "A.8.15" }
        older.source?.version = "1"
        let set = MappingSet(
            id: "isms-to-42001", name: "ISMS to 42001", urn: "urn:example:set", edition: "1", sourceFramework: "urn:example:framework:isms",
            targetFramework: Catalog.iso42001FrameworkURN, mappings: [
                .init(source: "urn:example:node:6.1.2", target: "urn:intuitem:risk:req_node:iso42001-2023:6.1.2", relationship: .subset),
                .init(source: "urn:example:node:A.8.15", target: "urn:intuitem:risk:req_node:iso42001-2023:a.6.2.8", relationship: .intersect),
            ])
        try set.validate(source: isms, target: .iso42001)
        #expect(try Engagement.mappingWrites(adding: set, to: Standards(primary: .iso42001, others: [isms])) != nil)
        #expect {
            try Engagement.mappingWrites(adding: set, to: Standards(primary: .iso42001, others: [older]))
        } throws: { error in
            "\(error)".contains("urn:example:node:A.8.15") && "\(error)".contains("this engagement audits that version")
        }
    }

    /// An engagement record whose fields are `writes`, as a store would hold them.
    static func record(_ writes: FieldWrites) throws -> EngagementRecord {
        let id = testEntity(1), lead = testIdentity(1).id
        var fields: [String: FieldState] = [:]
        for (index, (field, value)) in writes.enumerated() {
            fields[field] = FieldState([VisibleValue(id: ChangeID(origin: lead, seq: UInt64(index + 1)), stamp: Timestamp(rawValue: UInt64(index + 1)), value: value)])
        }
        let snapshot = EntitySnapshot(id: id, kind: "engagement", engagement: id, deleted: false, fields: fields)
        return try #require(EngagementRecord(engagement: id, snapshots: [snapshot]))
    }

    /// `json`'s array with `element` (a JSON object) appended, its `version` raised to 99: an
    /// element a newer build recorded, which this one does not read.
    static func appendingNewerElement(to json: String, from element: String) throws -> (list: String, newer: String) {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(element.utf8)) as? [String: Any])
        object["version"] = 99
        object["id"] = "from-a-newer-build"
        let newer = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        return (String(json.dropLast()) + "," + newer + "]", newer)
    }

    @Test func aStandardAnOlderBuildCannotReadIsKeptWhenItAddsOne() throws {
        // Given an engagement whose `catalogs` field holds one standard of a newer format
        let draft = EngagementDraft(client: "Helix", auditType: .stage2, otherCatalogs: [isms])
        var writes = try draft.writes(lead: testIdentity(1).id)
        let index = try #require(writes.firstIndex { $0.0 == Engagement.Field.catalogs.rawValue })
        let (list, newer) = try Self.appendingNewerElement(to: try #require(writes[index].1.text), from: isms.encodedJSON())
        writes[index] = (Engagement.Field.catalogs.rawValue, .json(list))
        let standards = try Self.record(writes).standards
        #expect(standards.catalogs.map(\.id) == [Catalog.iso42001.id, isms.id] && standards.unreadCatalogs == [newer])

        // When this build adds a standard, Then the field it rewrites still holds the unread one
        let added = Self.catalog("example-isms-2025", refs: ["4.1"])
        let rewrite = try #require(Engagement.standardWrites(adding: added, to: standards)?.first?.1.text)
        #expect(Catalog.decodeList(rewrite).map(\.id) == [isms.id, added.id])
        #expect(Catalog.unreadElements(rewrite) == [newer], "a standard is never removed")
        // and a second rewrite keeps it once
        writes[index] = (Engagement.Field.catalogs.rawValue, .json(rewrite))
        let again = try #require(Engagement.standardWrites(adding: Self.catalog("other-2024", refs: ["1"]), to: try Self.record(writes).standards)?.first?.1.text)
        #expect(Catalog.unreadElements(again) == [newer] && Catalog.decodeList(again).count == 3)
    }

    @Test func aMappingSetAnOlderBuildCannotReadIsKeptWhenItRecordsOne() throws {
        let isms = self.ismsWithURNs
        func set(_ id: String) -> MappingSet {
            MappingSet(
                id: id, name: id, urn: "urn:example:set:\(id)", edition: "1", sourceFramework: "urn:example:framework:isms",
                targetFramework: Catalog.iso42001FrameworkURN, mappings: [
                    .init(source: "urn:example:node:6.1.2", target: "urn:intuitem:risk:req_node:iso42001-2023:6.1.2", relationship: .subset),
                ])
        }
        let draft = EngagementDraft(client: "Helix", auditType: .stage2, otherCatalogs: [isms], mappingSets: [set("first")])
        var writes = try draft.writes(lead: testIdentity(1).id)
        let index = try #require(writes.firstIndex { $0.0 == Engagement.Field.mappings.rawValue })
        let (list, newer) = try Self.appendingNewerElement(to: try #require(writes[index].1.text), from: set("first").encodedJSON())
        writes[index] = (Engagement.Field.mappings.rawValue, .json(list))
        let standards = try Self.record(writes).standards
        #expect(standards.mappingSets.map(\.id) == ["first"] && standards.unreadMappingSets == [newer])

        let rewrite = try #require(try Engagement.mappingWrites(adding: set("second"), to: standards)?.first?.1.text)
        #expect(MappingSet.decodeList(rewrite).map(\.id) == ["first", "second"])
        #expect(MappingSet.unreadElements(rewrite) == [newer], "a mapping set is never removed")
        let offered = Engagement.mappingWrites(offering: [set("third")], to: standards)
        #expect(MappingSet.unreadElements(try #require(offered.writes?.first?.1.text)) == [newer])
    }

    @Test func heldMappingSetsOfferedToAnOlderVersionAreLeftOutAndSaidSoNeverHalfRecorded() throws {
        let isms = self.ismsWithURNs
        var older = isms
        older.requirements.removeAll { $0.ref == "A.8.15" }
        let fits = MappingSet(
            id: "fits", name: "Fits", urn: "urn:example:set:fits", edition: "1", sourceFramework: "urn:example:framework:isms",
            targetFramework: Catalog.iso42001FrameworkURN, mappings: [
                .init(source: "urn:example:node:6.1.2", target: "urn:intuitem:risk:req_node:iso42001-2023:6.1.2", relationship: .subset),
            ])
        var newerOnly = fits
        newerOnly.id = "newer-only"
        newerOnly.urn = "urn:example:set:newer-only"
        newerOnly.mappings.append(.init(source: "urn:example:node:A.8.15", target: "urn:intuitem:risk:req_node:iso42001-2023:a.6.2.8", relationship: .intersect))
        // The one rule of `engagement create`, `--add-standard` and `--add-mapping`
        let draft = EngagementDraft(client: "Helix", auditType: .stage2, otherCatalogs: [older], mappingSets: [fits, newerOnly])
        let recording = draft.mappingRecording
        #expect(recording.recorded.map(\.id) == ["fits"])
        #expect(recording.leftOut.map(\.set.id) == ["newer-only"] && recording.leftOut[0].reason.contains("urn:example:node:A.8.15"))
        let writes = try draft.writes(lead: testIdentity(1).id)
        let recorded = try #require(writes.first { $0.0 == Engagement.Field.mappings.rawValue }?.1.text)
        #expect(MappingSet.decodeList(recorded).map(\.id) == ["fits"], "created with what the audited versions can show, nothing half-shown")
        #expect(Engagement.mappingWrites(offering: [fits, newerOnly], to: Standards(primary: .iso42001, others: [isms])).recorded.count == 2)
    }

    @Test func addingAStandardRecordsTheOthersWholeAndAddingItAgainWritesNothing() throws {
        let standards = Standards(primary: .iso42001)
        let writes = try #require(Engagement.standardWrites(adding: isms, to: standards))
        #expect(writes.map(\.field) == ["catalogs"])
        let recorded = Catalog.decodeList(try #require(writes[0].value.text))
        #expect(recorded == [isms])
        #expect(Engagement.standardWrites(adding: isms, to: Standards(primary: .iso42001, others: recorded)) == nil)
        #expect(Engagement.standardWrites(adding: .iso42001, to: standards) == nil)
    }
}

private extension Array {
    var nilIfEmpty: Self? { isEmpty ? nil : self }
}
