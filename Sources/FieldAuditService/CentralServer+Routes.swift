import FieldAudit
import Foundation
import HTTPTypes
import Hummingbird
import Replication

extension CentralServer {
    /// `GET /v1/identity`, unsigned: the central's identity card, as `whoami --card` writes it.
    func identity() -> Response {
        json(central.replica.card.encoded())
    }

    /// `GET /v1/vector`: the central's version vector, as `fieldaudit vector` writes it.
    func vector(_ request: Request, context: CentralRequestContext) async throws -> Response {
        _ = try await authenticate(request, context: context, bodyDigest: RequestSignature.digest(of: Data()))
        let file = try await central.read { replica throws(FieldAuditError) in try replica.vectorFile() }
        return json(file.encoded())
    }

    /// `POST /v1/pull`: body the laptop's vector file; answers the bundle `fieldaudit export --for
    /// LAPTOP --since VECTOR` writes: what the laptop lacks, in full only for the engagements its
    /// key may read.
    func pull(_ request: Request, context: CentralRequestContext) async throws -> Response {
        try refuseDeclaredLength(request, beyond: configuration.maxVector)
        let signature = try await admit(request, context: context)
        let body = try await UploadSpool.collect(request.body, limit: configuration.maxVector)
        context.account.bytesIn = Int64(body.count)
        let client = try confirm(signature, request, bodyDigest: RequestSignature.digest(of: body))
        let holds: VersionVector
        do throws(FieldAuditError) {
            holds = try VectorFile.decode(body, source: "the request's vector").versionVector(path: "the request's vector")
        } catch {
            throw ServiceError.badRequest(reason: error.description)
        }
        let path = scratchFile("fabundle")
        let summary: ExportSummary
        do throws(FieldAuditError) {
            summary = try await central.write { replica throws(FieldAuditError) in
                try replica.writeBundle(ExportRequest(peer: client, peerHolds: holds), toNewFile: path)
            }
        } catch {
            throw ServiceError.refusal(of: error, shownAs: "the pulled bundle", scratch: path)
        }
        return try streamAndRemove(path, length: Int(summary.bytes), headers: [
            .contentType: Self.bundleMediaType,
            HTTPField.Name("FieldAudit-Changes")!: "\(summary.changes)",
            HTTPField.Name("FieldAudit-Withheld")!: "\(summary.withheld)",
        ])
    }

    /// `POST /v1/push`: body a bundle, streamed to a scratch file (refused with 413 beyond the
    /// limit), then imported by the import's rules; answers the import summary.
    func push(_ request: Request, context: CentralRequestContext) async throws -> Response {
        try refuseDeclaredLength(request, beyond: configuration.maxUpload)
        let signature = try await admit(request, context: context)
        let path = scratchFile("fabundle")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spooled = try await UploadSpool.spool(request.body, to: path, limit: configuration.maxUpload)
        context.account.bytesIn = spooled.length
        _ = try confirm(signature, request, bodyDigest: spooled.digest)
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

    // MARK: - Authentication

    /// Checks the signature headers (before any body is read) and notes the signer for the log.
    private func admit(_ request: Request, context: CentralRequestContext) async throws(ServiceError) -> RequestSignature? {
        let signature = RequestSignature { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        _ = try await authenticator.admit(signature)
        context.account.fingerprint = signature?.signerKey.map(ReplicaIdentity.fingerprint(of:)) ?? "-"
        return signature
    }

    /// Checks the signature over the body's digest; returns the signer.
    private func confirm(_ signature: RequestSignature?, _ request: Request, bodyDigest: String) throws(ServiceError) -> ReplicaID {
        guard let signature, let key = signature.signerKey else { throw .unauthenticated(reason: "the request is not signed") }
        try authenticator.confirm(signature, method: "\(request.method)", path: request.uri.description, bodyDigest: bodyDigest)
        return ReplicaID(publicKey: key)
    }

    /// `admit`, then `confirm` for a request without a body.
    private func authenticate(_ request: Request, context: CentralRequestContext, bodyDigest: String) async throws(ServiceError) -> ReplicaID {
        let signature = try await admit(request, context: context)
        return try confirm(signature, request, bodyDigest: bodyDigest)
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

    /// Streams a file as the answer's body in 64 KiB pieces, then removes it.
    private func streamAndRemove(_ path: String, length: Int, headers: HTTPFields) throws -> Response {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ServiceError.replicaRefused(message: "the server lost its scratch file", status: 500)
        }
        let body = ResponseBody(contentLength: length) { writer in
            defer {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: path)
            }
            while let data = try handle.read(upToCount: 1 << 16), !data.isEmpty {
                try await writer.write(ByteBuffer(bytes: data))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
