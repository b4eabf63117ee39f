/// How far the audit has covered each requirement: what was examined (interviews, notes, evidence,
/// tests), whether a conclusion was recorded (tests by result, findings by grade), and who worked on
/// it. Computed from an engagement record; pure.
public struct Coverage: Sendable {
    /// Where a requirement stands in the audit.
    public enum State: String, Sendable, Equatable {
        /// Nothing in the record concerns the requirement.
        case notExamined = "not-examined"
        /// An interview, note, evidence file, test or finding concerns the requirement, but no test
        /// reached a result and no graded finding was raised.
        case examined
        /// A test of the requirement reached a result (other than `not-tested`), or a graded finding cites it.
        case concluded
    }

    /// One requirement's line.
    public struct Row: Sendable, Equatable {
        /// The requirement's reference, as its catalog writes it.
        public let ref: String
        /// The reference as the engagement stores it (`Standards.Reference.stored`): `ref` for the
        /// primary standard, `CATALOG-ID:REF` for another one of an integrated audit.
        public let stored: String
        /// Clause or control.
        public let kind: Catalog.Kind
        /// The requirement's heading, from the catalog.
        public let title: String
        /// Clauses always apply; a control applies unless the Statement of Applicability excludes it.
        /// `nil` when the Statement of Applicability does not mention the control.
        public let applicable: Bool?
        /// How many tests of the requirement concluded each result; a result no test reached is absent.
        public let tests: [TestResult: Int]
        /// How many findings citing the requirement have each grade; a grade no finding has is absent.
        /// A finding whose grade is in conflict is counted in `disputedFindings`, under none of its grades.
        public let findings: [FindingGrade: Int]
        /// How many findings citing the requirement have a grade in conflict (auditors graded it differently).
        public let disputedFindings: Int
        /// How many interview notes concern the requirement.
        public let notes: Int
        /// How many interviews named the requirement among their topics.
        public let interviews: Int
        /// How many distinct evidence files bear on the requirement: linked to it or captured for it,
        /// or linked to one of its tests or findings.
        public let evidence: Int
        /// How many tests of the requirement were recorded, with a result or without.
        public let testCount: Int
        /// How many of those tests used each method; a test without a method is counted only in `testCount`.
        public let testMethods: [TestMethod: Int]
        /// How many findings cite the requirement, graded or not.
        public let findingCount: Int
        /// Names of the testers and finding authors, sorted.
        public let workedOnBy: [String]
        /// The examined requirements of other standards that a recorded mapping set maps to this
        /// one: evidence to weigh, shown apart and never counted in `state`, `result` or the totals.
        public internal(set) var mapped: [MappedEvidence] = []

        /// Whether a conclusion was recorded: a test with a result other than `not-tested`, or a graded
        /// finding (its grade in conflict or not).
        public var isConcluded: Bool {
            !findings.isEmpty || disputedFindings > 0 || tests.contains { $0.key != .notTested }
        }

        /// Whether anything at all concerns the requirement.
        public var isExamined: Bool {
            interviews + notes + evidence + testCount + findingCount > 0
        }

        /// Concluded, examined without a conclusion, or not examined.
        public var state: State {
            isConcluded ? .concluded : isExamined ? .examined : .notExamined
        }

        /// Whether a conclusion was recorded (the coverage the report's and `status`'s totals count).
        public var isCovered: Bool { isConcluded }

        /// The conclusion when one was recorded: `nonconforming` if any test or nonconformity says
        /// so, else `grade in conflict` while a finding's grade is disputed, else `conforming`, else
        /// `not-applicable`, else `no nonconformity`; otherwise the state (`examined`, `not-examined`).
        public var result: String {
            if findings[.major] != nil || findings[.minor] != nil || tests[.nonconforming] != nil { return "nonconforming" }
            if disputedFindings > 0 { return "grade in conflict" }
            if tests[.conforming] != nil { return "conforming" }
            if tests[.notApplicable] != nil { return "not-applicable" }
            if isConcluded { return "no nonconformity" }
            return state.rawValue
        }

        /// What was examined, in words: `2 interviews, 3 notes, 1 evidence file, 1 inspection test`;
        /// `nothing` when nothing was. Findings are not listed: they are conclusions, not examinations.
        public var examined: String {
            var parts: [String] = []
            if interviews > 0 { parts.append(Self.count(interviews, "interview", "interviews")) }
            if notes > 0 { parts.append(Self.count(notes, "note", "notes")) }
            if evidence > 0 { parts.append(Self.count(evidence, "evidence file", "evidence files")) }
            for method in TestMethod.allCases {
                if let number = testMethods[method] { parts.append(Self.count(number, "\(method.rawValue) test", "\(method.rawValue) tests")) }
            }
            let unnamed = testCount - testMethods.values.reduce(0, +)
            if unnamed > 0 { parts.append(Self.count(unnamed, "test", "tests") + " without a method") }
            return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
        }

