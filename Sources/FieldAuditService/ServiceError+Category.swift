import FieldAudit

extension FieldAuditError.Category {
    /// The category's name in a JSON error (`"category"`): `usage`, `invalid-input`,
    /// `missing-input`, `cannot-create`, `input-output`, `temporary-failure`, `not-permitted`,
    /// `internal-failure`, `interrupted`.
    public var wireName: String {
        switch self {
        case .usage: "usage"
        case .invalidInput: "invalid-input"
        case .missingInput: "missing-input"
        case .cannotCreate: "cannot-create"
        case .inputOutput: "input-output"
        case .temporaryFailure: "temporary-failure"
        case .notPermitted: "not-permitted"
        case .internalFailure: "internal-failure"
        case .interrupted: "interrupted"
        }
    }

    /// The category a JSON error names; `nil` for a name this build does not know.
    public init?(wireName: String) {
        guard let category = Self.allCases.first(where: { $0.wireName == wireName }) else { return nil }
        self = category
    }
}
