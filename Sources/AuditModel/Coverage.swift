/// How far the audit has covered each requirement: applicability, tests by result, findings by
/// grade, and who worked on it. Computed from an engagement record; pure.
public struct Coverage: Sendable {
    /// One requirement's line.
    public struct Row: Sendable, Equatable {
        /// The requirement's reference.
        public let ref: String
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
        public let findings: [FindingGrade: Int]
        /// How many interview notes concern the requirement.
        public let notes: Int
        /// Names of the testers and finding authors, sorted.
        public let workedOnBy: [String]

        /// Whether any test or finding touched the requirement.
        public var isCovered: Bool { !tests.isEmpty || !findings.isEmpty }

        /// The overall result: nonconforming if any test or nonconformity says so.
        public var result: String {
            if findings[.major] != nil || findings[.minor] != nil || tests[.nonconforming] != nil { return "nonconforming" }
            if tests[.conforming] != nil { return "conforming" }
            if tests[.notApplicable] != nil { return "not-applicable" }
            return isCovered ? "not-tested" : "—"
        }
    }

    /// One row per requirement of the engagement's catalog, in catalog order, applicable or not.
    public let rows: [Row]

    /// Counts the tests, findings and notes of each requirement of the record's catalog.
    ///
    /// A finding counts for every requirement it cites; a test for the one it tests. Tests without a
    /// result and findings without a grade are not counted.
    public init(_ record: EngagementRecord) {
        rows = record.catalog.requirements.map { requirement in
            let ref = requirement.ref
            let tests = record.tests.filter { $0.ref == ref }
            let findings = record.findings.filter { $0.refs.contains(ref) }
            let applicable: Bool? = requirement.kind == .clause ? true : record.applicability(of: ref)?.applicable
            let names = tests.compactMap(\.tester) + findings.compactMap(\.raisedBy)
            return Row(
                ref: ref, kind: requirement.kind, title: requirement.title, applicable: applicable,
                tests: tests.reduce(into: [:]) { counts, test in if let result = test.result { counts[result, default: 0] += 1 } },
                findings: findings.reduce(into: [:]) { counts, finding in if let grade = finding.grade { counts[grade, default: 0] += 1 } },
                notes: record.notes.filter { $0.ref == ref }.count,
                workedOnBy: Array(Set(names)).sorted())
        }
    }

    /// Rows of applicable requirements (and controls the Statement of Applicability does not mention).
    var applicableRows: [Row] { rows.filter { $0.applicable != false } }

    /// How many applicable requirements of a kind have at least one test or finding.
    public func covered(_ kind: Catalog.Kind) -> (covered: Int, of: Int) {
        let applicable = applicableRows.filter { $0.kind == kind }
        return (applicable.filter(\.isCovered).count, applicable.count)
    }
}
