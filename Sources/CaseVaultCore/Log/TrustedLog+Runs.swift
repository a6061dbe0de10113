import CaseVaultCrypto
import CaseVaultLog
import GRDB

extension TrustedLog {
    /// Where a batch's entries start, inside the caller's write transaction: the log caught up with what
    /// other processes appended (nobody else can append until the commit), its vault and frontier.
    mutating func chainEnd(_ db: Database) throws -> EntryChain {
        if checkpointAuthor == nil { try catchUp(db) }
        guard let vaultID = state.vaultID else { throw SignedLogError.noLog }
        return EntryChain(vaultID: vaultID, frontier: frontier)
    }

    /// Stores and applies an entry made ahead of this log (`EntryRuns`), which must name this log's tree as
    /// it is now: the run's chain and this log are the same tree, entry after entry.
    mutating func appendMade(_ db: Database, _ made: SignedEntry.Made, author: LogAuthor) throws {
        guard made.entry.previousSize == size, made.entry.vault == state.vaultID,
            ConstantTime.equals(made.entry.previousRoot, try currentRoot())
        else { throw SignedLogError.entry(index: size, problem: .wrongPrevious) }
        try insertOwn(db, made, author: author)
    }

    /// Asks the cache, in one query, whether it holds any of `ids`, the items a run of this transaction's
    /// entries is about to add, and notes those it does not hold: replaying each entry checks that its item
    /// is new, and asking the cache once per item was a tenth of the transaction's work in a batch add. An id
    /// noted absent stays absent until the commit: the cache only gains entries of the committed log, which
    /// this transaction (holding the write lock) has already read. Call `forgetNewItems` after the run.
    mutating func noteNewItems(_ ids: [String]) {
        // Unreadable: nothing is noted, and each id is looked up as before.
        guard let cache, let held = try? cache.items(ids) else { return }
        absentFromCache = Set(ids.filter { held[$0] == nil })
    }

    mutating func forgetNewItems() { absentFromCache = [] }
}
