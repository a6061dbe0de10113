import CaseVaultCrypto
import CaseVaultLog
import Foundation
import GRDB

/// What this client has verified of a vault's log: the replayed state and the Merkle frontier of every
/// entry applied. Everything the vault reports as authentic, and every key it encrypts to, is checked
/// against it; nothing in it comes from the vault's other tables.
struct TrustedLog: Sendable {
    var state = LogState()
    var frontier = MerkleFrontier()
    /// Items that a persistent cache holds (see `VerifiedCache`); nil when everything is in `state`.
    var cache: VerifiedCache?
    /// Who appended last in the current transaction: they sign its checkpoint, once, at its end.
    var checkpointAuthor: LogAuthor?
    /// Leaf hashes and subjects of the entries applied since the cache was saved (`LogIndex`).
    var index = LogIndex()
    /// New item ids the cache was just asked for, in one query, and does not hold (`noteNewItems`).
    var absentFromCache: Set<String> = []

    /// The entries applied so far.
    var size: Int { state.size }

    /// The facts the log binds to `id`, or nil when no verified entry added it.
    func item(_ id: String) -> LogState.Item? { state.items[id] ?? cachedItem(id) }

    /// The facts of `ids` that a verified entry added, from memory or the cache (one query for all).
    func items(_ ids: [String]) -> [String: LogState.Item] {
        var found: [String: LogState.Item] = [:]
        var missing: [String] = []
        for id in ids {
            if let facts = state.items[id] { found[id] = facts } else { missing.append(id) }
        }
        // Unreadable: those items are not found, and what needs them is refused.
        for (id, facts) in (try? cache?.items(missing)) ?? [:] where facts.index < size { found[id] = facts }
        return found
    }

    /// The facts of `ids` that a verified entry added, moved from the cache into memory (where `item(_:)`
    /// and the replay of later entries find them without a query each); `save` writes them back. For work
    /// on a batch of items, such as a rewrap.
    mutating func loadItems(_ ids: [String]) -> [String: LogState.Item] {
        let found = items(ids)
        state.items.merge(found) { current, _ in current }
        return found
    }

    /// The id and listing key of every item of a case (every item when nil), in the order of the entries
    /// that added them (by time, then position): in the cache and in memory.
    func listingKeys(inCase caseID: String?) -> [(id: String, key: String)] {
        let cached = cache?.listingKeys(inCase: caseID, below: size) ?? []
        let inMemory = state.items.filter { caseID == nil || $0.value.caseID == caseID }
        guard !inMemory.isEmpty else { return cached }
        // Items applied since the cache was saved (rare: a command that caught up with another's entries).
        let cachedIDs = Set(cached.map(\.id))
        let added = inMemory.filter { !cachedIDs.contains($0.key) }.map { (id: $0.key, item: $0.value) }
        return cached
            + added.sorted { ($0.item.time, $0.item.index) < ($1.item.time, $1.item.index) }.map {
                (id: $0.id, key: $0.item.listingKey)
            }
    }

    /// The ids of the items of a case, in the order of the entries that added them: in the cache and in memory.
    func itemIDs(inCase caseID: String) -> [String] {
        var indexes = Dictionary(
            cache?.itemIndexes(inCase: caseID, below: size) ?? [], uniquingKeysWith: { first, _ in first })
        for (id, item) in state.items where item.caseID == caseID { indexes[id] = item.index }
        return indexes.sorted { $0.value < $1.value }.map(\.key)
    }

    /// An item from the cache, if the entry that added it is one this log has applied (another command of
    /// the same user may have saved items of entries this one has not reached yet).
    func cachedItem(_ id: String) -> LogState.Item? { try? Self.cachedLookup(cache: cache, size: size)(id) }

    /// The cache's items of entries below `size`, without holding a copy of the state. A cache that cannot
    /// be read fails the lookup: replay refuses an entry adding an item unless it knows the id is new.
    static func cachedLookup(cache: VerifiedCache?, size: Int) -> (String) throws(LogProblem) -> LogState.Item? {
        { id throws(LogProblem) in
            guard let cache else { return nil }
            let found: LogState.Item?
            do { found = try cache.item(id) } catch { throw .cacheUnreadable }
            guard let item = found, item.index < size else { return nil }
            return item
        }
    }

