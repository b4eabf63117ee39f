import AuditStore

extension FieldAuditError {
    /// The kind of failure an error is, for a caller that maps failures to its own codes (the
    /// command line's exit statuses, a service's responses) without knowing every case, nor the
    /// store's or the bundle format's errors.
    public enum Category: Sendable, Equatable, CaseIterable {
        /// The request was incomplete: no current engagement or interview, one already in progress,
        /// output meant for a file sent to a terminal.
        case usage
        /// The input was wrong: malformed, refused by the domain or the store, a broken bundle.
        case invalidInput
        /// An input file or the replica does not exist or cannot be read.
        case missingInput
        /// The output cannot be created: it exists already, or cannot be written there.
        case cannotCreate
        /// Reading or writing failed, the disk is full, or the store is damaged.
        case inputOutput
        /// Another process held the store: try again later.
        case temporaryFailure
        /// Not permitted: unsafe key permissions, a read-only store, a role or roster rule.
        case notPermitted
        /// The user interrupted the command (Ctrl-C); nothing was recorded.
        case interrupted
        /// Something FieldAudit did not expect.
        case internalFailure
    }

    /// The kind of failure this is: the one mapping from causes to categories.
    public var category: Category {
        switch self {
        case .noReplica, .unreadableInput, .notARegularFile, .commandUnavailable, .unstorableEntries: .missingInput
        case .runOutputCut: .invalidInput
        case .invalidInput, .rowsRefused, .keyFileUnreadable, .keyMismatch, .invalidCard, .invalidVectorFile, .unsupportedVersion: .invalidInput
        case .model, .notFound, .ambiguous, .nothingToResolve, .unresolvedConflict, .alreadyClosed, .notClosed: .invalidInput
        case .unsupportedRecommendation: .invalidInput
        case .engagementClosed: .notPermitted
        case .bundle, .bundleGap, .brokenChain, .ownHistoryForked, .evidenceMismatch, .incompleteEvidence: .invalidInput
        case .aheadOfOwnHistory: .invalidInput
        case .behindOwnHistory: .notPermitted
        case .replicaExists, .outputExists, .outputUnusable: .cannotCreate
        case .keyFileExposed, .notPermitted, .refused, .noLeadLeft, .untrustedSigner, .unauthorized, .untrustedFounder: .notPermitted
        case .io: .inputOutput
        case .noCurrentEngagement, .noCurrentInterview, .interviewInProgress, .terminalOutput: .usage
        case .runInterrupted: .interrupted
        case let .store(error): Self.category(of: error)
        case let .forkKeptFromRefusedBundle(_, refused): refused.category
        }
    }

    /// The category of a store error.
    private static func category(of error: StoreError) -> Category {
        switch error {
        case .diskFull, .damaged, .blobUnwritable: .inputOutput
        case .readOnly, .behindOwnHistory: .notPermitted
        case .busy: .temporaryFailure
        case .rejected, .corruptRow, .newerSchema, .blobCorrupt: .invalidInput
        case .cannotOpen, .blobUnreadable, .blobMissing: .missingInput
        case .sqlite, .closed, .unexpected: .internalFailure
        }
    }
}
