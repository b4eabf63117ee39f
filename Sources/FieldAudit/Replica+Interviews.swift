import AuditModel
import AuditStore
import Replication

extension Replica {
    /// Starts an interview in a slot: on the command line it becomes the replica's current
    /// interview; a capture session keeps the returned id as its own.
    ///
    /// - Throws: `.interviewInProgress` when the slot's interview has not ended: nothing is
    ///   started, so no interview is left open for ever.
    public func startInterview(
        with interviewee: String, role: String?, topics: [String], engagement reference: String?, in slot: InterviewSlot = .commandLine
    ) throws(FieldAuditError) -> EntityID {
        if let open = try interview(in: slot), open.isOpen {
            throw .interviewInProgress(id: open.id.short, interviewee: open.interviewee, inSession: slot.isSession)
        }
        let record = try capturing(in: reference)
        let refs = try checkedRefs(topics, in: record)
        let writes = try validate { () throws(AuditModelError) in
            try Interview.writes(interviewee: interviewee, role: role, auditors: [name], topics: refs, at: now)
        }
        let id = makeEntityID()
        try write(in: record.engagement.id) { writer in try writer.put(writes, entity: id, kind: .interview) }
        if slot == .commandLine {
            try perform { () throws(StoreError) in try store.setMetadata(Self.currentInterviewKey, to: id.description) }
        }
        return id
    }

    /// The command line's current interview, if any (ended or not).
    public func currentInterview() throws(FieldAuditError) -> EntityID? {
        try perform { () throws(StoreError) in try store.metadata(Self.currentInterviewKey) }.flatMap { try? EntityID($0) }
    }

    /// The id of the interview a slot holds, if any (ended or not).
    func interviewID(in slot: InterviewSlot) throws(FieldAuditError) -> EntityID? {
        switch slot {
        case .commandLine: try currentInterview()
        case let .session(own): own
        }
    }

    /// The interview a slot holds, read from the store, if any (ended or not).
    public func interview(in slot: InterviewSlot) throws(FieldAuditError) -> Interview? {
        guard let id = try interviewID(in: slot) else { return nil }
        return try perform { () throws(StoreError) in try store.snapshot(id) }.flatMap(Interview.init)
    }

    /// Ends the slot's interview (or the one named). The command line's current interview is
    /// cleared when it is the one ended.
    public func endInterview(_ reference: String? = nil, engagement: String?, in slot: InterviewSlot = .commandLine) throws(FieldAuditError) -> EntityID {
        let record = try capturing(in: engagement, kinds: [.interview])
        let id: EntityID
        if let reference {
            id = try resolve(reference, among: record.interviews.map(\.id), kind: "interview")
        } else {
            guard let own = try interviewID(in: slot) else { throw .noCurrentInterview }
            id = own
        }
        try write(in: record.engagement.id) { writer in
            try writer.put([(Interview.Field.endedAt.rawValue, .integer(now))], entity: id, kind: .interview)
        }
        if try currentInterview() == id {
            try perform { () throws(StoreError) in try store.setMetadata(Self.currentInterviewKey, to: "") }
        }
        return id
    }

    /// Adds a note to the slot's interview and/or to a requirement. Notes are append-only.
    ///
    /// - Throws: `.noCurrentInterview` when the slot holds no interview of the engagement and no
    ///   reference is given.
    public func addNote(_ text: String, ref: String?, engagement reference: String?, in slot: InterviewSlot = .commandLine) throws(FieldAuditError) -> EntityID {
        let engagement = try engagementID(reference)
        let current = try interviewID(in: slot)
        let id = makeEntityID()
        // The record is read inside the write's transaction: one transaction for the note.
        try capture(in: engagement, kinds: [.interview]) { record, writer in
            let interview = current.flatMap { id in record.interviews.contains { $0.id == id } ? id : nil }
            let checked = try ref.map { reference throws(FieldAuditError) in try checkedRefs([reference], in: record)[0] }
            guard interview != nil || checked != nil else { throw FieldAuditError.noCurrentInterview }
            let writes = try validate { () throws(AuditModelError) in try Note.writes(text: text, interview: interview, ref: checked, at: now) }
            try writer.put(writes, entity: id, kind: .note)
        }
        return id
    }

    /// Checks requirement references against the engagement's standards (`Standards.resolve`:
    /// `27001:A.5.1`, or a bare reference only one standard has), normalising their spelling;
    /// returns them in their stored form.
    func checkedRefs(_ refs: [String], in record: EngagementRecord) throws(FieldAuditError) -> [String] {
        var checked: [String] = []
        for ref in refs.flatMap({ $0.split(separator: ",").map(String.init) }) where !ref.isEmpty {
            checked.append(try requirement(ref, in: record).stored)
        }
        return checked
    }

    /// The requirement a typed reference names among the engagement's standards
    /// (`Standards.resolve`), within `standard` (a prefix or catalog id) when one is given.
    ///
    /// - Throws: `.model(.ambiguousRequirement)`, `.model(.unknownStandard)` or
    ///   `.model(.unknownRequirement)`.
    public func requirement(_ typed: String, standard: String? = nil, in record: EngagementRecord) throws(FieldAuditError) -> Standards.Reference {
        try validate { () throws(AuditModelError) in
            let standards = record.standards
            guard let standard, !standard.isEmpty else { return try standards.resolve(typed) }
            guard let index = standards.standard(named: standard) else { throw .unknownStandard(standard, known: standards.prefixes) }
            let qualified = typed.split(separator: ":", maxSplits: 1)
            if qualified.count == 2, let named = standards.standard(named: qualified[0]) {
                guard named == index else { throw .invalidChoice(typed, field: "reference of \(standard)", valid: ["\(standards.prefixes[index]):…"]) }
                return try standards.resolve(typed)
            }
            return standards.reference(try standards.catalogs[index].check(typed), of: index)
        }
    }
}
