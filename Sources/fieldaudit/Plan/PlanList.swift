import ArgumentParser
import FieldAudit

extension FieldAuditCommand.PlanCommand {
    /// `fieldaudit plan list`: show the audit plan.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the audit plan and the engagement's plan details.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var certificationBody, accreditation, certificateScope, confidentiality, surveillanceDate: String?
            var distribution: [String]
            var items: [PlanItem]
        }

        func run() throws {
            let record = try engagement.open(store).record
            let items = record.planItems.sorted(by: PlanItem.planOrder)
            let engagement = record.engagement
            if output.json {
                return try Terminal.printJSON(View(
                    certificationBody: engagement.certificationBody, accreditation: engagement.accreditation,
                    certificateScope: engagement.certificateScope, confidentiality: engagement.confidentiality,
                    surveillanceDate: engagement.surveillanceDate, distribution: engagement.distribution, items: items))
            }
            let rows = engagement.planFacts.map { ($0.label.lowercased(), $0.value) }
                + (engagement.surveillanceDate.map { [("surveillance date", $0)] } ?? [])
            if !rows.isEmpty { Terminal.print(Terminal.table(rows) + "\n") }
            let scheduled = items.filter { $0.kind != .stage1 }
            if items.isEmpty { return Terminal.print("No plan yet: `fieldaudit plan add session --date … --start … --end …` or `fieldaudit plan import FILE.csv`.") }
            if !scheduled.isEmpty {
                Terminal.print(Terminal.columns(
                    ["id", "what", "when", "where", "function", "requirements", "auditors", "attendees"],
                    scheduled.map { item in
                        [
                            item.id.short, item.kind?.title ?? "?", item.when, item.whereabouts, item.function ?? "",
                            item.refs.map(record.standards.shown).joined(separator: ", "), item.auditors.joined(separator: ", "), item.attendees.joined(separator: ", "),
                        ]
                    }))
            }
            let points = items.filter { $0.kind == .stage1 }
            if !points.isEmpty {
                Terminal.print((scheduled.isEmpty ? "" : "\n") + Terminal.columns(
                    ["id", "Stage 1 point", "follow-up"], points.map { [$0.id.short, $0.point ?? "", $0.followUp ?? "not followed up yet"] }))
            }
        }
    }
}
