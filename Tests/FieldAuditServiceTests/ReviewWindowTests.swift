import AuditModel
import AuditReports
import Crypto
import FieldAudit
@testable import FieldAuditService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Replication
import TestSupport
import Testing

/// The reviewers' window over HTTP, against a real server on 127.0.0.1 (Hummingbird's live
/// test framework): sign-in, refusals, headers, downloads, conflicts.
struct ReviewWindowTests {
    let fixture: CentralFixture
    var central: Replica { fixture.central }
    var helix: EntityID { fixture.helix }
    let grants: ReviewGrants
    static let policy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    init() throws {
        fixture = try CentralFixture(auditors: 2)
        grants = ReviewGrants(directory: fixture.central.location.directory)
    }

    func server() throws -> some ApplicationProtocol { try fixture.server() }

    /// A grant of Helix to Rita, and its token.
    func grantHelix() throws -> (grant: ReviewGrant, token: String) {
        try grants.grant(reviewer: "Rita Reviewer", engagements: [helix], lifetime: 86_400_000, now: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// Signs in with `token`; the `Cookie` header of the session.
    func signIn(_ client: some TestClientProtocol, token: String) async throws -> HTTPFields {
        let response = try await client.execute(uri: "/review/sign-in?token=\(token)", method: .get)
        #expect(response.status == .seeOther)
        #expect(response.headers[.location] == "/review/")
        let cookie = try #require(response.headers[.setCookie])
        let pair = try #require(cookie.split(separator: ";").first)
        return [.cookie: String(pair)]
    }

    func text(_ response: TestResponse) -> String { String(decoding: response.body.readableBytesView, as: UTF8.self) }

    /// Brings `from`'s changes that `to` lacks, by a bundle.
    func bring(_ from: Replica, to: Replica) throws {
        let path = fixture.directory.file("bundle-\(UUID().uuidString).fabundle")
        let holds = try to.vectorFile().versionVector(path: "vector")
        _ = try from.writeBundle(ExportRequest(peer: to.identity.id, peerHolds: holds), toNewFile: path)
        _ = try to.importBundle(at: path)
    }

    @Test func theSignInLinkWorksOnceAndSetsAnHttpOnlySecureStrictCookie() async throws {
        let (_, token) = try grantHelix()
        try await server().test(.live) { client in
            let response = try await client.execute(uri: "/review/sign-in?token=\(token)", method: .get)
            #expect(response.status == .seeOther)
            let cookie = try #require(response.headers[.setCookie])
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] { #expect(cookie.contains("; \(attribute)"), "\(cookie)") }
            #expect(!cookie.contains(token))
            let again = try await client.execute(uri: "/review/sign-in?token=\(token)", method: .get)
            #expect(again.status == .forbidden)
            #expect(again.headers[.setCookie] == nil)
            #expect(text(again).contains("This sign-in link does not work"))
        }
    }

    @Test func withoutASessionEveryPageAnswers401AndShowsNothingOfTheRecord() async throws {
        try await server().test(.live) { client in
            for path in ["/review/", "/review/e/\(helix)", "/review/e/\(helix)/findings", "/review/e/\(helix)/report"] {
                let response = try await client.execute(uri: path, method: .get, headers: [.cookie: "fieldaudit_review=forged"])
                #expect(response.status == .unauthorized, "\(path)")
                #expect(!text(response).contains("Helix"), "\(path)")
                #expect(text(response).contains("Sign in first"))
            }
        }
    }

    @Test func anEngagementNotGrantedAndOneThatDoesNotExistAnswerTheSame403Page() async throws {
        let (_, token) = try grantHelix()
        try await server().test(.live) { client in
            let cookie = try await signIn(client, token: token)
            let notGranted = try await client.execute(uri: "/review/e/\(fixture.other)", method: .get, headers: cookie)
            let missing = try await client.execute(uri: "/review/e/01890000-0000-7000-8000-000000000000", method: .get, headers: cookie)
            let garbage = try await client.execute(uri: "/review/e/\(String(helix.description.prefix(8)))", method: .get, headers: cookie)
            let subpage = try await client.execute(uri: "/review/e/\(fixture.other)/findings", method: .get, headers: cookie)
            for response in [notGranted, missing, garbage, subpage] { #expect(response.status == .forbidden) }
            #expect(notGranted.body == missing.body && missing.body == garbage.body && garbage.body == subpage.body)
            #expect(!text(notGranted).contains("Other Client"))
            let granted = try await client.execute(uri: "/review/e/\(helix)", method: .get, headers: cookie)
            #expect(granted.status == .ok)
            #expect(text(granted).contains("Helix Diagnostics Ltd"))
        }
    }

    @Test func revokingAGrantEndsItsSessionInTheRunningServer() async throws {
        let (grant, token) = try grantHelix()
        try await server().test(.live) { client in
            let cookie = try await signIn(client, token: token)
            #expect(try await client.execute(uri: "/review/", method: .get, headers: cookie).status == .ok)
            _ = try grants.revoke(grant.id, now: Int64(Date().timeIntervalSince1970 * 1000))
            #expect(try await client.execute(uri: "/review/", method: .get, headers: cookie).status == .unauthorized)
        }
    }

    @Test func everyAnswerCarriesTheStrictPolicyAndNoSniffAndTheReportsStyleIsAllowedByItsHash() async throws {
        let (_, token) = try grantHelix()
        try await server().test(.live) { client in
            let cookie = try await signIn(client, token: token)
            let pages = ["/review/", "/review/style.css", "/review/e/\(helix)", "/review/e/\(helix)/findings", "/review/e/\(helix)/evidence",
                         "/review/e/\(helix)/conflicts", "/review/e/\(helix)/history", "/review/e/\(helix)/downloads",
                         "/review/e/\(fixture.other)"]
            for path in pages {
                let response = try await client.execute(uri: path, method: .get, headers: cookie)
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!] == Self.policy, "\(path)")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(!text(response).contains("<script") && !text(response).contains("style=\""), "\(path)")
            }
            let report = try await client.execute(uri: "/review/e/\(helix)/report", method: .get, headers: cookie)
            #expect(report.status == .ok)
            let html = text(report)
            let css = try #require(html.firstMatch(of: /<style>([\s\S]*?)<\/style>/)).1
            let hash = Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString()
            #expect(report.headers[HTTPField.Name("Content-Security-Policy")!] == Self.policy.replacingOccurrences(of: "style-src 'self'", with: "style-src 'self' 'sha256-\(hash)'"))
            let csv = try await client.execute(uri: "/review/e/\(helix)/csv/findings.csv", method: .get, headers: cookie)
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"findings.csv\"; filename*=UTF-8''findings.csv")
            let oscal = try await client.execute(uri: "/review/e/\(helix)/oscal.json", method: .get, headers: cookie)
            #expect((try JSONSerialization.jsonObject(with: Data(oscal.body.readableBytesView)) as? [String: Any])?["assessment-results"] != nil)
        }
    }

