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
/// costs one full verification, never trust.
final class VerifiedCache: Sendable {
    private let database: DatabaseQueue

    /// Opens (creating) the cache of `vaultID` under `folder`.
    init(folder: String, vaultID: String) throws {
        try FileSystem.makeDirectories(folder)
        let path = "\(folder)/\(vaultID).sqlite"
        if !FileSystem.exists(path) { try FileSystem.writeNewFile(path, bytes: [], mode: 0o600) }
        var configuration = Configuration()
        // Two commands of the same user may verify the same vault at once.
        configuration.busyMode = .timeout(Vault.busyTimeout)
        configuration.journalMode = .wal
        database = try DatabaseQueue(path: path, configuration: configuration)
        // The tables are named for this layout (`snapshot`, `item_facts`): a cache of another layout is
        // simply not found, and the log is verified again from its first entry.
        try database.write { db in
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
                        time TEXT NOT NULL, idx INTEGER NOT NULL
                    );
                    CREATE INDEX IF NOT EXISTS item_facts_by_case ON item_facts(case_id);
                    """)
        }
    }

    /// The columns `facts(row:)` reads, by position (a listing decodes thousands).
    private static let factsSelection =
        "SELECT case_id, class, size, sha256, object, header, metadata, readers, replaces, author, time, idx, id "
        + "FROM item_facts"

    private static func facts(row: Row) -> LogState.Item {
        let readers: String = row[7]
        return LogState.Item(
            caseID: row[0], itemClass: row[1], size: row[2], sha256: row[3], object: row[4], headerHash: row[5],
            metadataHash: row[6], readers: readers.split(separator: ",").map(String.init), replaces: row[8],
            author: row[9], time: row[10], index: row[11])
    }

    /// The facts of an item verified earlier.
    func item(_ id: String) -> LogState.Item? {
        try? database.read { db in
            try Row.fetchOne(db, sql: Self.factsSelection + " WHERE id = ?", arguments: [id]).map(Self.facts(row:))
        }
    }

    /// The facts of every item of `caseID` (of every item when nil), by id, in one query: a listing of
    /// 10,000 items must not cost 10,000 lookups.
    func items(inCase caseID: String?) -> [String: LogState.Item] {
        (try? database.read { db in
            let rows =
                try caseID.map {
                    try Row.fetchCursor(db, sql: Self.factsSelection + " WHERE case_id = ?", arguments: [$0])
                } ?? Row.fetchCursor(db, sql: Self.factsSelection)
            var out: [String: LogState.Item] = [:]
            while let row = try rows.next() { out[row[12]] = Self.facts(row: row) }
            return out
        }) ?? [:]
    }

    /// The verified state as last saved, or nil when nothing was saved yet.
    func load() throws -> TrustedLog? {
        try database.read { db -> TrustedLog? in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, frontier, state FROM snapshot WHERE id = 1") else {
                return nil
            }
            let size: Int = row["size"]
            let hashes = Array([UInt8](row["frontier"] as Data)).chunked(32)
            var trusted = TrustedLog()
            trusted.state = try JSONDecoder().decode(LogState.self, from: row["state"] as Data)
            trusted.frontier = try MerkleFrontier(size: UInt64(size), hashes: hashes)
            guard trusted.state.size == size else { return nil }
            trusted.cache = self
            return trusted
        }
    }

    /// Saves `trusted`, moving the items it holds in memory into the table. Returns it without them.
    func save(_ trusted: TrustedLog) throws -> TrustedLog {
        var saved = trusted
        try database.write { db in
            // Another command may have saved a longer verified log meanwhile: keep the longer one.
            if let stored = try Int.fetchOne(db, sql: "SELECT size FROM snapshot WHERE id = 1"), stored > trusted.size {
                return
            }
            for (id, f) in trusted.state.items {
                // One prepared statement for all rows: preparing it per row cost more than the row.
                try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO item_facts (id, case_id, class, size, sha256, object, header, "
                        + "metadata, readers, replaces, author, time, idx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ).execute(
                    arguments: [
                        id, f.caseID, f.itemClass, f.size, f.sha256, f.object, f.headerHash, f.metadataHash,
                        f.readers.joined(separator: ","), f.replaces, f.author, f.time, f.index,
                    ])
            }
            saved.state.items = [:]
            try db.execute(
                sql: "INSERT OR REPLACE INTO snapshot (id, size, frontier, state) VALUES (1, ?, ?, ?)",
                arguments: [
                    trusted.size, Data(trusted.frontier.hashes.flatMap { $0 }),
                    try JSONEncoder().encode(saved.state),
                ])
        }
        saved.cache = self
        return saved
    }
}

extension Array where Element == UInt8 {
    fileprivate func chunked(_ size: Int) -> [[UInt8]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
