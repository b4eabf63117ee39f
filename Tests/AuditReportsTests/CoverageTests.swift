import AuditModel
@testable import AuditReports
import Foundation
import Replication
import TestSupport
import Testing

/// Coverage counts what was examined (interviews, notes, evidence, tests) and tells "examined, no
/// conclusion recorded" from "not examined" and from "concluded", the same way in every format.
struct CoverageTests {
    /// An interview on 6.1.2, two notes on it and a risk register linked to it: examined, nothing concluded.
    func examinedDay() -> (builder: RecordBuilder, register: EntityID) {
        var builder = RecordBuilder()
        let interview = builder.id(3, minutes: 10)
        builder.put(.interview, interview, [
            "interviewee": .text("Dr Priya Rao"), "role": .text("CMIO"), "startedAt": .integer(builder.at(10)), "endedAt": .integer(builder.at(40)),
            "auditors": FieldCoding.encodeStrings(["Ada Lead"]), "topics": FieldCoding.encodeStrings(["5.1", "6.1.2"]),
        ])
        for (seed, text) in [(4, "Risk register scored on a 3-point scale"), (5, "Reviewed quarterly by the safety board")] {
            builder.put(.note, builder.id(UInt64(seed), minutes: Int64(10 + seed)), [
                "text": .text(text), "interview": .text(interview.description), "ref": .text("6.1.2"), "at": .integer(builder.at(Int64(10 + seed))),
            ])
        }
        let register = builder.id(6, minutes: 20)
        builder.put(.evidence, register, [
            "digest": .blob(try! BlobDigest(hex: String(repeating: "cd", count: 32))), "name": .text("risk-register.csv"), "size": .integer(900),
            "capturedBy": .text("Ada Lead"), "capturedAt": .integer(builder.at(20)), "ref": .text("6.1.2"),
        ])
        builder.put(.link, EvidenceLink.id(evidence: register, target: "6.1.2"), [
            "evidence": .text(register.description), "target": .text("6.1.2"), "targetKind": .text("requirement"),
        ])
        return (builder, register)
    }

    func row(_ ref: String, _ record: EngagementRecord) throws -> Coverage.Row {
        try #require(Coverage(record).rows.first { $0.ref == ref })
    }

    @Test func interviewsNotesAndEvidenceMakeARequirementExaminedWithoutAConclusion() throws {
        let (builder, _) = examinedDay()
        let risk = try row("6.1.2", builder.record)
        #expect((risk.interviews, risk.notes, risk.evidence, risk.testCount) == (1, 2, 1, 0))
        #expect(risk.state == .examined && !risk.isCovered && risk.result == "examined")
        #expect(risk.summary == "1 interview, 2 notes, 1 evidence file: no conclusion recorded")
        let leadership = try row("5.1", builder.record)
        #expect(leadership.state == .examined && leadership.summary == "1 interview: no conclusion recorded")
        let untouched = try row("7.2", builder.record)
        #expect(untouched.state == .notExamined && untouched.summary == "not examined" && untouched.result == "not-examined")

        let tally = Coverage(builder.record).tally(.clause)
        #expect(tally.concluded == 0 && tally.examined == 2 && tally.notExamined == tally.of - 2)
        let markdown = MarkdownReport.render(builder.record, context: builder.context())
        #expect(markdown.contains("| 6.1.2 | Method for assessing AI risks | yes | 1 interview, 2 notes, 1 evidence file: no conclusion recorded |"))
        #expect(markdown.contains("\(tally.of) clause requirements, 0 concluded, 2 examined without a recorded conclusion and \(tally.of - 2) not examined"))
        let csv = try #require(CSVExport.tables(builder.record, context: builder.context())["coverage.csv"])
        #expect(csv.contains(",2,examined,,1,1,\"1 interview, 2 notes, 1 evidence file\"\r\n"))
    }

