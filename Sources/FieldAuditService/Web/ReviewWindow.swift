import AuditModel
import AuditReports
import Crypto
import FieldAudit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Replication

/// The reviewers' window: read-only HTML pages of the central repository under `/review/`, for
/// the technical reviewer and the decision-maker (ISO/IEC 17021-1 §9.5), who sign in with a
/// one-time link from `fieldaudit serve grant` and read only the engagements granted to them.
///
/// Not part of the sync protocol (Sync/PROTOCOL.md, part three). Every page is server-rendered,
/// without JavaScript, under a strict Content-Security-Policy; an engagement not granted answers
/// 403 with one page whether or not it exists; evidence files are downloaded as attachments,
/// re-hashed as they are sent. Every read goes through `Replica`.
public struct ReviewWindow: Sendable {
    let central: CentralReplica
    let grants: ReviewGrants
    let logger: Logger
    let now: @Sendable () -> Date

    /// The policy every page is sent with: nothing but the server's own stylesheet and images,
    /// forms posting to the server, no framing, no base URL.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    /// The session cookie's name.
    public static let cookieName = "fieldaudit_review"

    /// The window over `central`, its grants in the central's directory.
    public init(central: CentralReplica, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.central = central
        self.grants = ReviewGrants(directory: central.replica.location.directory)
        self.logger = logger
        self.now = now
    }