    @Test func evidenceIsDownloadedAsAnAttachmentUnderASafeNameNeverAsHTML() async throws {
        let file = fixture.directory.file("page.html")
        let bytes = Data("<html><script>document.title='pwned'</script></html>".utf8)
        try bytes.write(to: URL(fileURLWithPath: file))
        let added = try #require(try central.addEvidence(files: [file], target: nil, ref: "6.1.2", description: "a page", engagement: nil).first)
        let hostileName = #"../"quoted" 'and'/slashed\evil.html"#
        try central.set(.text(hostileName), field: Evidence.Field.name.rawValue, of: added.id, kind: EntityKind.evidence.rawValue, engagement: helix)
        let (_, token) = try grantHelix()
        try await server().test(.live) { client in
            let cookie = try await signIn(client, token: token)
            let response = try await client.execute(uri: "/review/e/\(helix)/evidence/\(added.id)", method: .get, headers: cookie)
            #expect(response.status == .ok)
            #expect(Data(response.body.readableBytesView) == bytes)
            #expect(response.headers[.contentType] == "application/octet-stream")
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let disposition = try #require(response.headers[.contentDisposition])
            #expect(disposition.hasPrefix("attachment; filename=\""))
            let plain = try #require(disposition.firstMatch(of: /filename="([^"]*)"/)).1
            #expect(!plain.contains("/") && !plain.contains("\\") && !plain.hasPrefix("."), "\(disposition)")
            #expect(disposition.contains("filename*=UTF-8''"))
            let list = text(try await client.execute(uri: "/review/e/\(helix)/evidence", method: .get, headers: cookie))
            #expect(list.contains(HTMLReport.escape(hostileName)))
            let unknown = try await client.execute(uri: "/review/e/\(helix)/evidence/\(fixture.other)", method: .get, headers: cookie)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func theConflictsPageShowsEveryValueWithItsAuthor() async throws {
        let finding = try central.raiseFinding(
            grade: .minor, refs: ["6.1.2"], statement: "Risk criteria undefined", evidence: [], objectiveEvidence: "No criteria in the register",
            systems: [], engagement: nil)
        let (ben, cara) = (fixture.auditors[0], fixture.auditors[1])
        try bring(central, to: ben)
        try bring(central, to: cara)
        _ = try ben.editFinding(finding.description, Replica.FindingEdit(statement: "Ben: criteria <b>undefined</b>"), engagement: helix.description)
        _ = try cara.editFinding(finding.description, Replica.FindingEdit(statement: "Cara: criteria missing"), engagement: helix.description)
        try bring(ben, to: central)
        try bring(cara, to: central)
        let (_, token) = try grantHelix()
        try await server().test(.live) { client in
            let cookie = try await signIn(client, token: token)
            let page = text(try await client.execute(uri: "/review/e/\(helix)/conflicts", method: .get, headers: cookie))
            #expect(page.contains("Ben: criteria &lt;b&gt;undefined&lt;/b&gt;") && page.contains("Cara: criteria missing"))
            #expect(page.contains("Auditor 0") && page.contains("Auditor 1"))
            #expect(page.contains("<code>statement</code>"))
            let findings = text(try await client.execute(uri: "/review/e/\(helix)/findings", method: .get, headers: cookie))
            #expect(findings.contains("Fields in conflict: statement"))
            let history = text(try await client.execute(uri: "/review/e/\(helix)/history/\(finding)", method: .get, headers: cookie))
            #expect(history.contains("Risk criteria undefined") && history.contains("Cara: criteria missing") && history.contains("Central"))
        }
    }

    @Test func theOverviewShowsThePlanAndTheFindingsPageTheNonconformityRegisterWithItsFollowUpEscaped() async throws {
        let hostile = #"<img src=x onerror="alert(1)"> & 'co'"#
        try central.setPlan(PlanSettings(certificationBody: "Certa \(hostile)", accreditation: "UKAS 1234", certificateScope: "Design of AI diagnostics"), engagement: nil)
        _ = try central.addPlanItem(
            PlanItem.Draft(kind: .session, date: "2026-12-02", start: "09:00", end: "10:30", place: "Room \(hostile)", function: "Data science \(hostile)",
                           refs: ["6.1.2"], auditors: ["Auditor 0"]),
            engagement: nil)
        _ = try central.addPlanItem(PlanItem.Draft(kind: .stage1, point: "Point \(hostile)", followUp: "Followed \(hostile)"), engagement: nil)
        let finding = try central.raiseFinding(
            grade: .minor, refs: ["6.1.2"], statement: "Risk criteria undefined", evidence: [], objectiveEvidence: "No criteria in the register",
            systems: [], gradeJustification: "Justified \(hostile)", engagement: nil)
        #expect(try central.signOffFinding(finding.short, engagement: nil).label == "NC-01")
        _ = try central.recordFollowUp(.correction, "Correction \(hostile)", finding: "NC-01", engagement: nil)
        _ = try central.recordFollowUp(.rootCause, "Cause \(hostile)", finding: "NC-01", engagement: nil)
        let action = try central.addCorrectiveAction(finding: "NC-01", action: "Action \(hostile)", owner: "Owner \(hostile)", due: "2026-12-20", engagement: nil)
        _ = try central.completeCorrectiveAction(action.description, on: "2026-12-15", implementation: "Done \(hostile)", evidence: [], engagement: nil)
        _ = try central.verifyCorrectiveActions(finding: "NC-01", outcome: .accepted, reason: "Reason \(hostile)", evidence: [], engagement: nil)
        let late = try central.raiseFinding(
            grade: .major, refs: ["6.1.2"], statement: "No risk owner", evidence: [], objectiveEvidence: "The register names none",
            systems: [], gradeJustification: "The process is missing", engagement: nil)
        let duplicate = try central.raiseFinding(
            grade: .minor, refs: ["6.1.2"], statement: "Owners unnamed", evidence: [], objectiveEvidence: "Seen twice",
            systems: [], gradeJustification: "One lapse", engagement: nil)
        _ = try central.mergeFindings(keep: late.description, others: [duplicate.description], reason: "Same \(hostile)", engagement: nil)
        #expect(try central.signOffFinding(late.short, engagement: nil).label == "NC-02")
        _ = try central.addCorrectiveAction(finding: "NC-02", action: "Name owners", owner: "CEO", due: "2020-01-31", engagement: nil)
        let escaped = HTMLReport.escape(hostile)
        let (_, token) = try grantHelix()
        try await server().test(.live) { client in
            let cookie = try await signIn(client, token: token)
            let overview = text(try await client.execute(uri: "/review/e/\(helix)", method: .get, headers: cookie))
            for shown in ["Certa \(escaped)", "UKAS 1234", "Design of AI diagnostics", "2026-12-02 09:00–10:30", "Room \(escaped)",
                          "Data science \(escaped)", "Point \(escaped)", "Followed \(escaped)", "not-started"] {
                #expect(overview.contains(shown), "\(shown)")
            }
            #expect(!overview.contains("No audit plan is recorded"))
            let findings = text(try await client.execute(uri: "/review/e/\(helix)/findings", method: .get, headers: cookie))
            for shown in ["NC-01", "Justified \(escaped)", "signed off by Central", "Correction \(escaped)", "Cause \(escaped)",
                          "Action \(escaped)", "Owner \(escaped)", "2026-12-20", "2026-12-15: Done \(escaped)", "accepted by Central",
                          "Reason \(escaped)", "closed", "finding \(duplicate.short) merged into NC-02", "Same \(escaped)"] {
                #expect(findings.contains(shown), "\(shown)")
            }
            for page in [overview, findings] { #expect(!page.contains("<img")) }
            #expect(!findings.contains("Changed since sign-off"))
            #expect(findings.contains("2020-01-31 <strong>(overdue)</strong>") && findings.components(separatedBy: "(overdue)</strong>").count == 2,
                    "only NC-02's action, not yet done and past its due date, is overdue")
        }
        // An edit after sign-off shows on the page.
        _ = try central.editFinding(finding.short, Replica.FindingEdit(statement: "Reworded"), engagement: nil)
        try await server().test(.live) { client in
            let (_, again) = try grantHelix()
            let cookie = try await signIn(client, token: again)
            let findings = text(try await client.execute(uri: "/review/e/\(helix)/findings", method: .get, headers: cookie))
            #expect(findings.contains("Changed since sign-off") && findings.contains("needs a new sign-off"))
        }
    }
}

/// The evidence reader the downloads use: a damaged file never yields its last piece.
struct EvidenceReaderTests {
    @Test func aFileThatNoLongerHashesToItsDigestIsCutShortBeforeItsLastPiece() throws {
        let fixture = try CentralFixture()
        let file = fixture.directory.file("big.bin")
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: file))
        let added = try #require(try fixture.central.addEvidence(files: [file], target: nil, ref: "6.1.2", description: nil, engagement: nil).first)

        let intact = try fixture.central.openEvidence(added.id.description, engagement: fixture.helix)
        var read = Data()
        while let piece = try intact.next() { read.append(piece) }
        #expect(read == bytes)

        let hex = added.digest.hex
        let blob = "\(fixture.central.location.blobs)/\(hex.prefix(2))/\(hex.dropFirst(2))"
        var damaged = bytes
        damaged[150_000] ^= 0xFF
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: blob)
        try damaged.write(to: URL(fileURLWithPath: blob))
        let reader = try fixture.central.openEvidence(added.id.description, engagement: fixture.helix)
        var sent = Data()
        #expect {
            while let piece = try reader.next() { sent.append(piece) }
        } throws: { error in
            guard case .store(.blobCorrupt(hex)) = error as? FieldAuditError else { return false }
            return true
        }
        #expect(sent.count < bytes.count)
    }
}

/// The pages' templates: one escaping rule, declared by every template.
struct ReviewTemplatesTests {
    @Test func everyTemplateEscapesWithTheReportsRule() throws {
        let hostile = #"<script>alert('x')</script> & "quoted" <a href="javascript:x">"#
        let page = ReviewTemplates.page("message", title: hostile, reviewer: hostile, values: ["heading": hostile, "message": hostile])
        #expect(page.components(separatedBy: HTMLReport.escape(hostile)).count == 5, "title, reviewer, heading and message, each escaped")
        #expect(!page.contains("<script>") && !page.contains("href=\"javascript"))
        for (name, text) in ReviewTemplates.sources {
            #expect(ReviewTemplates.library.getTemplate(named: name) != nil, "\(name) does not parse")
            #expect(text.hasPrefix("{{% CONTENT_TYPE: FIELDAUDIT_HTML}}"), "\(name) does not declare the escaping rule")
            #expect(!text.contains("<script") && !text.contains("style=") && text.firstMatch(of: /\son[a-z]+=/) == nil, "\(name)")
        }
    }
}