    @Test func aConformingRequirementSaysWhatWasExaminedInEveryFormat() throws {
        var (builder, register) = examinedDay()
        let test = builder.id(7, minutes: 60)
        builder.put(.test, test, [
            "ref": .text("6.1.2"), "method": .text("inspection"), "result": .text("conforming"), "tester": .text("Ada Lead"),
            "sample": .text("Risk register entries"),
        ])
        // The register linked to the test as well still counts once; a file linked only to the test counts too.
        builder.put(.link, EvidenceLink.id(evidence: register, target: test.description), [
            "evidence": .text(register.description), "target": .text(test.description), "targetKind": .text("test"),
        ])
        let minutes = builder.id(8, minutes: 65)
        builder.put(.evidence, minutes, [
            "digest": .blob(try! BlobDigest(hex: String(repeating: "ef", count: 32))), "name": .text("board-minutes.pdf"), "size": .integer(100),
            "capturedBy": .text("Ada Lead"), "capturedAt": .integer(builder.at(65)),
        ])
        builder.put(.link, EvidenceLink.id(evidence: minutes, target: test.description), [
            "evidence": .text(minutes.description), "target": .text(test.description), "targetKind": .text("test"),
        ])
        let record = builder.record
        let risk = try row("6.1.2", record)
        #expect(risk.state == .concluded && risk.isCovered && risk.result == "conforming")
        #expect(risk.summary == "1 interview, 2 notes, 2 evidence files, 1 inspection test: conforming")

        let markdown = MarkdownReport.render(record, context: builder.context())
        #expect(markdown.contains("| yes | 1 interview, 2 notes, 2 evidence files, 1 inspection test: conforming |"))
        let html = HTMLReport.render(record, context: builder.context())
        #expect(html.contains("<td>1 interview, 2 notes, 2 evidence files, 1 inspection test: conforming</td>"))
        let csv = try #require(CSVExport.tables(record, context: builder.context())["coverage.csv"])
        #expect(csv.contains(",2,conforming,Ada Lead,1,2,\"1 interview, 2 notes, 2 evidence files, 1 inspection test\"\r\n"))
        let oscal = String(decoding: OSCALAssessmentResults.document(record, context: builder.context()), as: UTF8.self)
        #expect(oscal.contains("Examined: 1 interview, 2 notes, 2 evidence files, 1 inspection test: conforming; no finding was raised."))
    }

    @Test func aTestWithoutAResultIsAnExaminationNotAConclusion() throws {
        var builder = RecordBuilder()
        builder.put(.test, builder.id(7, minutes: 60), ["ref": .text("7.2"), "method": .text("inquiry"), "result": .text("not-tested")])
        builder.put(.test, builder.id(8, minutes: 61), ["ref": .text("7.2")])
        let training = try row("7.2", builder.record)
        #expect(training.state == .examined && training.testCount == 2)
        #expect(training.summary == "1 inquiry test, 1 test without a method: no conclusion recorded")
        #expect(Coverage(builder.record).covered(.clause).covered == 0)
    }

    @Test func aRequirementConcludedOnlyByAnOFIHasNoNonconformity() throws {
        var builder = RecordBuilder()
        builder.put(.finding, builder.id(9, minutes: 80), [
            "grade": .text("ofi"), "refs": FieldCoding.encodeStrings(["7.2"]), "statement": .text("Track training"), "status": .text("open"),
        ])
        let training = try row("7.2", builder.record)
        #expect(training.state == .concluded && training.summary == "1 finding: no nonconformity")
    }

    @Test func aFindingWhoseGradeIsInConflictIsCountedUnderNeitherGrade() throws {
        var builder = RecordBuilder()
        let finding = builder.id(9, minutes: 80)
        builder.put(.finding, finding, ["refs": FieldCoding.encodeStrings(["7.2"]), "statement": .text("Training not tracked"), "status": .text("open")])
        builder.set(.finding, finding, "grade", [(.text("minor"), builder.ada), (.text("ofi"), builder.ben)])
        let training = try row("7.2", builder.record)
        #expect(training.findings.isEmpty && training.disputedFindings == 1)
        #expect(training.state == .concluded && training.summary == "1 finding: grade in conflict")
        #expect(MarkdownReport.render(builder.record, context: builder.context()).contains("| 1 finding: grade in conflict | 1 with the grade in conflict |"))
    }
}
