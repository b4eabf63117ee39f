import FieldAudit
import Foundation
import HTTPTypes
import Hummingbird
import Replication

extension CentralServer {
    /// `GET /v1/identity`, unsigned: the central's identity card, as `whoami --card` writes it;
    /// with `?challenge=` (64 hex digits), the header `FieldAudit-Proof` signs it with the card's
    /// key (`IdentityProof`), proving the server holds that key.
    func identity(_ request: Request) throws -> Response {
        var response = json(central.replica.card.encoded())
        if let challenge = request.uri.queryParameters.get(IdentityProof.parameter) {
            guard IdentityProof.isWellFormed(challenge: challenge) else {
                throw ServiceError.badRequest(reason: "the challenge is not 64 lowercase hex digits (32 random bytes)")
            }
            response.headers[HTTPField.Name(IdentityProof.header)!] = IdentityProof.sign(challenge: challenge, by: central.replica.identity)
        }
        return response
    }

    /// `GET /v1/vector`: the central's vector file, as `fieldaudit vector` writes it, signed for
    /// the request that asked (`AnswerProof`).
    func vector(_ request: Request, context: CentralRequestContext) async throws -> Response {
        let (signature, _) = try await admit(request, context: context)
        try RequestAuthenticator.confirm(signature, bodyDigest: RequestSignature.digest(of: Data()))
        let file = try await central.read { replica throws(FieldAuditError) in try replica.vectorFile() }
        let body = file.encoded()
        var response = json(body)
        response.headers[HTTPField.Name(AnswerProof.header)!] = AnswerProof.sign(body: body, nonce: signature.nonce, by: central.replica.identity)
        return response
    }

    /// `POST /v1/pull`: body the laptop's vector file; answers the bundle `fieldaudit export --for
    /// LAPTOP --since VECTOR` writes: what the laptop lacks, in full only for the engagements its
    /// key may read, and its own changes beyond what its vector holds (a laptop restored from an
    /// older backup gets them back before it writes again).
    func pull(_ request: Request, context: CentralRequestContext) async throws -> Response {
        try refuseDeclaredLength(request, beyond: configuration.maxVector)
        let (signature, client) = try await admit(request, context: context)
        let body = try await UploadSpool.collect(request.body, limit: configuration.maxVector)
        context.account.bytesIn = Int64(body.count)
        try RequestAuthenticator.confirm(signature, bodyDigest: RequestSignature.digest(of: body))
        let holds: VersionVector
        do throws(FieldAuditError) {
            holds = try VectorFile.decode(body, source: "the request's vector").versionVector(path: "the request's vector")
        } catch {
            throw ServiceError.badRequest(reason: error.description)
        }
        let path = scratchFile("fabundle")
        let summary: ExportSummary
        do throws(FieldAuditError) {
            // A read: it runs beside the imports in progress (CentralReplica), seeing the store as
            // their last commit left it.
            summary = try await central.read { replica throws(FieldAuditError) in
                var export = ExportRequest(peer: client, peerHolds: holds)
                export.returnsPeerChanges = true
                return try replica.writeBundle(export, toNewFile: path)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw ServiceError.refusal(of: error, shownAs: "the pulled bundle", scratch: path)
        }
        return try stream(removing: path, length: Int(summary.bytes), headers: [
            .contentType: Self.bundleMediaType,
            HTTPField.Name("FieldAudit-Changes")!: "\(summary.changes)",
            HTTPField.Name("FieldAudit-Withheld")!: "\(summary.withheld)",
        ])
    }

    /// `POST /v1/push`: body a bundle, admitted from its headers (signature over the declared
    /// digest, and a free upload slot) before any of it is read; streamed to a scratch file
    /// (refused with 413 beyond the limit) and checked against the digest, then imported by the
    /// import's rules; answers the import summary.
    func push(_ request: Request, context: CentralRequestContext) async throws -> Response {
        try refuseDeclaredLength(request, beyond: configuration.maxUpload)
        let (signature, _) = try await admit(request, context: context)
        return try await uploads.admit(signature.publicKey) {
            let path = scratchFile("fabundle")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let spooled = try await UploadSpool.spool(request.body, to: path, limit: configuration.maxUpload)
            context.account.bytesIn = spooled.length
            try RequestAuthenticator.confirm(signature, bodyDigest: spooled.digest)
            var summary: ImportSummary
            do throws(FieldAuditError) {
                summary = try await central.write { replica throws(FieldAuditError) in try replica.importBundle(at: path) }
            } catch {
                throw ServiceError.refusal(of: error, shownAs: "the pushed bundle", scratch: path)
            }
            summary.path = "push"
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return json(try encoder.encode(summary))
        }
    }

    // MARK: - Authentication

    /// Admits a request from its headers alone (Sync/PROTOCOL.md §25), before any body is read,
    /// and notes the signer for the log; returns the signature (whose body digest the route then
    /// checks the body against) and the signer.
    private func admit(_ request: Request, context: CentralRequestContext) async throws(ServiceError) -> (RequestSignature, ReplicaID) {
        let signature = RequestSignature { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        context.account.fingerprint = signature?.signerKey.map(ReplicaIdentity.fingerprint(of:)) ?? "-"
        let signer = try await authenticator.admit(signature, method: "\(request.method)", path: request.uri.description)
        guard let signature else { throw .unauthenticated(reason: "the request is not signed") }
        return (signature, signer)
    }

    /// Refuses with 413 a body whose declared length is beyond `limit`, before reading any of it.
    private func refuseDeclaredLength(_ request: Request, beyond limit: Int64) throws(ServiceError) {
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > limit {
            throw .tooLarge(limit: limit)
        }
    }

    // MARK: - Answers

    private func json(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Streams a file as the answer's body in 64 KiB pieces. The file is removed as soon as it is
    /// open, so nothing is left behind whenever the laptop goes away: before the answer starts,
    /// halfway through it, or never reading it.
    private func stream(removing path: String, length: Int, headers: HTTPFields) throws -> Response {
        let handle = FileHandle(forReadingAtPath: path)
        try? FileManager.default.removeItem(atPath: path)
        guard let handle else {
            throw ServiceError.replicaRefused(message: "the server lost its scratch file", status: 500, category: .inputOutput)
        }
        let body = ResponseBody(contentLength: length) { writer in
            defer { try? handle.close() }
            while let data = try handle.read(upToCount: 1 << 16), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
