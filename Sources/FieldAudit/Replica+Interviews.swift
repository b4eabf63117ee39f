import AuditModel
import AuditStore
import Replication

extension Replica {
    /// Starts an interview and makes it current, so notes go to it.
    public func startInterview(
        with interviewee: String, role: String?, topics: [String], engagement reference: String?
    ) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference)
        let refs = try checkedRefs(topics, in: record)
        let writes = try validate { () throws(AuditModelError) in
            try Interview.writes(interviewee: interviewee, role: role, auditors: [name], topics: refs, at: now)
        }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .interview) }
        try perform { () throws(StoreError) in try store.setMetadata(Self.currentInterviewKey, to: id.description) }
        return id
    }

    /// The interview in progress, if any.
    public func currentInterview() throws(FieldAuditError) -> EntityID? {
        try perform { () throws(StoreError) in try store.metadata(Self.currentInterviewKey) }.flatMap { try? EntityID($0) }
    }

    /// Ends the interview in progress (or the one named).
    public func endInterview(_ reference: String? = nil, engagement: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: engagement, kinds: [.interview])
        let id: EntityID
        if let reference {
            id = try resolve(reference, among: record.interviews.map(\.id), kind: "interview")
        } else {
            guard let current = try currentInterview() else { throw .noCurrentInterview }
            id = current
        }
        try write(in: record.engagement.id) { writer in
            try writer.put([(Interview.Field.endedAt.rawValue, .integer(now))], entity: id, kind: .interview)
        }
        if try currentInterview() == id {
            try perform { () throws(StoreError) in try store.setMetadata(Self.currentInterviewKey, to: "") }
        }
        return id
    }

    /// Adds a note to the interview in progress and/or to a requirement. Notes are append-only.
    ///
    /// - Throws: `.noCurrentInterview` when there is neither an interview in progress nor a reference.
    public func addNote(_ text: String, ref: String?, engagement reference: String?) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: reference, kinds: [.interview])
        let interview = try currentInterview().flatMap { id in record.interviews.contains { $0.id == id } ? id : nil }
        let checked = try ref.map { reference throws(FieldAuditError) in try checkedRefs([reference], in: record)[0] }
        guard interview != nil || checked != nil else { throw .noCurrentInterview }
        let writes = try validate { () throws(AuditModelError) in try Note.writes(text: text, interview: interview, ref: checked, at: now) }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .note) }
        return id
    }

    /// Checks requirement references against the engagement's catalog, normalising their spelling.
    func checkedRefs(_ refs: [String], in record: EngagementRecord) throws(FieldAuditError) -> [String] {
        var checked: [String] = []
        for ref in refs.flatMap({ $0.split(separator: ",").map(String.init) }) where !ref.isEmpty {
            checked.append(try validate { () throws(AuditModelError) in try record.catalog.check(ref) }.ref)
        }
        return checked
    }
}
