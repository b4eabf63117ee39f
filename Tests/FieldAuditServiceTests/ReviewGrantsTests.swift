import Crypto
import FieldAudit
import FieldAuditService
import Foundation
import Replication
import TestSupport
import Testing

/// The reviewers' grants: only hashes on disk, one use per link, expiry, revocation, and the
/// operator's commands and the server changing the file at once.
struct ReviewGrantsTests {
    let directory = TemporaryDirectory("fieldaudit-grants")
    var grants: ReviewGrants { ReviewGrants(directory: directory.path) }
    let engagement = try! EntityID("01890a5d-ac96-774b-bcce-b302099a8057")
    let day: Int64 = 86_400_000
    let start: Int64 = 1_800_000_000_000

    func fileText() throws -> String { try String(contentsOfFile: grants.path, encoding: .utf8) }
    func sha256(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }

    @Test func theFileKeepsOnlyTheTokensHashAndOnlyItsOwnerCanReadIt() throws {
        let (grant, token) = try grants.grant(reviewer: "Rita Reviewer", engagements: [engagement], lifetime: 7 * day, now: start)
        let text = try fileText()
        #expect(!text.contains(token))
        #expect(text.contains(sha256(token)) && grant.tokenHash == sha256(token))
        #expect(token.count >= 43, "a 256-bit token")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: grants.path)[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o777 == 0o600)
        #expect(try grants.list() == [grant])
    }

    @Test func aLinkSignsInOnceAndTheSessionSecretIsNotStoredEither() throws {
        let (grant, token) = try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: 7 * day, now: start)
        let session = try #require(try grants.redeem(token: token, now: start + 1000))
        #expect(session.grant.id == grant.id)
        #expect(try grants.redeem(token: token, now: start + 2000) == nil, "a second use of the link")
        #expect(try grants.grant(forSession: session.session, now: start + 3000)?.id == grant.id)
        #expect(!(try fileText()).contains(session.session))
        #expect(try grants.list().first?.state(at: start + 3000) == "active")
        #expect(try grants.redeem(token: "not-a-token", now: start) == nil)
    }

    @Test func nothingWorksAfterTheGrantExpiresAndASessionEndsAfterTwelveHours() throws {
        let (_, token) = try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: day, now: start)
        #expect(try grants.redeem(token: token, now: start + day) == nil, "the link expired with its grant")

        let (_, second) = try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: 7 * day, now: start)
        let session = try #require(try grants.redeem(token: second, now: start))
        #expect(try grants.grant(forSession: session.session, now: start + ReviewGrants.sessionLifetime - 1) != nil)
        #expect(try grants.grant(forSession: session.session, now: start + ReviewGrants.sessionLifetime) == nil)

        let (_, short) = try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: 3_600_000, now: start)
        let brief = try #require(try grants.redeem(token: short, now: start))
        #expect(try grants.grant(forSession: brief.session, now: start + 3_600_000) == nil, "a session never outlives its grant")
    }

    @Test func revokingEndsTheLinkAndEverySessionAtOnce() throws {
        let (grant, token) = try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: 7 * day, now: start)
        let (_, unused) = try grants.grant(reviewer: "Sam", engagements: [engagement], lifetime: 7 * day, now: start)
        let session = try #require(try grants.redeem(token: token, now: start))
        // The operator's command, through another value over the same file, as another process would.
        let revoked = try ReviewGrants(directory: directory.path).revoke(grant.id, now: start + 10)
        #expect(revoked.revokedAt == start + 10 && revoked.state(at: start + 20) == "revoked")
        #expect(try grants.grant(forSession: session.session, now: start + 20) == nil)
        #expect(try grants.redeem(token: unused, now: start + 20) != nil, "other grants are untouched")
        #expect(throws: ReviewGrantError.unknownGrant("ffffffff")) { try grants.revoke("ffffffff", now: start) }
    }

    @Test func aGrantNeedsAReviewerAnEngagementAndATime() throws {
        #expect(throws: ReviewGrantError.self) { try grants.grant(reviewer: "  ", engagements: [engagement], lifetime: day, now: start) }
        #expect(throws: ReviewGrantError.self) { try grants.grant(reviewer: "Rita", engagements: [], lifetime: day, now: start) }
        #expect(throws: ReviewGrantError.self) { try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: 0, now: start) }
        #expect(try grants.list().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: grants.path), "nothing is written when nothing was granted")
    }

    @Test func grantsMadeAtOnceFromManyWritersAreAllKept() throws {
        let path = directory.path
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            _ = try? ReviewGrants(directory: path).grant(reviewer: "Reviewer \(index)", engagements: [engagement], lifetime: day, now: start)
        }
        let listed = try grants.list()
        #expect(listed.count == 16)
        #expect(Set(listed.map(\.reviewer)).count == 16)
        #expect(Set(listed.map(\.id)).count == 16)
    }

    @Test func aDamagedGrantsFileIsAClearErrorAndIsLeftAsItWas() throws {
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: grants.path))
        #expect {
            try grants.grant(reviewer: "Rita", engagements: [engagement], lifetime: day, now: start)
        } throws: { error in
            "\(error)".contains("not a grants file") && "\(error)".contains("move it away")
        }
        #expect(try fileText() == "{ not json")
    }
}