        /// What was examined and what it concluded, as a report states it:
        /// `2 interviews, 3 notes, 1 evidence file, 1 inspection test: conforming`;
        /// `1 interview: no conclusion recorded`; `not examined`.
        public var summary: String {
            let what = examined == "nothing" ? Self.count(findingCount, "finding", "findings") : examined
            switch state {
            case .notExamined: return "not examined"
            case .examined: return "\(what): no conclusion recorded"
            case .concluded: return "\(what): \(result)"
            }
        }

        private static func count(_ number: Int, _ noun: String, _ plural: String) -> String {
            "\(number) " + (number == 1 ? noun : plural)
        }
    }

    /// One row per requirement of the standard's catalog, in catalog order, applicable or not.
    public let rows: [Row]
    /// The position of the standard covered in the engagement's `Standards` (0: the primary one).
    public let standard: Int

    /// Counts what concerns each requirement of the record's catalog.
    ///
    /// A finding counts for every requirement it cites; a test for each one it tests; an interview for
    /// each of its topics; a note for its requirement; an evidence file once per requirement, whether
    /// it is linked to the requirement, was captured for it, or is linked to one of its tests or
    /// findings. Tests without a result and findings without a grade count as examined, not as
    /// conclusions.
    ///
    /// In an integrated audit each standard has its coverage: `standard` is its position in
    /// `record.standards` (0, the primary standard, by default). Rows carry the requirement's own
    /// reference; records are matched by their stored reference (`Standards.Reference.stored`).
    public init(_ record: EngagementRecord, standard: Int = 0) {
        let standards = record.standards
        self.standard = standard
        rows = standards.catalogs[standard].requirements.map { requirement in
            var row = Self.row(requirement, stored: standards.reference(requirement, of: standard).stored, in: record)
            row.mapped = standards.mapped(to: requirement, of: standard).compactMap { mapped in
                let other = Self.row(mapped.reference.requirement, stored: mapped.reference.stored, in: record)
                return other.isExamined ? MappedEvidence(from: mapped.reference.shown, relationship: mapped.relationship, result: other.result) : nil
            }
            return row
        }
    }

    /// The row of one requirement, whose records carry the reference `ref` (its stored form).
    static func row(_ requirement: Catalog.Requirement, stored ref: String, in record: EngagementRecord) -> Row {
        let tests = record.tests.filter { $0.refs.contains(ref) }
        let findings = record.findings.filter { $0.refs.contains(ref) }
        let disputed = findings.filter { record.conflictingValues(of: $0.id, Finding.Field.grade.rawValue) != nil }
        let applicable: Bool? = requirement.kind == .clause ? true : record.applicability(of: ref)?.applicable
        let names = tests.compactMap(\.tester) + findings.compactMap(\.raisedBy)
        let targets = Set([ref] + tests.map(\.id.description) + findings.map(\.id.description))
        var evidence = Set(record.links.filter { targets.contains($0.target) }.map(\.evidence))
        evidence.formUnion(record.evidence.filter { $0.ref == ref }.map(\.id))
        return Row(
            ref: requirement.ref, stored: ref, kind: requirement.kind, title: requirement.title, applicable: applicable,
            tests: tests.reduce(into: [:]) { counts, test in if let result = test.result { counts[result, default: 0] += 1 } },
            findings: findings.reduce(into: [:]) { counts, finding in
                if let grade = finding.grade, !disputed.contains(finding) { counts[grade, default: 0] += 1 }
            },
            disputedFindings: disputed.count,
            notes: record.notes.filter { $0.ref == ref }.count,
            interviews: record.interviews.filter { $0.topics.contains(ref) }.count,
            evidence: evidence.intersection(record.evidence.map(\.id)).count,
            testCount: tests.count,
            testMethods: tests.reduce(into: [:]) { counts, test in if let method = test.method { counts[method, default: 0] += 1 } },
            findingCount: findings.count,
            workedOnBy: Array(Set(names)).sorted())
    }

    /// Rows of applicable requirements (and controls the Statement of Applicability does not mention).
    var applicableRows: [Row] { rows.filter { $0.applicable != false } }

    /// How many applicable requirements of a kind have a recorded conclusion (a test result or a
    /// graded finding).
    public func covered(_ kind: Catalog.Kind) -> (covered: Int, of: Int) {
        let tally = tally(kind)
        return (tally.concluded, tally.of)
    }

    /// How many applicable requirements of a kind are concluded, examined without a conclusion,
    /// and not examined, of how many.
    public func tally(_ kind: Catalog.Kind) -> (concluded: Int, examined: Int, notExamined: Int, of: Int) {
        let applicable = applicableRows.filter { $0.kind == kind }
        let states = applicable.map(\.state)
        return (states.count { $0 == .concluded }, states.count { $0 == .examined }, states.count { $0 == .notExamined }, applicable.count)
    }
}
