import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

/// What this user's client has verified of one vault, kept outside the vault in the user's private state
/// folder (`…/casevault/vaults/<vault id>.sqlite`, 0600 in a 0700 folder), so that a command on a vault of
/// 100,000 entries verifies only what is new since the last one, and so that a vault shown with a shorter
/// or different history than before is caught (the log must extend the frontier kept here).
///
/// Trusted because only this user's client writes it, and only after verifying: a lost or removed cache
/// costs one full verification, never trust. So the folder and the file must be the user's own and closed
/// to others' writing (`checkPrivate`), and a file that cannot be read is reported, never rebuilt silently.
final class VerifiedCache: Sendable {
    /// Where `save` writes.
    let database: DatabasePool
    /// What every lookup reads: the cache as one save left it, held for this object's life (a read
    /// transaction kept open), so that another command saving a longer log meanwhile cannot show this one
    /// item facts of entries it has not applied: an item it rewrapped, looked up while this one replays that
    /// rewrap or compares the item's row, would look forged. `save` gives its log a new view.
    let view: DatabaseSnapshot
    /// The size of the log saved in `view` (0 when none was).
    let size: Int
    /// The cache file.
    let path: String

    /// Opens (creating) the cache of `vaultID` under `folder`.
    convenience init(folder: String, vaultID: String) throws {
        try FileSystem.makeDirectories(folder)
        try Self.checkPrivate(folder, folder: true)
        let path = "\(folder)/\(vaultID).sqlite"
        if !FileSystem.exists(path) { try FileSystem.writeNewFile(path, bytes: [], mode: 0o600) }
        for file in [path, path + "-wal", path + "-shm"] { try Self.checkPrivate(file, folder: false) }
        do {
            let database = try Self.openDatabase(path)
            try Self.setUpTables(database)
            try self.init(database: database, path: path)
        } catch let error as DatabaseError where Self.meansDamaged(error) {
            throw VaultError.verifiedStateDamaged(path: path)
        }
    }

    /// The view closes before the pool's writer (shared with the cache a save made, which may outlive this
    /// one): a view's connection is read-only and cannot checkpoint, so only the writer closing last folds the
    /// write-ahead log into the file and removes it. Left in the -wal file, the saved state would outlive
    /// damage to the file itself.
    deinit { try? view.close() }

    /// A view of the cache as it is now.
    private init(database: DatabasePool, path: String) throws {
        self.database = database
        self.path = path
        view = try database.makeSnapshot()
        size = try view.read { db in try Int.fetchOne(db, sql: "SELECT size FROM snapshot WHERE id = 1") } ?? 0
    }

    private static func openDatabase(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        // Two commands of the same user may verify the same vault at once.
        configuration.busyMode = .timeout(Vault.busyTimeout)
        configuration.journalMode = .wal
        return try DatabasePool(path: path, configuration: configuration)
    }

