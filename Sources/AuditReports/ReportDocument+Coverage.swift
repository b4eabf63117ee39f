import AuditModel
import Replication

/// Section 5: the coverage of every requirement, and the tests performed.
extension ReportDocument.Builder {
    var coverage: [Block] {
        let clauses = content.coverage.covered(.clause), controls = content.coverage.covered(.control)
        return [
            .paragraph(
                "A requirement is covered when at least one test or finding concerns it. Covered: \(clauses.covered) of \(clauses.of) clause requirements "
                    + "and \(controls.covered) of \(controls.of) applicable controls. The table lists every requirement of \(record.catalog.displayName)."),
            .table(header: ["Ref", "Requirement", "Applicable", "Tests", "Findings", "Result", "By"], rows: content.coverage.rows.map { row in
                [
                    row.ref, row.title,
                    row.applicable.map { $0 ? "yes" : "no (SoA)" } ?? "not declared",
                    counts(row.tests.map { ($0.key.rawValue, $0.value) }),
                    counts(row.findings.map { ($0.key.rawValue, $0.value) }),
                    row.isCovered ? row.result : "not covered",
                    row.workedOnBy.joined(separator: ", "),
                ]
            }),
            .subsection(id: nil, title: "Tests performed", blocks: record.tests.isEmpty ? [.paragraph("No test was recorded.")] : [
                .table(header: ["Ref", "Method", "Sample", "Sample / population", "AI systems", "Result", "Conclusion", "By"], rows: record.tests.map { test in
                    [
                        test.ref, content.text(of: test.id, ControlTest.Field.method.rawValue, winner: test.method?.rawValue) ?? "—",
                        content.text(of: test.id, ControlTest.Field.sample.rawValue, winner: test.sample) ?? "—",
                        sampleText(test),
                        systemNames(test.systems),
                        content.text(of: test.id, ControlTest.Field.result.rawValue, winner: test.result?.rawValue) ?? "—",
                        content.text(of: test.id, ControlTest.Field.conclusion.rawValue, winner: test.conclusion) ?? "—",
                        (test.tester ?? "—") + (content.lateEntities.contains(test.id) ? "\n(changed after closing)" : ""),
                    ]
                }),
            ]),
        ]
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
