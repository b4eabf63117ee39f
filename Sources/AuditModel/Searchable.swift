/// The fields whose text `fieldaudit search` finds: what auditors wrote in their own words.
public enum Searchable {
    /// The field names the store indexes for full-text search, across entity kinds.
    public static let fields: Set<String> = [
        Note.Field.text.rawValue,
        Finding.Field.statement.rawValue, Finding.Field.objectiveEvidence.rawValue, Finding.Field.auditeePosition.rawValue,
        ControlTest.Field.conclusion.rawValue, ControlTest.Field.sample.rawValue,
        Evidence.Field.description.rawValue, Evidence.Field.name.rawValue,
        Interview.Field.interviewee.rawValue,
        Engagement.Field.scope.rawValue, Engagement.Field.client.rawValue,
    ]
}