    /// The checkpoint origin of a vault: `casevault/<vault id>`.
    static func origin(vaultID: String) -> String { "casevault/\(vaultID)" }

    // MARK: Catching up

    /// Reads the entries the vault has beyond those already verified, verifies each (its author's
    /// signature, that its author was allowed to make it, that it was made against this log), applies it,
    /// and checks the vault's latest checkpoint against the result. A log shorter than what was verified
    /// before, or one the checkpoint does not match, is refused: history was cut or rewritten. A refused
    /// catch-up changes nothing: entries applied before the problem was found (the unsigned entries of a run
    /// whose seal is missing, say) are not kept as verified.
    mutating func catchUp(_ db: Database) throws {
        let before = self
        do { try catchUpOrLeaveHalfway(db) } catch {
            self = before
            throw error
        }
    }

    /// `catchUp`, leaving what it applied in place when it throws.
    private mutating func catchUpOrLeaveHalfway(_ db: Database) throws {
        // max(idx) + 1, not count(*): the primary key gives it in O(log n), where count reads every row.
        let shown = (try Int.fetchOne(db, sql: "SELECT max(idx) FROM log_entries")).map { $0 + 1 } ?? 0
        guard shown >= size else { throw SignedLogError.rewritten(after: shown, verifiedSize: size, shownSize: shown) }
        guard shown > size else {
            // Mid-transaction, after this process's own appends, the checkpoint comes at the commit.
            if size > 0 && checkpointAuthor == nil { try checkCheckpoint(db) }
            return
        }
        var checkpoints = try StoredCheckpoints(db, above: size)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT idx, note, leaf_hash FROM log_entries WHERE idx >= ? ORDER BY idx", arguments: [size])
        while let row = try rows.next() {
            let index: Int = row[0]
            guard index == size else {
                throw SignedLogError.entry(index: size, problem: .malformed("the entry is missing"))
            }
            try apply(note: [UInt8](row[1] as Data), storedLeafHash: [UInt8](row[2] as Data))
            try checkStoredCheckpoint(&checkpoints)
        }
        try checkCheckpoint(db)
    }

    /// Verifies and applies one stored entry.
    mutating func apply(note: [UInt8], storedLeafHash: [UInt8]) throws {
        let index = size
        do {
            let leaf = try Merkle.leafHash(note)
            guard ConstantTime.equals(leaf, storedLeafHash) else {
                throw LogProblem.malformed("its stored leaf hash is not the hash of the entry")
            }
            // Captured for the call only: a copy of the state still alive when the state changes below would
            // make Swift copy all of it.
            let (entry, signed) = try SignedEntry.open(note) { [state] entry throws(LogProblem) in
                try state.signingKey(of: entry)
            }
            do { try checkPrevious(entry) } catch LogProblem.wrongPrevious where state.openRun != nil {
                throw LogProblem.runAltered(first: state.openRun?.first ?? index)
            }
            if entry.type == .genesis { self.state.vaultID = Hex.encode(leaf.prefix(16)) }
            let lookup = Self.cachedLookup(cache: cache, size: size)
            try checkClaimedRoot(entry)
            try self.state.apply(entry, signed: signed, lookup: lookup)
            try frontier.append(leafHash: leaf)
            self.index.record(leaf: leaf, entry: entry, index: index)
        } catch let problem as LogProblem {
            throw SignedLogError.entry(index: index, problem: problem)
        }
    }

    /// An entry names the tree it was made against; in a vault's own log that is the tree just before it.
    private func checkPrevious(_ entry: LogEntry) throws {
        guard entry.previousSize == size,
            let root = try? frontier.size == 0 ? Merkle.emptyRoot() : frontier.root(),
            ConstantTime.equals(root, entry.previousRoot)
        else { throw LogProblem.wrongPrevious }
    }

