import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CaseVaultCore

/// `verify`, `backup` and `backup verify` compare every working-table row with the signed log, including rows
/// no command has read yet: a header swapped for another item's (the only copy of the item's wrapped file
/// key) would otherwise pass all three, and the next backup would copy it over the good one.
@Suite("Working tables against the log: verify, backup, backup verify")
struct RowCheckTests {
    /// A team with two items and a backup of them; `sql` then runs on the vault's database with the triggers
    /// dropped, as an attacker with `sqlite3` would.
    func tampered(_ sql: (_ a: Item, _ b: Item) -> String) throws -> (Team, [Item]) {
        let team = try Team()
        let items = [try team.addItem(Array("uno".utf8)), try team.addItem(Array("dos".utf8))]
        try tamperAsAttacker(team.vault.database, sql(items[0], items[1]))
        return (team, items)
    }

    func verifyProblems(_ team: Team) throws -> [BackupProblem] {
        try Vault.open(at: team.vaultPath).scrub(ScrubOptions()).problems
    }

    /// A backup refuses to copy the damage, and the good copy it made before stays as it was.
    func expectBackupRefused(_ team: Team, naming problem: BackupProblem) throws {
        let folder = team.folder.file("backup")
        let vault = try Vault.open(at: team.vaultPath)
        do {
            _ = try vault.backup(to: folder, by: team.lawyer)
            Issue.record("the backup copied a database that disagrees with its log")
        } catch BackupError.vaultDisagreesWithLog(let problems) {
            #expect(problems.contains(problem))
        }
    }

    @Test("a header swapped for another item's is named by verify, refused by backup")
    func swappedHeader() throws {
        let (team, items) = try tampered { a, b in
            "UPDATE items SET header = (SELECT header FROM items WHERE id = '\(b.id)') WHERE id = '\(a.id)'"
        }
        #expect(try verifyProblems(team) == [.rowNotInLog(item: items[0].id, field: "header")])
        try expectBackupRefused(team, naming: .rowNotInLog(item: items[0].id, field: "header"))
    }

    @Test("swapped metadata and a changed size are named")
    func swappedMetadataAndSize() throws {
        let (team, items) = try tampered { a, b in
            "UPDATE items SET metadata = (SELECT metadata FROM items WHERE id = '\(b.id)'), size = 99 WHERE id = '\(a.id)'"
        }
        // The size is compared first, as every report of the item does.
        #expect(try verifyProblems(team) == [.rowNotInLog(item: items[0].id, field: "size")])
    }

    @Test("a deleted item row is named, and no backup is taken without it")
    func deletedRow() throws {
        let (team, items) = try tampered { a, _ in
            "DELETE FROM item_readers WHERE item = '\(a.id)'; DELETE FROM items WHERE id = '\(a.id)'"
        }
        #expect(try verifyProblems(team) == [.rowMissing(item: items[0].id)])
        try expectBackupRefused(team, naming: .rowMissing(item: items[0].id))
        // Nor does a listing leave it out without a word, of the vault or of its case.
        for caseID in [nil, items[0].caseID] {
            #expect(throws: VaultError.notInLog(.item(items[0].id, field: "row missing"))) {
                try Vault.open(at: team.vaultPath).items(inCase: caseID)
            }
        }
    }

    @Test("a value of the wrong type written into a row is named, not a crash")
    func wrongType() throws {
        let (team, items) = try tampered { a, _ in "UPDATE items SET size = 'abc' WHERE id = '\(a.id)'" }
        // Read as a number it is not the signed size; refused by the decoder, the rows are unreadable: named
        // either way.
        let problems = try verifyProblems(team)
        #expect(
            problems == [.rowNotInLog(item: items[0].id, field: "size")]
                || problems == [.databaseUnreadable("some of its rows cannot be read")], "\(problems)")
    }

    @Test("role keys, members and memberships the log does not say are named")
    func tables() throws {
        let attacker = try X25519Identity.generate().recipient.description
        let (team, _) = try tampered { _, _ in
            """
            UPDATE role_generations SET recipient = '\(attacker)' WHERE role = 'lawyer';
            UPDATE members SET removed_at = '2026-01-01T00:00:00Z' WHERE name = 'paula';
            INSERT INTO memberships (member, role, granted_at, granted_by)
                SELECT id, 'admin', '2026-01-01T00:00:00Z', id FROM members WHERE name = 'luis';
            """
        }
        let problems = try verifyProblems(team)
        let expected: [BackupProblem] = [
            .recordNotInLog("the key of role lawyer, generation 1"),
            .recordNotInLog("whether member paula is removed"),
            .recordNotInLog("member luis holding role admin"),
        ]
        #expect(problems.count == expected.count && expected.allSatisfy(problems.contains))
    }

    @Test("backup verify names a backup's header swapped after it was taken")
    func backupTampered() throws {
        let team = try Team()
        let items = [try team.addItem(Array("uno".utf8)), try team.addItem(Array("dos".utf8))]
        let folder = team.folder.file("backup")
        try team.vault.backup(to: folder, by: team.lawyer)
        #expect(try Vault.verifyBackup(at: folder).problems.isEmpty)
        let queue = try DatabaseQueue(path: folder + "/vault.sqlite")
        try tamperAsAttacker(
            queue, "UPDATE items SET header = (SELECT header FROM items WHERE id = ?) WHERE id = ?",
            [items[1].id, items[0].id])
        try queue.close()
        #expect(try Vault.verifyBackup(at: folder).problems == [.rowNotInLog(item: items[0].id, field: "header")])
    }
}

