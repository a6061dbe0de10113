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
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS verified (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        size INTEGER NOT NULL,
                        frontier BLOB NOT NULL,
                        state BLOB NOT NULL
                    );
                    CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY NOT NULL, facts BLOB NOT NULL);
                    """)
        }
    }

    /// The facts of an item verified earlier.
    func item(_ id: String) -> LogState.Item? {
        try? database.read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT facts FROM items WHERE id = ?", arguments: [id]) else {
                return nil
            }
            return try JSONDecoder().decode(LogState.Item.self, from: data)
        }
    }

    /// The verified state as last saved, or nil when nothing was saved yet.
    func load() throws -> TrustedLog? {
        try database.read { db -> TrustedLog? in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, frontier, state FROM verified WHERE id = 1") else {
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
            if let stored = try Int.fetchOne(db, sql: "SELECT size FROM verified WHERE id = 1"), stored > trusted.size {
                return
            }
            for (id, facts) in trusted.state.items {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO items (id, facts) VALUES (?, ?)",
                    arguments: [id, try JSONEncoder().encode(facts)])
            }
            saved.state.items = [:]
            try db.execute(
                sql: "INSERT OR REPLACE INTO verified (id, size, frontier, state) VALUES (1, ?, ?, ?)",
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
