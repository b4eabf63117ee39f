import AuditModel
import Replication

/// Section 4: the audit team and the auditee's participants, from the interviews.
extension ReportDocument.Builder {
    var people: [Block] {
        var blocks: [Block] = [.subsection(id: nil, title: "Audit team", blocks: [
            .table(header: ["Name", "Role"], rows: content.team.map { member in
                [member.name, content.text(of: member.id, TeamMember.Field.role.rawValue, winner: member.role.map(roleTitle)) ?? "—"]
            }),
        ])]
        blocks.append(.subsection(id: nil, title: "Auditee participants", blocks: content.participants.isEmpty
            ? [.paragraph("No interview was recorded.")]
            : [.table(header: ["Name", "Role", "Interviewed", "By"], rows: content.participants.map { person in
                [
                    person.name, person.roles.joined(separator: "; "),
                    person.interviews.map { content.span($0.startedAt, $0.endedAt) }.joined(separator: "\n"),
                    person.auditors.joined(separator: ", "),
                ]
            })]))
        return blocks
    }

    func roleTitle(_ role: TeamRole) -> String {
        switch role {
        case .lead: "Lead auditor"
        case .auditor: "Auditor"
        case .expert: "Technical expert"
        case .observer: "Observer"
        case .central: "Central repository"
        }
    }
}
