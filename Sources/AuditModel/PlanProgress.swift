import Foundation
import Replication

/// The audit plan against what was done: for each planned session, whether its auditors recorded
/// work (an interview, a note or a test) on each of its requirements on its day. Pure: computed
/// from the record, in the time zone the caller gives (the site's).
public struct PlanProgress: Sendable {
    /// Where a session stands.
    public enum State: String, Sendable, Encodable {
        /// Work was recorded on every requirement of the session (or, for a session without
        /// requirements, some work by its auditors on its day).
        case done
        /// Work was recorded on some of its requirements, not all.
        case partly
        /// Nothing was recorded yet.
        case notStarted = "not-started"
    }

    /// One session's line.
    public struct Line: Sendable, Encodable {
        /// The planned session.
        public let item: PlanItem
        /// Done, partly or not started.
        public let state: State
        /// The session's requirements on which its auditors recorded work on its day.
        public let covered: [String]
        /// The session's requirements still without such work.
        public let missing: [String]
    }

    /// One line per planned session, in plan order; meetings and Stage 1 points are not sessions.
    public let lines: [Line]

    /// Compares the plan's sessions with the record's interviews, notes and tests.
    ///
    /// An interview counts for a requirement among its topics when one of its auditors is one of
    /// the session's and it started on the session's day; a note for its requirement when its
    /// author is one of the session's auditors and it was written that day; a test for its
    /// requirement when its tester is one of them and it was recorded that day. Days are read in
    /// `timeZone`.
    public init(_ record: EngagementRecord, timeZone: TimeZone) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        let day = { (milliseconds: Int64) in formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) }
        // What each auditor did on each day, by requirement ("" for work on no requirement).
        var work: [String: Set<String>] = [:]
        func add(_ auditors: [String], _ at: Int64?, _ refs: [String]) {
            guard let at else { return }
            let date = day(at)
            for auditor in auditors { work["\(auditor)\u{0}\(date)", default: []].formUnion(refs + [""]) }
        }
        for interview in record.interviews { add(interview.auditors, interview.startedAt, interview.topics) }
        for note in record.notes { add(note.author.map { [record.memberName($0)] } ?? [], note.at, note.ref.map { [$0] } ?? []) }
        for test in record.tests { add(test.tester.map { [$0] } ?? [], Int64(test.id.milliseconds), test.refs) }
        lines = record.planItems.filter { $0.kind == .session }.sorted(by: PlanItem.planOrder).map { item in
            let done = item.auditors.reduce(into: Set<String>()) { done, auditor in
                done.formUnion(work["\(auditor)\u{0}\(item.date ?? "")"] ?? [])
            }
            guard !item.refs.isEmpty else {
                return Line(item: item, state: done.isEmpty ? .notStarted : .done, covered: [], missing: [])
            }
            let covered = item.refs.filter(done.contains), missing = item.refs.filter { !done.contains($0) }
            let state: State = missing.isEmpty ? .done : covered.isEmpty ? .notStarted : .partly
            return Line(item: item, state: state, covered: covered, missing: missing)
        }
    }
}
