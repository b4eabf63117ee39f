@testable import AuditModel
import Replication
import Testing

/// The Statement of Applicability's rule (ISO/IEC 42001 §6.1.3): clauses are mandatory; a control
/// may be excluded only with a justification.
struct ApplicabilityStatementTests {
    let catalog = Catalog.iso42001

    func writes(_ ref: String, applicable: Bool?, justification: String? = nil) throws(AuditModelError) -> FieldWrites {
        try ApplicabilityStatement.checkedWrites(
            for: try catalog.check(ref), in: catalog, applicable: applicable, justification: justification, status: nil, existing: nil)
    }

    @Test func aClauseCannotBeExcludedEvenWithAJustification() {
        #expect(throws: AuditModelError.mandatoryRequirement("6.1.2", catalog: catalog.displayName)) {
            try writes("6.1.2", applicable: false, justification: "Not relevant to us")
        }
        let message = AuditModelError.mandatoryRequirement("6.1.2", catalog: catalog.displayName).description
        #expect(message.contains("clauses are mandatory") && message.contains("Only Annex A controls may be excluded, each with a justification"))
    }

    @Test func aControlIsExcludedOnlyWithAJustification() throws {
        #expect(throws: AuditModelError.exclusionWithoutJustification("A.7.6")) { try writes("A.7.6", applicable: false) }
        #expect(throws: AuditModelError.exclusionWithoutJustification("A.7.6")) { try writes("A.7.6", applicable: false, justification: "  ") }
        let accepted = try writes("A.7.6", applicable: false, justification: "Done by the data partner under contract")
        #expect(accepted.map(\.field) == ["ref", "applicable", "justification"])
    }

    @Test func declaringAClauseApplicableOrLeavingApplicabilityAloneIsAccepted() throws {
        #expect(try writes("6.1.2", applicable: true).count == 2)
        #expect(try writes("6.1.2", applicable: nil, justification: "Board minutes").count == 2)
    }
}
