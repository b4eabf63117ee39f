import FieldAudit
import FieldAuditService
import Testing
@testable import fieldaudit

/// A central's error answer maps back to the exit status of its cause: an internal failure is not
/// "unreachable", a busy central is "try again".
struct ServiceExitStatusTests {
    func refused(_ status: Int, _ category: FieldAuditError.Category?) -> ServiceError {
        .refused(url: "http://central", status: status, error: "e", hint: "", category: category)
    }

    @Test func theCategoryTheCentralNamesDecidesTheExitStatus() {
        #expect(ExitStatus.of(refused(500, .internalFailure)) == .software)
        #expect(ExitStatus.of(refused(500, .inputOutput)) == .ioError)
        #expect(ExitStatus.of(refused(503, .temporaryFailure)) == .temporaryFailure)
        #expect(ExitStatus.of(refused(403, .notPermitted)) == .permission)
        #expect(ExitStatus.of(refused(422, .invalidInput)) == .dataError)
        #expect(ExitStatus.of(refused(413, .invalidInput)) == .dataError)
    }

    @Test func withoutACategoryTheStatusCodeDecidesAndA500IsNotUnreachable() {
        #expect(ExitStatus.of(refused(500, nil)) == .software)
        #expect(ExitStatus.of(refused(503, nil)) == .temporaryFailure)
        #expect(ExitStatus.of(refused(401, nil)) == .permission)
        #expect(ExitStatus.of(refused(409, nil)) == .dataError)
        #expect(ExitStatus.of(ServiceError.unreachable(url: "http://central", reason: "connection refused")) == .temporaryFailure)
    }

    @Test func everyCategoryRoundTripsThroughItsWireName() {
        for category in FieldAuditError.Category.allCases {
            #expect(FieldAuditError.Category(wireName: category.wireName) == category)
        }
        #expect(FieldAuditError.Category(wireName: "nonsense") == nil)
    }
}
