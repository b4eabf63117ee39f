import AuditModel
import Replication

/// Section 5: the coverage of every requirement, and the tests performed.
extension ReportDocument.Builder {
    var coverage: [Block] {
        let standards = record.standards
        let perStandard: [Block] = standards.isIntegrated
            ? content.coverages.map { coverage in
                .subsection(id: "coverage-\(standards.prefixes[coverage.standard])", title: "\(standards.prefixes[coverage.standard]): \(standards.heading(of: coverage.standard))",
                            blocks: coverageBlocks(coverage))
            }
            : coverageBlocks(content.coverage)
        return perStandard + [testsPerformed]
    }

    /// One standard's coverage: how many requirements were concluded, and the table of them all.
    /// In an integrated audit with a mapping set recorded, a last column shows each requirement's
    /// mapped evidence, apart from what was examined of it and never counted in its conclusion.
    func coverageBlocks(_ coverage: Coverage) -> [Block] {
        let mapped = !record.standards.mappingSets.isEmpty
        let header = ["Ref", "Requirement", "Applicable", "What was examined: conclusion", "Findings", "By"]
            + (mapped ? ["Mapped evidence (not counted as tested)"] : [])
        return [
            .paragraph(coverageStatement(coverage)),
            .table(header: header, rows: coverage.rows.map { row in
                let cells = [
                    row.ref, row.title,
                    row.applicable.map { $0 ? "yes" : "no (SoA)" } ?? "not declared",
                    row.summary,
                    counts(row.findings.map { ($0.key.rawValue, $0.value) } + (row.disputedFindings == 0 ? [] : [("with the grade in conflict", row.disputedFindings)])),
                    row.workedOnBy.joined(separator: ", "),
                ]
                return cells + (mapped ? [row.mapped.isEmpty ? "—" : row.mapped.map(\.description).joined(separator: "\n")] : [])
            }),
        ]
    }

    /// Every test, with its method, sample, result and tester.
    var testsPerformed: Block {
            .subsection(id: nil, title: "Tests performed", blocks: record.tests.isEmpty ? [.paragraph("No test was recorded.")] : [
                .table(header: ["Ref", "Method", "Sample", "Sample / population", "AI systems", "Result", "Conclusion", "By"], rows: record.tests.map { test in
                    [
                        test.refs.map(content.shown).joined(separator: ", "), content.text(of: test.id, ControlTest.Field.method.rawValue, winner: test.method?.rawValue) ?? "—",
                        content.text(of: test.id, ControlTest.Field.sample.rawValue, winner: test.sample) ?? "—",
                        sampleText(test),
                        systemNames(test.systems),
                        content.text(of: test.id, ControlTest.Field.result.rawValue, winner: test.result?.rawValue) ?? "—",
                        content.text(of: test.id, ControlTest.Field.conclusion.rawValue, winner: test.conclusion) ?? "—",
                        (test.tester ?? "—") + (content.lateEntities.contains(test.id) ? "\n(changed after closing)" : ""),
                    ]
                }),
            ])
    }

    /// How many applicable requirements of a standard were concluded, examined without a
    /// conclusion, and not examined, as one paragraph.
    func coverageStatement(_ coverage: Coverage) -> String {
        let clauses = coverage.tally(.clause), controls = coverage.tally(.control)
        func line(_ tally: (concluded: Int, examined: Int, notExamined: Int, of: Int), _ noun: String) -> String {
            "of the \(tally.of) \(noun), \(tally.concluded) concluded, \(tally.examined) examined without a recorded conclusion "
                + "and \(tally.notExamined) not examined"
        }
        return "A requirement is examined when an interview took it as a topic, or a note, an evidence file, a test or a finding concerns it; "
            + "it is concluded when a test of it reached a result or a graded finding cites it. "
            + "In \(record.standards.catalogs[coverage.standard].displayName), \(line(clauses, "clause requirements")); \(line(controls, "applicable controls")). "
            + "The table lists every requirement, with what was examined and the conclusion recorded."
    }

    func sampleText(_ test: ControlTest) -> String {
        switch (test.sampleSize, test.population) {
        case let (size?, population?): "\(size) of \(population)"
        case let (size?, nil): "\(size)"
        case let (nil, population?): "? of \(population)"
        case (nil, nil): "—"
        }
    }

    func counts(_ pairs: [(String, Int)]) -> String {
        pairs.isEmpty ? "—" : pairs.sorted { $0.0 < $1.0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
    }
}