/// An object file replaced by a FIFO (or a device) must make a clear error, never a hang: reading a FIFO with
/// no writer blocks forever. Each check runs on another thread; one still blocked after 20 s fails the test,
/// and is then released (a writer opened and closed on the FIFO gives its reader an end of file) so that the
/// suite goes on.
@Suite("Objects that are not regular files")
struct NonRegularObjectTests {
    func withFIFO(replacing item: Item, in folder: String) throws -> String {
        let path = ObjectFiles.path(item.object, in: folder)
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        return path
    }

    func finishes<T: Sendable>(_ fifo: String, _ body: @escaping @Sendable () throws -> T) throws -> T? {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, Error>?>(nil)
        Thread.detachNewThread {
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        if done.wait(timeout: .now() + 20) == .timedOut {
            Issue.record("blocked on the FIFO \(fifo)")
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            done.wait()
            return nil
        }
        return try result.withLock { $0 }!.get()
    }

    @Test("verify and get name a FIFO object as damage")
    func vaultFIFO() throws {
        let team = try Team()
        let item = try team.addItem(Array("uno".utf8))
        let fifo = try withFIFO(replacing: item, in: team.vaultPath)
        let problems = try finishes(fifo) { try team.vault.scrub(ScrubOptions()).problems }
        #expect(problems == [.objectDamaged(object: item.object, item: item.id)])
        let out = team.folder.file("out")
        let error = try finishes(fifo) { () -> VaultError? in
            do { try team.vault.get(item.id, to: .file(path: out), by: team.lawyer) } catch let error as VaultError {
                return error
            }
            return nil
        }
        #expect(error == .integrityFailure(subject: .item(item.id), damage: .objectNotRegularFile))
    }

    @Test("verify-bundle names a FIFO put in place of a bundle's checkpoint, and goes no further")
    func bundleFIFO() throws {
        let (team, _, _, folder) = try BundleTamperTests().bundle()
        defer { withExtendedLifetime(team) {} }
        let fifo = folder + "/data/checkpoint.txt"
        unlink(fifo)
        #expect(mkfifo(fifo, 0o600) == 0)
        let result = try finishes(fifo) { try CustodyBundle.verify(folder: folder) }
        #expect(result?.ok == false)
    }

    @Test("backup verify names a FIFO object in a backup folder as damage")
    func backupFIFO() throws {
        let team = try Team()
        let item = try team.addItem(Array("uno".utf8))
        let folder = team.folder.file("backup")
        try team.vault.backup(to: folder, by: team.lawyer)
        let fifo = try withFIFO(replacing: item, in: folder)
        let problems = try finishes(fifo) { try Vault.verifyBackup(at: folder).problems }
        #expect(problems?.contains(.objectDamaged(object: item.object, item: item.id)) == true)
    }
}
