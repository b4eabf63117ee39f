@testable import AuditModel
import Foundation
import Testing

struct CatalogTests {
    let catalog = Catalog.iso42001

    @Test func theBuiltInCatalogHoldsEveryClauseAndThe38AnnexAControls() throws {
        #expect(catalog.clauses.count == 32)
        #expect(catalog.controls.count == 38)
        #expect(catalog.clauses.first?.ref == "4.1" && catalog.clauses.last?.ref == "10.2")
        #expect(catalog.controls.first?.ref == "A.2.2" && catalog.controls.last?.ref == "A.10.4")
        for ref in ["6.1.4", "7.5.3", "9.2.2", "9.3.3", "A.6.1.2", "A.6.2.8", "A.7.6"] {
            #expect(catalog.requirement(ref) != nil, "\(ref) missing")
        }
        try catalog.validate()
    }

    @Test func theEUAIActCrossReferencesFollowTheUsualMapping() {
        func articles(_ ref: String) -> Set<String> { Set(catalog.crossReferences(of: ref).map(\.article)) }
        #expect(articles("6.1.2").contains("Article 9"))
        #expect(articles("A.7.4") == ["Article 10"])
        #expect(articles("6.1.4").isSuperset(of: ["Article 9", "Article 27"]))
        #expect(articles("A.6.2.7") == ["Article 11"])
        #expect(articles("A.6.2.8") == ["Article 12"])
        #expect(articles("A.8.2") == ["Article 13"])
        #expect(articles("A.9.2").contains("Article 14"))
    }

    @Test func anUnknownReferenceSuggestsTheNearestOnes() throws {
        #expect(catalog.nearest(to: "A.6.2.9") == ["A.6.2.8"])
        #expect(catalog.nearest(to: "6.1.5") == ["6.1.4"])
        #expect(catalog.nearest(to: "completely wrong").isEmpty)
        #expect(throws: AuditModelError.unknownRequirement("A.6.2.9", catalog: "ISO/IEC 42001:2023", suggestions: ["A.6.2.8"])) {
            try catalog.check("A.6.2.9")
        }
        #expect(try catalog.check("a.6.2.8").ref == "A.6.2.8")
        #expect(AuditModelError.unknownRequirement("A.6.2.9", catalog: "ISO/IEC 42001:2023", suggestions: ["A.6.2.8"]).description
            == "A.6.2.9 is not in ISO/IEC 42001:2023; did you mean A.6.2.8?")
    }

    @Test func catalogFilesAreCheckedAndANewerVersionIsRefused() throws {
        let valid = #"{"format":"fieldaudit-catalog","version":1,"id":"acme-std","title":"Acme","groups":[{"ref":"1","title":"One"}],"requirements":[{"ref":"1.1","kind":"clause","group":"1","title":"First"}]}"#
        #expect(try Catalog.decode(Data(valid.utf8)).requirements.count == 1)
        #expect(throws: AuditModelError.unsupportedCatalogVersion(found: 2, supported: 1)) {
            try Catalog.decode(Data(valid.replacingOccurrences(of: #""version":1"#, with: #""version":2"#).utf8))
        }
        #expect(throws: AuditModelError.self) { try Catalog.decode(Data(valid.replacingOccurrences(of: #""group":"1""#, with: #""group":"9""#).utf8)) }
        #expect(throws: AuditModelError.self) { try Catalog.decode(Data("not json".utf8)) }
        #expect(throws: AuditModelError.self) {
            try Catalog.decode(Data(valid.replacingOccurrences(of: #""refs""#, with: #""x""#).replacingOccurrences(of: "]}", with: #"],"crossReferences":[{"framework":"X","article":"1","title":"t","refs":["9.9"]}]}"#).utf8))
        }
    }
}

struct DomainRuleTests {
    @Test func choicesParseIgnoringCaseAndListTheValidValues() throws {
        #expect(try TestMethod.parse("Inspection") == .inspection)
        #expect(throws: AuditModelError.invalidChoice("guessing", field: "test method", valid: ["inquiry", "observation", "inspection", "reperformance"])) {
            try TestMethod.parse("guessing")
        }
    }

    @Test func aNonconformityNeedsObjectiveEvidence() throws {
        let bare = Finding.Draft(grade: .major, refs: ["A.6.2.8"], statement: "No logs")
        #expect(throws: AuditModelError.nonconformityWithoutEvidence(grade: "major")) { try bare.writes(raisedBy: "Ada") }
        var withText = bare
        withText.objectiveEvidence = "Config shows retention 7 days"
        #expect(try withText.writes(raisedBy: "Ada").contains { $0.field == "objectiveEvidence" })
        let observation = Finding.Draft(grade: .observation, refs: ["9.1"], statement: "Dashboards are new")
        #expect(throws: Never.self) { try observation.writes(raisedBy: "Ada") }
    }

    @Test func aSampleCannotExceedItsPopulation() {
        let draft = ControlTest.Draft(ref: "7.2", method: .inspection, result: .conforming, sampleSize: 12, population: 11)
        #expect(throws: AuditModelError.sampleLargerThanPopulation(sample: 12, population: 11)) { try draft.writes(tester: "Ada") }
    }

    @Test func datesMustBeRealCalendarDays() throws {
        try Dates.check("2028-02-29", field: "start date")
        for bad in ["2027-02-29", "2026-13-01", "26-12-01", "2026-12-1", "tomorrow"] {
            #expect(throws: AuditModelError.self, "\(bad)") { try Dates.check(bad, field: "start date") }
        }
    }

    @Test func listsRoundTripThroughTheirJSONEncoding() {
        let strings = ["A.6.2.8", "quote \" and \\ backslash", "line\nbreak", "é 漢字", "\u{1}"]
        guard case let .json(json) = FieldCoding.encodeStrings(strings) else {
            Issue.record("not JSON")
            return
        }
        #expect(FieldCoding.decodeStrings(json) == strings)
    }
}