    /// The latest checkpoint must be the tree this client computed, signed by the author of its last entry.
    private func checkCheckpoint(_ db: Database) throws {
        guard state.vaultID != nil else { return }
        try checkRemovalsComplete()
        guard let row = try Row.fetchOne(db, sql: "SELECT size, note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
        else { throw SignedLogError.checkpoint(.missing) }
        do { _ = try checkCheckpoint([UInt8](row["note"] as Data), rowSize: row["size"]) } catch {
            throw SignedLogError.checkpoint(error)
        }
    }

    /// A log that ends while a member removal's rotations are due, or inside a run of unsigned entries, is
    /// refused at its last entry.
    private func checkRemovalsComplete() throws {
        do {
            try state.checkRemovalsComplete()
            try state.checkRunClosed()
        } catch {
            throw SignedLogError.entry(index: size - 1, problem: error)
        }
    }

    // MARK: Appending

    /// Appends an entry by `author` to the vault's log, inside the caller's write transaction: catches up
    /// first (another process may have appended), checks that the entry is one the rules accept, signs it
    /// and a checkpoint of the new tree. The caller's transaction commits both with the change they record.
    mutating func append(
        _ db: Database, type: EntryType, fields: [(key: String, value: String)], author: LogAuthor, time: String
    ) throws {
        // After this transaction's own first append nobody else can have appended: it holds the write lock.
        if checkpointAuthor == nil { try catchUp(db) }
        let made = try SignedEntry.make(
            EntryTemplate(type: type, time: time, fields: fields), vault: state.vaultID, previousSize: size,
            previousRoot: try currentRoot(), author: author)
        try insertOwn(db, made, author: author)
    }

    /// Stores an entry this process has just made and signed (or had the agent sign) and applies it.
    mutating func insertOwn(_ db: Database, _ made: SignedEntry.Made, author: LogAuthor) throws {
        try db.cachedStatement(sql: "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)").execute(
            arguments: [size, Data(made.note), Data(made.leaf)])
        try applyOwn(made.entry, signed: made.signed, leaf: made.leaf, author: author)
        checkpointAuthor = author
    }

    /// Applies an entry this process has just made and signed. The rules are checked as for any entry, and
    /// the author must be a member whose registered key is the one that signed; the note is not parsed back
    /// nor its signature checked a second time: a key in this process made it, and a signature from the
    /// unlock agent is checked as it arrives (`AgentKeys.sign`). In a batch add of 10,000 items that check
    /// was a third of the log's cost.
    private mutating func applyOwn(_ entry: LogEntry, signed: Bool, leaf: [UInt8], author: LogAuthor) throws {
        let index = size
        do {
            guard try state.signingKey(of: entry) == author.signingKeyHex else { throw LogProblem.badSignature }
            let cached = Self.cachedLookup(cache: cache, size: size)
            let absent = absentFromCache
            let lookup = { (id: String) throws(LogProblem) in absent.contains(id) ? nil : try cached(id) }
            try checkClaimedRoot(entry)
            try self.state.apply(entry, signed: signed, lookup: lookup)
            try frontier.append(leafHash: leaf)
            self.index.record(leaf: leaf, entry: entry, index: index)
        } catch let problem as LogProblem {
            throw SignedLogError.entry(index: index, problem: problem)
        }
    }

    /// The root of the tree verified so far (the empty tree's root before the genesis).
    func currentRoot() throws -> [UInt8] { frontier.size == 0 ? try Merkle.emptyRoot() : try frontier.root() }

    /// Appends an entry already signed (the genesis, whose hash names the vault), and a checkpoint.
    mutating func append(_ db: Database, note: [UInt8], author: LogAuthor) throws {
        let leaf = try Merkle.leafHash(note)
        try db.execute(
            sql: "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)",
            arguments: [size, Data(note), Data(leaf)])
        try apply(note: note, storedLeafHash: leaf)
        checkpointAuthor = author
    }

    /// Signs and stores the checkpoint of the tree as it is now, if entries were appended since the last
    /// one: once per transaction (a batch add of 10,000 items makes one checkpoint, not 10,000).
    mutating func writeCheckpoint(_ db: Database) throws {
        guard let author = checkpointAuthor else { return }
        try checkRemovalsComplete()
        let checkpoint = try Checkpoint(
            origin: Self.origin(vaultID: state.vaultID ?? ""), size: UInt64(size), rootHash: try frontier.root())
        try db.execute(
            sql: "INSERT INTO log_checkpoints (size, note) VALUES (?, ?)",
            arguments: [size, Data(try author.signedNote(checkpoint.text).bytes)])
        checkpointAuthor = nil
    }
}
