import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// A vault opened for reading only (detected on read-only media; asked for with `readOnly`): it reads, it
/// verifies, it writes nothing, and it refuses what would write. A copy taken while the vault was in use can
/// hold committed items in `vault.sqlite-wal` alone: they are read, or the copy is refused, never missed.
@Suite("Vaults on read-only media")
struct ReadOnlyVaultTests {
    /// Copies the vault folder while `team`'s vault is open (its last commits still in the WAL).
    func copyInUse(_ team: Team, withIndex: Bool) throws -> String {
        let copy = team.folder.file(withIndex ? "copy-with-shm" : "copy-without-shm")
        try FileManager.default.copyItem(atPath: team.vaultPath, toPath: copy)
        let wal = try FileManager.default.attributesOfItem(atPath: "\(copy)/vault.sqlite-wal")[.size] as? Int
        #expect((wal ?? 0) > 0, "the copy should hold commits in its write-ahead log")
        if !withIndex { try FileManager.default.removeItem(atPath: "\(copy)/vault.sqlite-shm") }
        return copy
    }

    @Test("read-only: listing, showing and verifying work; writing is refused and nothing in the folder changes")
    func readsButNeverWrites() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8))
        let copy = try copyInUse(team, withIndex: true)
        let before = try FileManager.default.subpathsOfDirectory(atPath: copy).sorted()
        let vault = try Vault.open(at: copy, readOnly: true)
        #expect(try vault.items(inCase: "C-1").map(\.id) == [item.id])
        #expect(try vault.verifyWholeLog().problems.isEmpty)
        let path = try team.folder.write("more.txt", Array("more".utf8))
        #expect(throws: VaultError.readOnlyVault(path: copy, pendingLog: false)) {
            try vault.add(caseID: "C-1", files: [path], by: team.lawyer)
        }
        #expect(throws: VaultError.readOnlyVault(path: copy, pendingLog: false)) {
            try vault.get(item.id, to: .file(path: team.folder.file("out")), by: team.lawyer)
        }
        #expect(!FileManager.default.fileExists(atPath: team.folder.file("out")))
        let after = try FileManager.default.subpathsOfDirectory(atPath: copy).sorted()
        #expect(after == before, "\(Set(after).symmetricDifference(before).sorted())")
    }

    @Test("a copy whose commits sit in vault.sqlite-wal without its -shm index is refused, not read short")
    func pendingLogWithoutIndex() throws {
        let team = try Team()
        _ = try team.addItem(Array("acta".utf8))
        let copy = try copyInUse(team, withIndex: false)
        #expect(throws: VaultError.readOnlyVault(path: copy, pendingLog: true)) {
            try Vault.open(at: copy, readOnly: true)
        }
    }

    @Test("an immutable open reads a vault whose write-ahead log was folded in, and escapes the path for SQLite")
    func immutableLocation() {
        #expect(
            DatabaseAccess.readOnly(immutable: true).location(of: "/m/a?b#c%d/vault.sqlite")
                == "file:/m/a%3fb%23c%25d/vault.sqlite?immutable=1")
        #expect(DatabaseAccess.readOnly(immutable: false).location(of: "/m/vault.sqlite") == "/m/vault.sqlite")
        #expect(DatabaseAccess.readWrite.location(of: "/m/vault.sqlite") == "/m/vault.sqlite")
    }

    @Test("a vault closed cleanly on read-only media opens immutable, with no -shm or -wal made beside it")
    func closedVaultOpensImmutable() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8))
        let copy = team.folder.file("closed")
        // A copy without the write-ahead files: what a vault closed cleanly leaves.
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        try team.vault.database.backup(to: try GRDB.DatabaseQueue(path: "\(copy)/vault.sqlite"))
        let vault = try Vault.open(at: copy, readOnly: true)
        #expect(vault.databaseAccess == .readOnly(immutable: true))
        #expect(try vault.items(inCase: "C-1").map(\.id) == [item.id])
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy) == ["vault.sqlite"])
    }

    @Test("a vault an earlier release made opens read-only without the migrations reading does not need, not others")
    func earlierReleaseReadOnly() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8))
        // Copies as an earlier release left them: without the recovery tables and the replaced-by index
        // (and, for the second, without the custody remarks too).
        func earlierCopy(_ name: String, lacking migrations: [String]) throws -> String {
            let copy = team.folder.file(name)
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
            let queue = try GRDB.DatabaseQueue(path: "\(copy)/vault.sqlite")
            try team.vault.database.backup(to: queue)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "DROP TABLE recovery_envelopes; DROP TABLE recovery_keys")
                try db.execute(sql: "DROP INDEX items_by_replaces")
                for migration in migrations {
                    try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [migration])
                }
            }
            try queue.close()
            return copy
        }
        let readable = try earlierCopy("release-4", lacking: ["v5 recovery key", "v6 replaced-by index"])
        let vault = try Vault.open(at: readable, readOnly: true)
        #expect(try vault.items(inCase: "C-1").map(\.id) == [item.id])
        #expect(try vault.showItem(item.id).item.id == item.id)
        #expect(try vault.verifyWholeLog().problems.isEmpty)
        #expect(try vault.recoveryStatus().keyID == nil)
        let older = try earlierCopy(
            "release-3", lacking: ["v4 custody remarks", "v5 recovery key", "v6 replaced-by index"])
        #expect(throws: VaultError.readOnlyVault(path: older, pendingLog: false)) {
            try Vault.open(at: older, readOnly: true)
        }
        // Opened for writing, the same copy is brought up to date.
        let upgraded = try Vault.open(at: readable)
        #expect(try upgraded.read { db in try Schema.pendingMigrations(db) }.isEmpty)
    }
}
