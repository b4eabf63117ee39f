import AuditStore
import FieldAudit
import Testing

/// Every cause has one category, the store's errors included, so a caller (the command line's
/// exit statuses, a service) maps categories without knowing `StoreError`.
struct FieldAuditErrorCategoryTests {
    @Test(arguments: [
        (FieldAuditError.noReplica(path: "/r"), FieldAuditError.Category.missingInput),
        (.invalidInput(source: "argument 1", reason: "not UTF-8"), .invalidInput),
        (.replicaExists(path: "/r", replica: "ab"), .cannotCreate),
        (.outputExists(paths: ["a"]), .cannotCreate),
        (.keyFileExposed(path: "/k", mode: 0o644), .notPermitted),
        (.noCurrentEngagement, .usage),
        (.terminalOutput(what: "a bundle", pipeTo: "fieldaudit import -"), .usage),
        (.io(path: "/x", reason: "gone"), .inputOutput),
        (.store(.busy(path: "/db")), .temporaryFailure),
        (.store(.readOnly(path: "/db")), .notPermitted),
        (.store(.damaged(path: "/db", reason: "truncated")), .inputOutput),
        (.store(.diskFull(path: "/db")), .inputOutput),
        (.store(.blobMissing(digest: "00")), .missingInput),
        (.store(.corruptRow(table: "change_log", reason: "bad")), .invalidInput),
        (.store(.closed), .internalFailure),
        (.commandUnavailable(command: "kubectl", reason: "no such command in $PATH"), .missingInput),
        (.unstorableEntries(directory: "photos", entries: ["link: a symbolic link (never followed)"]), .missingInput),
        (.runOutputCut(evidence: "3f2a9c1d", stored: 1024, written: 5000), .invalidInput),
        (.runInterrupted(command: "sleep 30"), .interrupted),
        (.unsupportedRecommendation(recommendation: "certify", reasons: ["1 major nonconformity is open"]), .invalidInput),
        (.engagementClosed(engagement: "e", isLead: true), .notPermitted),
    ])
    func eachCauseFallsInTheCategoryItsExitStatusNames(error: FieldAuditError, category: FieldAuditError.Category) {
        #expect(error.category == category, "\(error)")
    }
}