    private static func setUpTables(_ database: DatabasePool) throws {
        // `user_version` names the layout of the tables. A cache of another layout (an older release's) is
        // dropped, and the log is verified again from its first entry: the cache holds nothing that cannot be
        // rebuilt from the log.
        // A cache already of this layout is left alone: setting it up again was a commit, with its syncs, in
        // every command.
        // On the writer's connection: a reader's would be one more connection opened in every command.
        let layout = try database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        guard layout != Self.layout else { return }
        try database.write { db in
            if try Int.fetchOne(db, sql: "PRAGMA user_version") != Self.layout {
                try db.execute(
                    sql: "DROP TABLE IF EXISTS snapshot; DROP TABLE IF EXISTS item_facts; "
                        + "DROP TABLE IF EXISTS nodes; DROP TABLE IF EXISTS subjects")
            }
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS snapshot (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        size INTEGER NOT NULL,
                        frontier BLOB NOT NULL,
                        state BLOB NOT NULL
                    );
                    CREATE TABLE IF NOT EXISTS item_facts (
                        id TEXT PRIMARY KEY NOT NULL, case_id TEXT NOT NULL, class TEXT NOT NULL,
                        size INTEGER NOT NULL, sha256 TEXT NOT NULL, object TEXT NOT NULL, header TEXT NOT NULL,
                        metadata TEXT NOT NULL, readers TEXT NOT NULL, replaces TEXT, author TEXT NOT NULL,
                        time TEXT NOT NULL, idx INTEGER NOT NULL, listing TEXT NOT NULL
                    );
                    -- Covers a listing's query (a case's ids and keys in log order) without reading the table.
                    CREATE INDEX IF NOT EXISTS item_facts_in_log_order ON item_facts(case_id, time, idx, id, listing);
                    -- The root of every aligned subtree of the verified tree (level 0: the leaf hashes), so an
                    -- inclusion or consistency proof reads O(log² n) rows (Merkle+Nodes.swift).
                    CREATE TABLE IF NOT EXISTS nodes (
                        level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL CHECK (length(hash) = 32),
                        PRIMARY KEY (level, idx)
                    ) WITHOUT ROWID;
                    -- The entries about each item (its custody events) and member (the entries binding their
                    -- keys): a report of one item reads its events, not the log (LogIndex).
                    CREATE TABLE IF NOT EXISTS subjects (
                        subject TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (subject, idx)
                    ) WITHOUT ROWID;
                    """)
            try db.execute(sql: "PRAGMA user_version = \(Self.layout)")
        }
    }

    /// The layout of the cache's tables; raised whenever a column changes, or what the index records (5:
    /// `recovery.restore` and `recovery.key` entries are indexed, for bundles).
    static let layout = 5

    /// The columns `facts(row:)` reads, by position (a listing decodes thousands).
    static let factsSelection =
        "SELECT case_id, class, size, sha256, object, header, metadata, readers, replaces, author, time, idx, id "
        + "FROM item_facts"

    static func facts(row: Row) -> LogState.Item {
        let readers: String = row[7]
        return LogState.Item(
            caseID: row[0], itemClass: row[1], size: row[2], sha256: row[3], object: row[4], headerHash: row[5],
            metadataHash: row[6], readers: readers.split(separator: ",").map(String.init), replaces: row[8],
            author: row[9], time: row[10], index: row[11])
    }

    /// The facts of an item verified earlier; nil when the cache does not hold it, and an error when the cache
    /// cannot be read (where "not held" must not be assumed).
    func item(_ id: String) throws -> LogState.Item? {
        // Replay asks this for every new item (its id must be new), so a batch add of 10,000 asks 10,000
        // times: one prepared statement in the view's open transaction, without a transaction and
        // query_only pragmas per lookup, which cost ten times the lookup itself.
        try view.read { db in
            try Row.fetchOne(db.cachedStatement(sql: Self.factsSelection + " WHERE id = ?"), arguments: [id])
                .map(Self.facts(row:))
        }
    }

    /// The facts of the items of `ids` verified earlier, in a few queries rather than one per item (a rewrap
    /// checks thousands per batch). Ids the cache does not hold are absent; an unreadable cache is an error.
    func items(_ ids: [String]) throws -> [String: LogState.Item] {
        var out: [String: LogState.Item] = [:]
        try view.read { db in
            for start in stride(from: 0, to: ids.count, by: Self.idsPerQuery) {
                let chunk = Array(ids[start..<min(start + Self.idsPerQuery, ids.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db.cachedStatement(sql: Self.factsSelection + " WHERE id IN (\(marks))"),
                    arguments: StatementArguments(chunk))
                while let row = try rows.next() { out[row[12]] = Self.facts(row: row) }
            }
        }
        return out
    }

    /// Every item an entry below `size` added, in one scan (`verify` and `backup` compare them all with the
    /// rows); an unreadable cache is an error.
    func allItems(below size: Int) throws -> [String: LogState.Item] {
        var out: [String: LogState.Item] = [:]
        try view.read { db in
            let rows = try Row.fetchCursor(db, sql: Self.factsSelection + " WHERE idx < ?", arguments: [size])
            while let row = try rows.next() { out[row[12]] = Self.facts(row: row) }
        }
        return out
    }

    /// Well below SQLite's limit on a statement's parameters (32,766 since 3.32; 999 before).
    private static let idsPerQuery = 500

    /// The id and listing key (`ListingKey`) of every item of `caseID` (of every item when nil) that an entry
    /// below `size` added, in one query. In log order (`sorted`): the order of a vault's listing, so the
    /// two can be compared in step, without a lookup per item; or by id, for lookups.
    func listingKeys(inCase caseID: String?, below size: Int) -> [(id: String, key: String)] {
        (try? view.read { db in
            var sql = "SELECT id, listing FROM item_facts WHERE idx < ?"
            var arguments: StatementArguments = [size]
            if let caseID {
                sql += " AND case_id = ?"
                arguments += [caseID]
            }
            let rows = try Row.fetchCursor(db, sql: sql + " ORDER BY time, idx", arguments: arguments)
            var out: [(id: String, key: String)] = []
            while let row = try rows.next() { out.append((row[0], row[1])) }
            return out
        }) ?? []
    }

    /// The id and log index of every item of `caseID` that an entry below `size` added.
    func itemIndexes(inCase caseID: String, below size: Int) -> [(id: String, index: Int)] {
        (try? view.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, idx FROM item_facts WHERE case_id = ? AND idx < ?", arguments: [caseID, size]
            ).map { (id: $0[0] as String, index: $0[1] as Int) }
        }) ?? []
    }

    /// The verified state as last saved, or nil when nothing was saved yet. A snapshot that cannot be read
    /// back (damaged tables, a state or frontier that does not decode) is `verifiedStateDamaged`.
    func load() throws -> TrustedLog? {
        do { return try loadSnapshot() } catch let error as DatabaseError where Self.meansDamaged(error) {
            throw VaultError.verifiedStateDamaged(path: path)
        } catch is DecodingError {
            throw VaultError.verifiedStateDamaged(path: path)
        } catch is LogError {
            throw VaultError.verifiedStateDamaged(path: path)
        }
    }

    private func loadSnapshot() throws -> TrustedLog? {
        try view.read { db -> TrustedLog? in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, frontier, state FROM snapshot WHERE id = 1") else {
                return nil
            }
            let size: Int = row["size"]
            let hashes = Array([UInt8](row["frontier"] as Data)).chunked(32)
            var trusted = TrustedLog()
            trusted.state = try JSONDecoder().decode(LogState.self, from: row["state"] as Data)
            trusted.frontier = try MerkleFrontier(size: UInt64(size), hashes: hashes)
            // A state of another size than the tree beside it was not saved by `save`.
            guard trusted.state.size == size else { throw LogError.malformedFrontier }
            trusted.cache = self
            trusted.index = LogIndex(base: size)
            return trusted
        }
    }

    /// Saves `trusted`, moving the items and the index (`LogIndex`) it holds in memory into the tables.
    /// Returns it without them; unchanged when the cache cannot take them (another command saved a longer
    /// log, or the cache was emptied while this one ran, so the index would have a hole).
    func save(_ trusted: TrustedLog) throws -> TrustedLog {
        var saved = trusted
        var stored = false
        try database.write { db in
            let row = try Row.fetchOne(db, sql: "SELECT size, frontier FROM snapshot WHERE id = 1")
            let storedSize: Int = row?["size"] ?? 0
            // Another command may have saved a longer verified log meanwhile: keep the longer one.
            guard storedSize <= trusted.size, storedSize >= trusted.index.base else { return }
            let frontier =
                try row.map {
                    try MerkleFrontier(
                        size: UInt64(storedSize), hashes: Array([UInt8]($0["frontier"] as Data)).chunked(32))
                } ?? MerkleFrontier()
            try saveIndex(db, trusted.index, from: frontier)
            // Prepared once: a batch add saves thousands of items here.
            let insert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO item_facts (id, case_id, class, size, sha256, object, header, "
                    + "metadata, readers, replaces, author, time, idx, listing) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (id, f) in trusted.state.items {
                try insert.execute(
                    arguments: [
                        id, f.caseID, f.itemClass, f.size, f.sha256, f.object, f.headerHash, f.metadataHash,
                        f.readers.joined(separator: ","), f.replaces, f.author, f.time, f.index, f.listingKey,
                    ])
            }
            saved.state.items = [:]
            try db.execute(
                sql: "INSERT OR REPLACE INTO snapshot (id, size, frontier, state) VALUES (1, ?, ?, ?)",
                arguments: [
                    trusted.size, Data(trusted.frontier.hashes.flatMap { $0 }),
                    try JSONEncoder().encode(saved.state),
                ])
            stored = true
        }
        // The new view must be this log's: another command may have saved a longer one since the commit.
        guard stored, let fresh = try? VerifiedCache(database: database, path: path), fresh.size == trusted.size else {
            return trusted
        }
        saved.cache = fresh
        saved.index = LogIndex(base: trusted.size)
        return saved
    }

    /// Adds the index's entries beyond the stored tree (`frontier`): their aligned subtree roots, computed
    /// here from the stored frontier and the verified leaf hashes, and their subjects.
    private func saveIndex(_ db: Database, _ index: LogIndex, from frontier: MerkleFrontier) throws {
        var builder = MerkleNodeBuilder(frontier: frontier)
        let node = try db.cachedStatement(sql: "INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)")
        for entry in Int(frontier.size)..<(index.base + index.count) {
            for made in try builder.append(leafHash: index.leaf(entry)) {
                try node.execute(arguments: [made.level, made.index, Data(made.hash)])
            }
        }
        let subject = try db.cachedStatement(sql: "INSERT OR IGNORE INTO subjects (subject, idx) VALUES (?, ?)")
        for (name, entry) in index.subjects where entry >= Int(frontier.size) {
            try subject.execute(arguments: [name, entry])
        }
    }

    /// The root of an aligned subtree of the verified tree (`Merkle.NodeHashes`), if saved.
    func node(level: Int, index: Int) -> [UInt8]? {
        try? view.read { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT hash FROM nodes WHERE level = ? AND idx = ?"),
                arguments: [level, index]
            ).map { [UInt8]($0) }
        }
    }

    /// The entries below `size` about `subject` (`LogIndex`), in log order.
    func entries(about subject: String, below size: Int) -> [Int] {
        (try? view.read { db in
            try Int.fetchAll(
                db.cachedStatement(sql: "SELECT idx FROM subjects WHERE subject = ? AND idx < ? ORDER BY idx"),
                arguments: [subject, size])
        }) ?? []
    }
}

extension Array where Element == UInt8 {
    fileprivate func chunked(_ size: Int) -> [[UInt8]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
