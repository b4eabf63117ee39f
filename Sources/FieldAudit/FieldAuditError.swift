import AuditModel
import AuditStore
import BundleFormat
import Foundation
import Replication

/// What can go wrong using a replica; each case says what happened and what to do next.
public enum FieldAuditError: Error, Sendable, CustomStringConvertible {
    /// There is no replica at the store location.
    case noReplica(path: String)
    /// `init` found a replica already there.
    case replicaExists(path: String, replica: String)
    /// The private key file can be read by others than its owner.
    case keyFileExposed(path: String, mode: UInt16)
    /// The private key file cannot be read as a key.
    case keyFileUnreadable(path: String, reason: String)
    /// The key file belongs to another replica than the store.
    case keyMismatch(path: String, store: ReplicaID, key: ReplicaID)
    /// An identity card cannot be read.
    case invalidCard(path: String, reason: String)
    /// A vector file cannot be read.
    case invalidVectorFile(path: String, reason: String)
    /// A file has a format version newer than this build reads.
    case unsupportedVersion(what: String, path: String, found: Int, supported: Int)
    /// A file the user named as input does not exist or cannot be read (see `InputFile`).
    case unreadableInput(path: String, reason: String)
    /// An input (a file, standard input, an editor's text) was read but cannot be used: it is not
    /// UTF-8 text, or a line of it is malformed.
    case invalidInput(source: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// The store reported an error.
    case store(StoreError)
    /// The audit domain refused an input.
    case model(AuditModelError)
    /// A command needs an engagement and none is current.
    case noCurrentEngagement
    /// A command needs an interview in progress and none is.
    case noCurrentInterview
    /// No entity of that kind matches the id or prefix.
    case notFound(kind: String, id: String)
    /// An id prefix matches several entities.
    case ambiguous(kind: String, prefix: String, matches: [String])
    /// An action needs a field's conflict resolved first.
    case unresolvedConflict(entity: String, field: String)
    /// The field has no conflict to resolve, or no such value.
    case nothingToResolve(entity: String, field: String, reason: String)
    /// A rule that holds for every role forbids the action (`rule` says which); `role` is this
    /// replica's, named so that nobody reads the refusal as being about it.
    case notPermitted(action: String, role: String, rule: String)
    /// The engagement is closed, so its conclusion is frozen.
    case alreadyClosed(engagement: String, closedAt: Int64)
    /// The action needs a closed engagement.
    case notClosed(engagement: String)
    /// Work cannot be recorded in a closed engagement; `isLead` says whether this replica may reopen it.
    case engagementClosed(engagement: String, isLead: Bool)
    /// Closing with a recommendation the record does not support (certify with a major
    /// nonconformity open or a mandatory clause not examined), without a justification.
    case unsupportedRecommendation(recommendation: String, reasons: [String])
    /// A bundle cannot be read or written; the store is unchanged.
    case bundle(BundleError, path: String)
    /// A bundle is signed by a replica this one does not know.
    case untrustedSigner(ReplicaID, path: String)
    /// A bundle brings changes its authors were not allowed to make.
    case unauthorized(Roster.Refusal, path: String)
    /// A bundle brings an engagement whose founding lead is not trusted here.
    case untrustedFounder(engagement: EntityID, founder: ReplicaID?, path: String)
    /// A bundle was refused (`refused`, a roster refusal), but it proved these origins forked:
    /// that proof alone was kept, and they are quarantined from the fork on (§21.1).
    indirect case forkKeptFromRefusedBundle([ReplicaID], refused: FieldAuditError)
    /// A bundle continues an origin's chain beyond what this replica holds.
    case bundleGap(origin: ReplicaID, holds: UInt64, startsAt: UInt64, path: String)
    /// A bundle's changes do not form their origin's chain, or do not reach a signed checkpoint.
    case brokenChain(origin: ReplicaID, seq: UInt64, reason: String, path: String)
    /// A bundle holds this replica's own change at `seq`, different from the one this store wrote
    /// under that number: the store was restored from an older backup and wrote again.
    case ownHistoryForked(seq: UInt64, path: String)
    /// A bundle holds this replica's own changes up to `heldThrough` (under a checkpoint signed
    /// with its key) beyond the `head` this store holds, with a gap between: the store was
    /// restored from an older backup. Nothing was imported; local writes are refused until the
    /// store catches up (`Sync/PROTOCOL.md` §21.2). `exporter` names who relayed it.
    case aheadOfOwnHistory(head: UInt64, heldThrough: UInt64, exporter: String, path: String)
    /// A local write refused because `heldBy` (a peer, or the central) is known to hold this
    /// replica's own changes up to `heldThrough`, beyond the `head` this store holds: writing
    /// would number changes again and fork its history (`Sync/PROTOCOL.md` §21.2).
    case behindOwnHistory(head: UInt64, heldThrough: UInt64, heldBy: String)
    /// A bundle's evidence file does not match its SHA-256 or size.
    case evidenceMismatch(digest: String, path: String)
    /// A bundle's evidence file is not whole in it: chunks missing, out of order or overlapping
    /// (`Sync/PROTOCOL.md` §13.5: one bundle carries each file whole, in order).
    case incompleteEvidence(digest: String, reason: String, path: String)
    /// Files a command would write already exist, and `--force` was not given.
    case outputExists(paths: [String])
    /// A command cannot write its output there: a folder cannot be made, the path is a device
    /// or a FIFO, the write failed.
    case outputUnusable(path: String, reason: String)
    /// Output that does not belong on a terminal (a bundle, an evidence file) was sent to one.
    case terminalOutput(what: String, pipeTo: String)
    /// A file to read is a directory, a FIFO, a device or a socket rather than a regular file.
    case notARegularFile(path: String, kind: FileKind)
    /// The engagement's roster refuses a change this replica was about to write, as every peer
    /// would refuse it on import; nothing was written.
    case refused(Roster.Refusal)
    /// A change to the team would leave it without a lead; nothing was written.
    case noLeadLeft(engagement: EntityID)
    /// An interview is still in progress where another would start (on the command line, or in
    /// the same capture session).
    case interviewInProgress(id: String, interviewee: String, inSession: Bool)
    /// Rows of a CSV table were refused (each named, with its line, in the import's report);
    /// the others were recorded only when `recordedOthers` (`--skip-bad-rows`).
    case rowsRefused(path: String, refused: Int, recordedOthers: Bool)
    /// A command to run as evidence (`evidence run`) does not exist or cannot be executed; it
    /// did not run and nothing was recorded.
    case commandUnavailable(command: String, reason: String)
    /// A folder to store as an evidence set holds entries that cannot be stored as files
    /// (symbolic links, FIFOs, devices, sockets, unreadable files or folders), each `path: reason`;
    /// nothing was stored.
    case unstorableEntries(directory: String, entries: [String])
    /// A command run as evidence was interrupted (Ctrl-C); what it printed was not recorded.
    case runInterrupted(command: String)
    /// A command run as evidence printed more than the output limit: it was recorded as evidence
    /// `evidence`, marked as cut, with only its first `stored` of `written` bytes.
    case runOutputCut(evidence: String, stored: Int64, written: Int64)

    /// What happened and what to do next, naming the file or value involved.
    public var description: String {
        switch self {
        case let .noReplica(path):
            "no replica at \(path). Run `fieldaudit init --name \"Your Name\"` to create one, or point --store (or FIELDAUDIT_STORE) at an existing one."
        case let .replicaExists(path, replica):
            "a replica already exists at \(path) (replica \(replica)); nothing was changed. Use it as it is, or create another with --store PATH."
        case let .keyFileExposed(path, mode):
            "the private key \(path) can be read by others (mode \(String(mode, radix: 8))); FieldAudit refuses to use it. Run `chmod 600 \(path)` and try again."
        case let .keyFileUnreadable(path, reason):
            "cannot read the private key \(path): \(reason). Restore it from your backup; without it this replica cannot sign its work."
        case let .keyMismatch(path, store, key):
            "the private key \(path) belongs to replica \(key.short), but the store belongs to \(store.short). Put the store's own key file back."
        case let .invalidVectorFile(path, reason):
            "\(path) is not a usable vector file: \(reason). Ask the peer to write it again with `fieldaudit vector -o FILE`."
        case let .invalidCard(path, reason):
            "\(path) is not a usable identity card: \(reason). Ask its owner to run `fieldaudit whoami --card -o FILE` again."
        case let .unsupportedVersion(what, path, found, supported):
            "\(path) is a \(what) of version \(found), but this fieldaudit reads up to version \(supported). Upgrade fieldaudit to read it."
        case let .unreadableInput(path, reason):
            "cannot read \(path): \(reason); nothing was changed. Check the path, and that the file is readable."
        case let .invalidInput(source, reason):
            "\(source) cannot be used: \(reason); nothing was changed. Correct it and run the command again."
        case let .io(path, reason):
            "cannot access \(path): \(reason)"
        case let .store(error):
            error.description
        case let .model(error):
            error.description
        case .noCurrentEngagement:
            "no current engagement. Run `fieldaudit engagement use ID` (see `fieldaudit engagement list`) or pass --engagement ID."
        case .noCurrentInterview:
            "no interview in progress. Start one with `fieldaudit interview start --with NAME --role ROLE` (in a capture session: /interview --with NAME), or give --ref (/ref REF) for a note on a requirement."
        case let .notFound("entity", id):
            "nothing in this engagement has an id matching '\(id)'; `fieldaudit log` shows recent changes with their entities' ids, and `fieldaudit search TEXT` finds notes, findings and tests."
        case let .notFound(kind, id) where kind == "note" || kind == "link":
            "no \(kind) matches '\(id)'; `fieldaudit log` shows recent changes with their entities' ids (`interview show ID` shows an interview's notes, `evidence show ID` an evidence file's links)."
        case let .notFound(kind, id):
            "no \(kind) matches '\(id)'; `fieldaudit \(kind) list` shows them."
        case let .ambiguous(kind, prefix, matches):
            "'\(prefix)' matches \(matches.count) \(kind)s (\(matches.prefix(4).joined(separator: ", "))); type more of the id."
        case let .unresolvedConflict(entity, field):
            "the \(field) of \(entity) has concurrent values; resolve it first: `fieldaudit conflicts`, then `fieldaudit resolve \(entity) \(field) --take N`."
        case let .nothingToResolve(entity, field, reason):
            "cannot resolve the \(field) of \(entity): \(reason)."
        case let .bundle(error, path):
            "\(path): \(error)"
        case let .untrustedSigner(replica, path):
            "\(path) is signed by replica \(replica.short), which this replica does not know; nothing was imported. If you expect its bundles, trust its identity card first: `fieldaudit trust CARD`."
        case let .unauthorized(refusal, path):
            "\(path) was refused: \(refusal); nothing was imported." + Self.rosterHint(refusal)
        case let .forkKeptFromRefusedBundle(origins, refused):
            "\(refused.description) One thing from it was kept, as it stands on that key's own signatures: the proof that replica \(origins.map(\.short).joined(separator: ", ")) signed two different histories with one key, so that key is set aside here from the fork on, as on every replica that sees both (`fieldaudit status` shows it; see the README, \"A lost or broken laptop\")."
        case let .untrustedFounder(engagement, founder?, path):
            "\(path) brings engagement \(engagement), founded by replica \(founder.short), whom this replica does not trust; nothing was imported. Trust the lead's card first: `fieldaudit trust CARD`."
        case let .untrustedFounder(engagement, nil, path):
            "\(path) brings changes to engagement \(engagement), which this replica does not hold yet; nothing was imported. Import the lead's bundle for it first (or give all the bundles to one `fieldaudit import`)."
        case let .bundleGap(origin, holds, startsAt, path):
            "\(path) continues replica \(origin.short)'s changes at seq \(startsAt), but this replica holds only up to \(holds); nothing was imported. Import the earlier bundle first (give them all to one `fieldaudit import`), or ask for a bundle made against your vector: `fieldaudit vector -o FILE`."
        case let .aheadOfOwnHistory(head, heldThrough, exporter, path):
            "\(path) was refused: it holds your own changes up to seq \(heldThrough) (signed with your key; sent by \(exporter)), but this store holds your history only up to seq \(head), so it was restored from an older backup. Nothing was imported, and this replica writes nothing until it catches up, as a new change would fork your history. Import a bundle holding your changes from seq \(head + 1): ask \(exporter) for `fieldaudit export --for YOUR-CARD --all -o FILE`, or run `fieldaudit sync` with the central."
        case let .behindOwnHistory(head, heldThrough, heldBy):
            "this replica is behind its own history held by \(heldBy): your changes up to seq \(heldThrough) are held there, this store has them only up to seq \(head) (was it restored from an older backup?). Nothing was written: a new change now would fork your history. Run `fieldaudit sync`, or import the latest bundle holding your changes (`fieldaudit export --for YOUR-CARD --all -o FILE`, made by your lead) first; then write again."
        case let .ownHistoryForked(seq, path):
            "\(path) was refused: it holds your own change \(seq) and this store wrote another one under that number, so your history has forked (was this store restored from an older backup?). Nothing was imported. Keep this store's folder aside, restore with `fieldaudit init --name NAME --key IDENTITY.KEY --trust CARD --restore-from BUNDLE` from your lead's or the central's `export --for YOUR-CARD --all`, and record again what you wrote since the backup."
        case let .brokenChain(origin, seq, reason, path):
            "\(path) was refused: replica \(origin.short)'s changes do not check out at seq \(seq): \(reason). Nothing was imported."
        case let .evidenceMismatch(digest, path):
            "\(path) carries evidence that does not match its SHA-256 \(digest.prefix(16))…; the bundle is damaged. Nothing was imported."
        case let .incompleteEvidence(digest, reason, path):
            "\(path) carries incomplete evidence: the file \(digest.prefix(16))… \(reason), and a bundle must carry each evidence file whole, in order. Nothing was imported. Ask its sender to export again with the evidence (a bundle made by fieldaudit always carries whole files)."
        case let .outputExists(paths):
            "\(paths.joined(separator: ", ")) already exist\(paths.count == 1 ? "s" : ""); nothing was written. Choose another name, or add --force to replace \(paths.count == 1 ? "it" : "them")."
        case let .outputUnusable(path, reason):
            "cannot write \(path): \(reason); nothing was written there."
        case let .terminalOutput(what, pipeTo):
            "standard output is a terminal, which \(what) would garble; nothing was written. Redirect it (`-o - > FILE`, or `-o - | \(pipeTo)`) or give -o FILE."
        case let .notARegularFile(path, .directory):
            "\(path) is a directory, not a file; nothing was recorded. Add it on its own to store it as one evidence set (`fieldaudit evidence add \(path)`), or add the files in it (`fieldaudit evidence add \(path)/*`)."
        case let .notARegularFile(path, kind):
            "\(path) is \(kind), not a regular file; nothing was read from it and nothing was recorded. Copy what you want to keep into a regular file first, and add that file."
        case let .notPermitted(action, role, rule):
            "\(action) is not allowed: \(rule). That holds for every role (yours here is \(role)), so nothing was written."
        case let .alreadyClosed(engagement, closedAt):
            "engagement \(engagement) was closed at \(Self.utc(closedAt)) and its conclusion is frozen. Changes that arrive later are flagged as late; review them with `fieldaudit status` and accept them with `fieldaudit engagement accept-late` (which may also revise the recommendation)."
        case let .notClosed(engagement):
            "engagement \(engagement) is not closed, so no change is late. Close it with `fieldaudit engagement close`."
        case let .engagementClosed(engagement, true):
            "engagement \(engagement) is closed, so its conclusion is frozen and no work is recorded in it; nothing was written. "
                + "Conflicts and late changes are settled without reopening (`fieldaudit resolve`, `fieldaudit engagement late`); "
                + "to record more work, reopen it first: `fieldaudit engagement reopen --reason TEXT`."
        case let .engagementClosed(engagement, false):
            "engagement \(engagement) is closed, so its conclusion is frozen and no work is recorded in it; nothing was written. "
                + "If more work is needed, ask the lead to reopen it (`fieldaudit engagement reopen --reason TEXT`)."
        case let .unsupportedRecommendation(recommendation, reasons):
            "the record does not support recommending '\(recommendation)': \(reasons.joined(separator: "; ")); nothing was written. "
                + "Examine what is missing, record the recommendation the findings support (`--recommendation certify-after-closure`), "
                + "or give your reason with --justification TEXT: it is recorded and printed in the report."
        case let .refused(refusal):
            "\(refusal); every peer would refuse it, so nothing was written. \(Self.nextStep(after: refusal))"
        case let .noLeadLeft(engagement):
            "that would leave engagement \(engagement) without a lead; nothing was changed. Make another member lead first (`fieldaudit team add CARD --role lead`), then change this one."
        case let .commandUnavailable(command, reason):
            "cannot run \(command): \(reason); it did not run and nothing was recorded. Check the spelling and $PATH, or give the program's full path."
        case let .unstorableEntries(directory, entries):
            "\(directory) holds \(entries.count) entr\(entries.count == 1 ? "y" : "ies") that cannot be stored as files, so nothing was stored:\n"
                + entries.prefix(20).map { "  \($0)" }.joined(separator: "\n")
                + (entries.count > 20 ? "\n  … and \(entries.count - 20) more" : "")
                + "\nCopy what you want to keep into regular files, or add --skip-unreadable to store the rest and list these in the manifest as skipped."
        case let .runOutputCut(evidence, stored, written):
            "the output was longer than the limit: evidence \(evidence) was recorded with its first \(stored) of \(written) bytes, and says it was cut; the rest was not stored. To keep all of it, run the command again with a larger --max-output (at most 256MiB), or save its output to a file and `fieldaudit evidence add` that file."
        case let .runInterrupted(command):
            "\(command) was interrupted; nothing was recorded. Run it again, or add --keep-interrupted to record what it printed until then."
        case let .interviewInProgress(id, interviewee, inSession):
            "the interview with \(interviewee) (\(id)) is still in progress; nothing was started. End it first with \(inSession ? "/end" : "`fieldaudit interview end`"), then start the next one."
        case let .rowsRefused(path, refused, recordedOthers):
            recordedOthers
                ? "\(path): \(refused) row\(refused == 1 ? " was" : "s were") refused (see above) and not recorded; the other rows were recorded. Correct the refused rows and import the file again."
                : "\(path): \(refused) row\(refused == 1 ? " was" : "s were") refused (see above), so nothing was recorded. Correct \(refused == 1 ? "it" : "them") and import again, or add --skip-bad-rows to record the other rows now."
        }
    }

    /// For an imported change refused by the author's standing on the team: that standing is the
    /// roster as this replica holds it, which a later change by the founding lead may have changed.
    private static func rosterHint(_ refusal: Roster.Refusal) -> String {
        switch refusal {
        case .notOnRoster, .removed, .observer, .leadOnly, .notAuthor, .retired:
            " The author's standing is the team as this replica holds it: if the founding lead has changed the team since (added, promoted or restored the author), import the lead's latest bundle first, then this one again."
        case .founderOnly, .centralRepository, .unknownFounder, .notOwnKeyRotation, .rewritesKeyRotation:
            ""
        }
    }

    /// What the author of a refused change can do about it.
    private static func nextStep(after refusal: Roster.Refusal) -> String {
        switch refusal {
        case .notOnRoster:
            "Ask the lead to add you: send your card (`fieldaudit whoami --card -o FILE`) for `fieldaudit team add CARD --role auditor`."
        case .removed:
            "Ask the lead to add you back if you are still to record work here."
        case .founderOnly:
            "Ask the lead who created the engagement to do it."
        case .leadOnly:
            "Ask a lead to do it."
        case .observer:
            "Ask the lead for the role auditor if you are to record work."
        case .centralRepository:
            "Record audit work on an auditor's laptop and sync it to the central; the central repository only keeps the engagement."
        case .notAuthor:
            "Ask its author or a lead to do it."
        case .retired:
            "If this is your own key, work on under your new key (`fieldaudit whoami`); if the key was stolen, nothing signed with it is accepted any more (PROTOCOL §22.3)."
        case .notOwnKeyRotation:
            "A key rotation record is written only by the key it retires (`fieldaudit key rotate`); the sender's copy of FieldAudit wrote another's, so tell the engagement's lead: nothing of this bundle was imported."
        case .rewritesKeyRotation:
            "A key rotation record is written once, by `fieldaudit key rotate`; to move on from the new key, rotate again under it. If you did not write this, the key was copied: tell the engagement's lead (nothing of this bundle was imported)."
        case .unknownFounder:
            "Trust the lead's card (`fieldaudit trust CARD`) and import the lead's kickoff bundle first."
        }
    }
}

extension FieldAuditError {
    /// A Unix-millisecond time as `YYYY-MM-DDTHH:MM:SSZ`.
    static func utc(_ milliseconds: Int64) -> String {
        SiteTime.rfc3339(milliseconds)
    }
}