    /// Adds the window's routes (all under `/review/`) to the central's router.
    public func register(on router: Router<CentralRequestContext>) {
        router.get("review/style.css") { _, _ in self.stylesheet() }
        router.get("review/sign-in") { request, _ in await self.signIn(request) }
        router.post("review/sign-out") { request, _ in await self.signOut(request) }
        router.get("review") { request, _ in await self.page(request) { grant in try await self.engagements(grant) } }
        router.get("review/e/:engagement") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.overview(grant, id) }
        }
        router.get("review/e/:engagement/findings") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.findings(grant, id) }
        }
        router.get("review/e/:engagement/evidence") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.evidenceList(grant, id) }
        }
        router.get("review/e/:engagement/evidence/:evidence") { request, context in
            await self.engagementPage(request, context) { _, id in try await self.download(evidence: context.parameters.get("evidence") ?? "", in: id) }
        }
        router.get("review/e/:engagement/conflicts") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.conflicts(grant, id) }
        }
        router.get("review/e/:engagement/history") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.history(grant, id, entity: nil) }
        }
        router.get("review/e/:engagement/history/:entity") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.history(grant, id, entity: context.parameters.get("entity")) }
        }
        router.get("review/e/:engagement/downloads") { request, context in
            await self.engagementPage(request, context) { grant, id in try await self.downloads(grant, id) }
        }
        router.get("review/e/:engagement/report") { request, context in
            await self.engagementPage(request, context) { _, id in try await self.report(id) }
        }
        router.get("review/e/:engagement/oscal.json") { request, context in
            await self.engagementPage(request, context) { _, id in try await self.oscal(id) }
        }
        router.get("review/e/:engagement/csv/:table") { request, context in
            await self.engagementPage(request, context) { _, id in try await self.csv(id, table: context.parameters.get("table") ?? "") }
        }
    }

    // MARK: - Sign-in

    /// `GET /review/sign-in?token=…`: spends the one-time token, sets the session cookie and
    /// sends the browser to the engagement list; a token that does not work answers 403.
    func signIn(_ request: Request) async -> Response {
        let token = request.uri.queryParameters.get("token") ?? ""
        do {
            guard !token.isEmpty, let (secret, grant) = try grants.redeem(token: token, now: milliseconds()) else {
                return message(
                    status: .forbidden, reviewer: nil, heading: "This sign-in link does not work",
                    text: "It was used already, has expired, or was revoked: each link signs in once.",
                    next: "Ask the central's operator for a new link (`fieldaudit serve grant`).")
            }
            let maxAge = max(0, (min(grant.expiresAt, milliseconds() + ReviewGrants.sessionLifetime) - milliseconds()) / 1000)
            logger.info("review sign-in", metadata: ["grant": .string(grant.id), "reviewer": .string(DisplayText.shown(grant.reviewer))])
            var headers = Self.pageHeaders(contentType: "text/html; charset=utf-8")
            headers[.location] = "/review/"
            headers[.setCookie] = "\(Self.cookieName)=\(secret); Max-Age=\(maxAge); Path=/; HttpOnly; Secure; SameSite=Strict"
            return Response(status: .seeOther, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "")))
        } catch {
            return failure(error)
        }
    }

    /// `POST /review/sign-out`: ends the session and clears the cookie.
    func signOut(_ request: Request) async -> Response {
        if let secret = request.cookies[Self.cookieName]?.value { try? grants.endSession(secret) }
        var response = message(status: .ok, reviewer: nil, heading: "Signed out", text: "Your session has ended.", next: "Sign in again with a new link from the operator.")
        response.headers[.setCookie] = "\(Self.cookieName)=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict"
        return response
    }

    // MARK: - Access

    /// A page for a signed-in reviewer; 401 without a live session.
    func page(_ request: Request, _ body: (ReviewGrant) async throws -> Response) async -> Response {
        do {
            guard let grant = try session(request) else { return notSignedIn() }
            return try await body(grant)
        } catch {
            return failure(error)
        }
    }

    /// A page of one engagement: 403, with one and the same page, unless the engagement is
    /// granted (whether it exists is never looked up before that).
    func engagementPage(_ request: Request, _ context: CentralRequestContext, _ body: (ReviewGrant, EntityID) async throws -> Response) async -> Response {
        await page(request) { grant in
            let wanted = context.parameters.get("engagement") ?? ""
            guard grant.engagements.contains(wanted), let id = try? EntityID(wanted) else { return notGranted(grant) }
            guard try await central.read({ replica throws(FieldAuditError) in try replica.engagements().contains { $0.id == id } }) else {
                return message(
                    status: .notFound, reviewer: grant.reviewer, heading: "Not at the central yet",
                    text: "This engagement was granted to you, but the central repository holds none of it now.",
                    next: "It appears once a member of the audit team syncs it.")
            }
            return try await body(grant, id)
        }
    }

    /// The live grant behind the request's session cookie.
    func session(_ request: Request) throws(ReviewGrantError) -> ReviewGrant? {
        guard let secret = request.cookies[Self.cookieName]?.value, !secret.isEmpty else { return nil }
        return try grants.grant(forSession: secret, now: milliseconds())
    }

    func notSignedIn() -> Response {
        message(
            status: .unauthorized, reviewer: nil, heading: "Sign in first",
            text: "These pages need a session: open the sign-in link the central's operator gave you.",
            next: "A link works once; if yours was used or has expired, ask for a new one.")
    }

    func notGranted(_ grant: ReviewGrant) -> Response {
        message(
            status: .forbidden, reviewer: grant.reviewer, heading: "Not available to you",
            text: "You have not been granted this engagement.",
            next: "The engagements you may review are on the first page; ask the central's operator for access to others.")
    }

    // MARK: - Pages

    func engagements(_ grant: ReviewGrant) async throws -> Response {
        let granted = Set(grant.engagements)
        let expires = SiteTime.utc.dateTime(grant.expiresAt)
        let html = try await central.read { replica throws(FieldAuditError) in
            let rows: [[String: Any]] = try replica.engagements().filter { granted.contains($0.id.description) }.map { engagement in
                [
                    "id": engagement.id.description, "short": engagement.id.short, "client": engagement.client,
                    "type": engagement.auditType?.title ?? "—", "status": engagement.status.rawValue,
                    "dates": [engagement.startDate, engagement.endDate].compactMap { $0 }.joined(separator: " – "),
                ]
            }
            return ReviewTemplates.page(
                "engagements", title: "Engagements", reviewer: grant.reviewer,
                values: ["engagements": rows, "hasEngagements": !rows.isEmpty, "expires": expires])
        }
        return htmlPage(html)
    }

    func overview(_ grant: ReviewGrant, _ id: EntityID) async throws -> Response {
        let html = try await central.read { replica throws(FieldAuditError) in
            let status = try replica.status(engagement: id.description)
            let record = status.record
            let engagement = record.engagement
            var facts: [(String, String)] = [
                ("Client", engagement.client), ("Address", engagement.address ?? "—"), ("Standard", engagement.standard),
                ("Audit type", engagement.auditType?.title ?? "—"), ("Scope", engagement.scope ?? "—"),
                ("Sites", engagement.sites.isEmpty ? "—" : engagement.sites.joined(separator: "; ")),
                ("Dates", [engagement.startDate, engagement.endDate].compactMap { $0 }.joined(separator: " – ")),
                ("Time zone", engagement.siteTime.description),
                ("Criteria", engagement.criteria ?? "—"), ("Objectives", engagement.objectives ?? "—"),
                ("Status", engagement.status.rawValue), ("Lead", engagement.lead.map(record.memberName) ?? "—"),
            ]
            if let recommendation = engagement.recommendation { facts.append(("Recommendation", recommendation.title)) }
            if let conclusion = engagement.conclusion { facts.append(("Conclusion", conclusion)) }
            if let closedAt = engagement.closedAt { facts.append(("Closed", record.engagement.siteTime.dateTime(closedAt))) }
            var alerts: [String] = []
            if status.conflicts > 0 { alerts.append("\(status.conflicts) field\(status.conflicts == 1 ? " is" : "s are") in conflict: see Conflicts.") }
            if !status.late.isEmpty { alerts.append("\(status.late.count) change\(status.late.count == 1 ? "" : "s") arrived after closing: see Conflicts.") }
            let unsigned = record.findings.filter { !$0.isSignedOff }.count
            if unsigned > 0 { alerts.append("\(unsigned) finding\(unsigned == 1 ? " is" : "s are") not signed off.") }
            let clauses = status.coverage.tally(.clause), controls = status.coverage.tally(.control)
            let summary = "Clauses: \(clauses.concluded) concluded, \(clauses.examined) examined without a conclusion, \(clauses.notExamined) not examined, of \(clauses.of). Annex A controls: \(controls.concluded) concluded, \(controls.examined) examined, \(controls.notExamined) not examined, of \(controls.of) applicable."
            let coverage: [[String: Any]] = status.coverage.rows.map { row in
                [
                    "ref": row.ref, "title": row.title, "state": row.state.rawValue, "examined": row.examined,
                    "applies": row.applicable.map { $0 ? "yes" : "no" } ?? "not declared",
                    "result": row.state == .concluded ? row.result : "—", "by": row.workedOnBy.joined(separator: ", "),
                ]
            }
            let members: [[String: Any]] = record.members.map {
                ["name": $0.name, "role": $0.role?.rawValue ?? "—", "replica": $0.replica?.short ?? "—"]
            }
            let interviews: [[String: Any]] = record.interviews.map { interview in
                [
                    "who": interview.interviewee + (interview.role.map { " (\($0))" } ?? ""), "topics": interview.topics.joined(separator: ", "),
                    "by": interview.auditors.joined(separator: ", "), "when": record.engagement.siteTime.dateTime(interview.startedAt),
                    "notes": "\(record.notes.filter { $0.interview == interview.id }.count)",
                ]
            }
            let values: [String: Any] = [
                "facts": facts.map { ["label": $0.0, "value": $0.1] }, "alerts": alerts, "hasAlerts": !alerts.isEmpty,
                "members": members, "interviews": interviews, "hasInterviews": !interviews.isEmpty,
                "coverage": coverage, "coverageSummary": summary,
            ]
            return Self.engagementPage("overview", title: engagement.client, crumb: nil, record: record, grant: grant,
                values: values.merging(Self.planValues(record)) { first, _ in first })
        }
        return htmlPage(html)
    }

    func findings(_ grant: ReviewGrant, _ id: EntityID) async throws -> Response {
        let html = try await central.read { replica throws(FieldAuditError) in
            let record = try replica.record(of: id)
            let today = record.engagement.siteTime.day(self.milliseconds())
            let findings: [[String: Any]] = record.findings.map { finding in
                let grades = record.conflictingTexts(of: finding.id, Finding.Field.grade.rawValue)
                let grade = grades.map { "\($0.joined(separator: " / ")) (in conflict)" } ?? finding.grade?.title ?? "not graded"
                let linked = record.evidence(behind: finding)
                let onRequirements = finding.refs.flatMap { ref in
                    record.evidence.filter { $0.ref == ref } + record.evidence(linkedTo: ref)
                }.filter { item in !linked.contains(item) }
                let evidence: [[String: Any]] = linked.map { Self.evidenceItem($0, engagement: id) }
                let requirementEvidence: [[String: Any]] = onRequirements.reduce(into: [Evidence]()) { unique, item in
                    if !unique.contains(item) { unique.append(item) }
                }.map { Self.evidenceItem($0, engagement: id) }
                return [
                    "id": finding.id.description, "short": finding.id.short, "engagement": id.description, "grade": grade,
                    "refs": finding.refs.joined(separator: ", "),
                    "statements": finding.statementVersions.isEmpty ? [finding.statement] : finding.statementVersions,
                    "objectiveEvidence": finding.objectiveEvidence ?? "—", "evidence": evidence, "hasEvidence": !evidence.isEmpty,
                    "requirementEvidence": requirementEvidence, "hasRequirementEvidence": !requirementEvidence.isEmpty,
                    "discussed": finding.discussed ? "yes" : "no", "position": finding.auditeePosition ?? "—",
                    "raisedBy": finding.contributors.isEmpty ? "—" : finding.contributors.joined(separator: ", "), "status": finding.status.rawValue,
                    "conflicts": finding.conflicts.joined(separator: ", "), "hasConflicts": !finding.conflicts.isEmpty,
                ].merging(Self.nonconformityValues(finding, in: record, today: today)) { first, _ in first }
            }
            return Self.engagementPage("findings", title: "Findings · \(record.engagement.client)", crumb: "Findings", record: record, grant: grant,
                values: ["findings": findings, "hasFindings": !findings.isEmpty])
        }
        return htmlPage(html)
    }

    func evidenceList(_ grant: ReviewGrant, _ id: EntityID) async throws -> Response {
        let html = try await central.read { replica throws(FieldAuditError) in
            let record = try replica.record(of: id)
            let evidence: [[String: Any]] = record.evidence.map { item in
                let supports = record.links.filter { $0.evidence == item.id }.map { link in
                    link.targetKind == "requirement" ? link.target : "\(link.targetKind) \(link.target.suffix(8))"
                } + (item.ref.map { ["requirement \($0)"] } ?? [])
                return [
                    "id": item.id.description, "engagement": id.description, "name": item.name, "description": item.description ?? "—",
                    "supports": supports.joined(separator: ", "), "capturedBy": item.capturedBy ?? "—", "capturedAt": record.engagement.siteTime.dateTime(item.capturedAt),
                    "size": Self.bytes(item.size), "digest": item.digest?.hex ?? "—",
                    "held": item.digest.map(replica.holdsEvidence) ?? false,
                ]
            }
            return Self.engagementPage("evidence", title: "Evidence · \(record.engagement.client)", crumb: "Evidence", record: record, grant: grant,
                values: ["evidence": evidence, "hasEvidence": !evidence.isEmpty])
        }
        return htmlPage(html)
    }

    func conflicts(_ grant: ReviewGrant, _ id: EntityID) async throws -> Response {
        let html = try await central.read { replica throws(FieldAuditError) in
            let record = try replica.record(of: id)
            let conflicts: [[String: Any]] = try replica.conflicts(engagement: id.description).map { conflict in
                [
                    "kind": conflict.kind, "id": conflict.entity.description, "short": conflict.entity.short, "field": conflict.field,
                    "engagement": id.description,
                    "values": conflict.values.enumerated().map { index, value -> [String: Any] in
                        [
                            "number": "\(index + 1)", "value": Self.text(value.value), "author": value.author,
                            "when": record.engagement.siteTime.dateTime(Int64(value.stamp.milliseconds)), "change": value.change.description,
                        ]
                    },
                ]
            }
            let late: [[String: Any]] = try replica.lateChanges(in: record).map { change in
                [
                    "change": change.change, "author": change.author, "when": record.engagement.siteTime.dateTime(change.at), "kind": change.kind,
                    "id": change.entity.description, "short": change.entity.short, "field": change.field, "value": change.value,
                    "engagement": id.description,
                ]
            }
            return Self.engagementPage("conflicts", title: "Conflicts · \(record.engagement.client)", crumb: "Conflicts", record: record, grant: grant, values: [
                    "conflicts": conflicts, "hasConflicts": !conflicts.isEmpty, "late": late, "hasLate": !late.isEmpty,
                ])
        }
        return htmlPage(html)
    }

    func history(_ grant: ReviewGrant, _ id: EntityID, entity: String?) async throws -> Response {
        if let entity, (try? EntityID(entity)) == nil { return notFound(grant, what: "entity") }
        let html = try await central.read { replica throws(FieldAuditError) -> String? in
            let record = try replica.record(of: id)
            let entries: [HistoryEntry]
            do throws(FieldAuditError) {
                entries = try replica.log(entity: entity, engagement: id.description, limit: 200)
            } catch {
                guard case .notFound = error else { throw error }
                return nil
            }
            let rows: [[String: Any]] = entries.map { entry in
                [
                    "when": record.engagement.siteTime.dateTime(Int64(entry.change.stamp.milliseconds)), "author": entry.author, "origin": entry.change.origin.short,
                    "change": entry.change.id.description, "kind": entry.change.kind, "id": entry.change.entity.description,
                    "short": entry.change.entity.short, "field": entry.change.field, "value": Self.text(entry.change.value),
                    "engagement": id.description,
                ]
            }
            let kind = entries.first?.change.kind ?? "entity"
            let heading = entity == nil ? "Latest changes" : "History of \(kind) \(String(entity!.filter { $0 != "-" }.suffix(8)))"
            let explanation = entity == nil
                ? "The engagement's latest 200 changes, oldest first: who wrote what, when, from which replica. Follow an entity for its whole history."
                : "Every change to this \(kind), oldest first, as every replica that holds them agrees."
            return Self.engagementPage("history", title: "\(heading) · \(record.engagement.client)", crumb: heading, record: record, grant: grant, values: [
                    "entries": rows, "heading": heading, "explanation": explanation,
                ])
        }
        guard let html else { return notFound(grant, what: "entity") }
        return htmlPage(html)
    }

    func downloads(_ grant: ReviewGrant, _ id: EntityID) async throws -> Response {
        let html = try await central.read { replica throws(FieldAuditError) in
            let record = try replica.record(of: id, kinds: [])
            return Self.engagementPage("downloads", title: "Report · \(record.engagement.client)", crumb: "Report and downloads", record: record, grant: grant,
                values: ["tables": CSVExport.fileNames.map { ["name": $0] }])
        }
        return htmlPage(html)
    }

    // MARK: - The report and downloads

    /// The report as `report --format html` writes it; its one inline stylesheet is allowed by
    /// its hash, so the policy stays as strict as the other pages'.
    func report(_ id: EntityID) async throws -> Response {
        let html = try await central.read { replica throws(FieldAuditError) in
            let source = try replica.reportSource(engagement: id.description, generator: "fieldaudit serve")
            return HTMLReport.render(source.record, context: source.context)
        }
        var headers = Self.pageHeaders(contentType: "text/html; charset=utf-8")
        headers[HTTPField.Name("Content-Security-Policy")!] = Self.policy(allowingStylesIn: html)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The content security policy, with the hashes of `html`'s inline `<style>` elements allowed.
    static func policy(allowingStylesIn html: String) -> String {
        var hashes: [String] = []
        var rest = html[...]
        while let open = rest.range(of: "<style>"), let close = rest.range(of: "</style>", range: open.upperBound..<rest.endIndex) {
            let css = Data(rest[open.upperBound..<close.lowerBound].utf8)
            hashes.append("'sha256-\(Data(SHA256.hash(data: css)).base64EncodedString())'")
            rest = rest[close.upperBound...]
        }
        return contentSecurityPolicy.replacingOccurrences(of: "style-src 'self'", with: (["style-src 'self'"] + hashes).joined(separator: " "))
    }

    func oscal(_ id: EntityID) async throws -> Response {
        let (data, client) = try await central.read { replica throws(FieldAuditError) in
            let source = try replica.reportSource(engagement: id.description, generator: "fieldaudit serve")
            return (OSCALAssessmentResults.document(source.record, context: source.context), source.record.engagement.client)
        }
        return attachment(data, name: OutputFile.fileName([client, "assessment-results"], extension: "json"), type: "application/json")
    }

    func csv(_ id: EntityID, table: String) async throws -> Response {
        guard CSVExport.fileNames.contains(table) else {
            return message(status: .notFound, reviewer: nil, heading: "No such table", text: "The tables are \(CSVExport.fileNames.joined(separator: ", ")).", next: nil)
        }
        let text = try await central.read { replica throws(FieldAuditError) in
            let source = try replica.reportSource(engagement: id.description, generator: "fieldaudit serve")
            return CSVExport.tables(source.record, context: source.context)[table] ?? ""
        }
        return attachment(Data(text.utf8), name: table, type: "text/csv; charset=utf-8")
    }

    /// An evidence file as an attachment, streamed and re-hashed as it is sent: if the bytes do
    /// not hash to the recorded digest the transfer is cut short before its last piece (the
    /// browser reports a failed download) and the central logs it.
    func download(evidence reference: String, in id: EntityID) async throws -> Response {
        guard (try? EntityID(reference)) != nil else {
            return message(status: .notFound, reviewer: nil, heading: "No such evidence", text: "This engagement has no evidence with that id.", next: nil)
        }
        let reader: EvidenceReader
        do {
            reader = try await central.read { replica throws(FieldAuditError) in try replica.openEvidence(reference, engagement: id) }
        } catch {
            switch error {
            case .notFound:
                return message(status: .notFound, reviewer: nil, heading: "No such evidence", text: "This engagement has no evidence with that id.", next: nil)
            case .store(.blobMissing):
                return message(status: .notFound, reviewer: nil, heading: "File not held", text: "The central holds this evidence's record but not its file yet.", next: "It arrives when the auditor who captured it syncs.")
            default: throw error
            }
        }
        let logger = logger
        var headers = Self.pageHeaders(contentType: "application/octet-stream")
        headers[.contentDisposition] = Self.contentDisposition(reader.evidence.name, fallback: "evidence-\(reader.evidence.id.short)")
        let body = ResponseBody(contentLength: Int(reader.size)) { writer in
            while true {
                let piece: Data?
                do throws(FieldAuditError) {
                    piece = try reader.next()
                } catch {
                    logger.error("evidence download aborted: \(DisplayText.guarded(error.description)) (evidence \(reader.evidence.id.short))")
                    throw error
                }
                guard let piece else { break }
                try await writer.write(ByteBuffer(bytes: piece))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `attachment` with an ASCII file name made safe (`OutputFile.safeName`) and the name as the
    /// auditor recorded it in RFC 5987 form (percent-encoded UTF-8).
    static func contentDisposition(_ name: String, fallback: String) -> String {
        let safe = OutputFile.safeName(name, fallback: fallback)
        let ascii = String(safe.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0 != ";" ? Character($0) : "_" })
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~")).subtracting(CharacterSet(charactersIn: "\u{80}"..."\u{10FFFF}"))
        let encoded = safe.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    // MARK: - Answers

    func attachment(_ data: Data, name: String, type: String) -> Response {
        var headers = Self.pageHeaders(contentType: type)
        headers[.contentDisposition] = Self.contentDisposition(name, fallback: "download")
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func stylesheet() -> Response {
        var headers = Self.pageHeaders(contentType: "text/css; charset=utf-8")
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: ReviewTemplates.stylesheet)))
    }

    func htmlPage(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: Self.pageHeaders(contentType: "text/html; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func message(status: HTTPResponse.Status, reviewer: String?, heading: String, text: String, next: String?) -> Response {
        var values: [String: Any] = ["heading": heading, "message": text]
        if let next { values["next"] = next }
        return htmlPage(ReviewTemplates.page("message", title: heading, reviewer: reviewer, values: values), status: status)
    }

    func notFound(_ grant: ReviewGrant, what: String) -> Response {
        message(status: .notFound, reviewer: grant.reviewer, heading: "Not found", text: "This engagement has no \(what) with that id.", next: nil)
    }

    /// A page for an error the pages did not expect (logged; the reviewer sees no detail).
    func failure(_ error: any Error) -> Response {
        logger.error("review page failed: \(DisplayText.guarded("\(error)"))")
        return message(
            status: .internalServerError, reviewer: nil, heading: "Something went wrong",
            text: "The central could not answer this page; the error is in its log.", next: "Try again; if it persists, tell the central's operator.")
    }

    /// Headers of every answer of the window: the policy, no sniffing, no framing, no referrer
    /// (a sign-in link's token never leaves in a Referer), no caching of a reviewer's pages.
    static func pageHeaders(contentType: String) -> HTTPFields {
        [
            .contentType: contentType,
            HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            .cacheControl: "no-store",
        ]
    }

    // MARK: - Formatting

    /// What every engagement page's template reads: the client, the id and the tabs.
    static func common(_ record: EngagementRecord, tab: String) -> [String: Any] {
        let base = "/review/e/\(record.engagement.id)"
        let tabs: [(String, String, String)] = [
            ("overview", "Overview", base), ("findings", "Findings", base + "/findings"), ("evidence", "Evidence", base + "/evidence"),
            ("conflicts", "Conflicts and late changes", base + "/conflicts"), ("history", "History", base + "/history"),
            ("downloads", "Report and downloads", base + "/downloads"),
        ]
        return [
            "client": record.engagement.client, "engagement": record.engagement.id.description,
            "tabs": tabs.map { key, label, href -> [String: Any] in ["label": label, "href": href, "current": key == tab] },
        ]
    }

    /// A page of one engagement: its template (named as its tab) with the client, the tabs and the breadcrumbs.
    static func engagementPage(
        _ template: String, title: String, crumb: String?, record: EngagementRecord, grant: ReviewGrant, values: [String: Any]
    ) -> String {
        ReviewTemplates.page(
            template, title: title, reviewer: grant.reviewer, values: common(record, tab: template).merging(values) { _, new in new },
            breadcrumbs: crumbs(record, crumb))
    }

    static func crumbs(_ record: EngagementRecord, _ here: String?) -> [[String: Any]] {
        var crumbs: [[String: Any]] = [["label": "Engagements", "href": "/review/"]]
        if let here {
            crumbs.append(["label": record.engagement.client, "href": "/review/e/\(record.engagement.id)"])
            crumbs.append(["label": here])
        } else {
            crumbs.append(["label": record.engagement.client])
        }
        return crumbs
    }

    static func evidenceItem(_ evidence: Evidence, engagement: EntityID) -> [String: Any] {
        ["id": evidence.id.description, "name": evidence.name, "size": Self.bytes(evidence.size), "engagement": engagement.description]
    }

    static func text(_ value: Value) -> String { value.text ?? value.description }

    static func bytes(_ size: Int64) -> String {
        size < 1024 ? "\(size) B" : size < 1 << 20 ? String(format: "%.1f KiB", Double(size) / 1024) : String(format: "%.1f MiB", Double(size) / 1_048_576)
    }

    func milliseconds() -> Int64 { Int64(now().timeIntervalSince1970 * 1000) }
}
