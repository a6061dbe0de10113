/// What is wrong with a vault's log, with the entry where it was found. The verifier names every problem;
/// the CLI words them.
public enum SignedLogError: Error, Sendable, Equatable {
    /// An entry's text is not a valid entry (the reason says which rule it breaks).
    case malformedEntry(String)
    /// Problem `problem` at entry `index` (0-based).
    case entry(index: Int, problem: LogProblem)
    /// The vault shows a log shorter than, or different from, one this client or auditor verified before:
    /// history was rewritten after entry `after` (the verified size), or cut.
    case rewritten(after: Int, verifiedSize: Int, shownSize: Int)
    /// The vault has no log: made by an earlier version, it must be upgraded by an admin first.
    case noLog
    /// The vault has a signed log already.
    case alreadyUpgraded
    /// The vault's latest checkpoint cannot be trusted.
    case checkpoint(CheckpointProblem)
    /// The stored checkpoint of the first `size` entries (not only the latest) cannot be trusted.
    case storedCheckpoint(size: Int, problem: CheckpointProblem)
    /// A stored cosignature (`log_cosignatures`) of the checkpoint of the first `size` entries does not verify
    /// as `cosigner`'s, an auditor at that size. Only `audit verify` reports it; no command relies on one.
    case cosignature(size: Int, cosigner: String)
}

/// Why one entry is refused.
public enum LogProblem: Error, Sendable, Equatable {
    case malformed(String)
    /// The signature does not verify with the key of the member it names.
    case badSignature
    /// It names an author who is not a member at that point.
    case unknownAuthor(String)
    /// Its author was removed before it.
    case removedAuthor(String)
    /// Its author was not allowed to make this change (the rule is named).
    case notAuthorized(String)
    /// It was made against a tree this log never had (size or root), so it belongs to another history.
    case wrongPrevious
    /// It belongs to another vault.
    case wrongVault
    /// It contradicts the state at that point (a member added twice, a grant to a missing role, …).
    case inconsistent(String)
    /// A genesis entry anywhere but first, or a first entry that is not a genesis.
    case misplacedGenesis
    /// This user's verified cache (outside the vault) could not be read where the entry's check needs it
    /// (whether its item id is new): refused rather than taken as absent.
    case cacheUnreadable
    /// A member name, role name, case id or item id that is not of the syntax the vault accepts
    /// (`Names`): refused where it would enter the state.
    case invalidName(kind: VaultError.NameKind, value: String)
    /// Its `time` is not a real UTC instant written `YYYY-MM-DDTHH:MM:SSZ`.
    case invalidTime(String)
    /// The unsigned entries from index `first` on are not followed by the `run.seal` of their author that
    /// covers exactly them: refused at the entry found instead (another entry, a checkpoint or the log's end).
    case unsealedRun(first: Int)
    /// An entry without a signature that may not be one: only `item.add` may be left to a `run.seal`.
    case unsignedType(String)
    /// Its `prev` line is not the tree before it, while a run of unsigned entries (from index `first`) is
    /// open: one of them, which no signature of its own protects, was altered (or this entry belongs to
    /// another history).
    case runAltered(first: Int)
}

extension SignedLogError {
    /// What is wrong with the vault's latest checkpoint.
    public enum CheckpointProblem: Error, Sendable, Equatable {
        /// The log has entries but no checkpoint.
        case missing
        /// No member's key verifies it, or it is not a checkpoint of this vault.
        case badSignature
        /// It names another tree than the one its entries make.
        case rootMismatch
        /// It is not a CaseVault checkpoint note: a body of other lines than origin, size and root (C2SP
        /// extension lines), or other than exactly one signature line.
        case malformed
        /// A member's key verifies it, but not the key of `expected`, the author of the entry before it.
        case wrongSigner(expected: String)
        /// It signs a tree of `signed` entries where the log (or its row) has `entries`: with fewer, the last
        /// change's checkpoint is missing; with more, entries were cut from the log.
        case sizeMismatch(signed: Int, entries: Int)
        /// It signs a tree that ends inside a run of unsigned entries, before the `run.seal` that covers them.
        case insideRun
    }
}
