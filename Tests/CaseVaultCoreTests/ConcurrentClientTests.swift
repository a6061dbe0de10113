import CaseVaultAge
import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CaseVaultCore

/// Several processes may use one vault (FORMAT.md, "Concurrency"). Here each is a `Vault` opened on the same
/// folder, with its own database connections, verified log and view of the verified cache, as another
/// process's would be; the other's command runs at the exact moment a race would put it. Honest concurrency
/// must never look like tampering: a record is compared with the log as it was when the record was read.
@Suite("Concurrent clients: no false tampering alarms")
struct ConcurrentClientTests {
    /// The team's vault (the first client) and lucia, a second lawyer, with three legal items in case C-1.
    static func teamWithItems() throws -> (Team, MemberSession, [Item]) {
        let (team, lucia) = try RotationTests.teamWithTwoLawyers()
        var items: [Item] = []
        for n in 0..<3 { items.append(try team.addItem(Array("item \(n)".utf8), itemClass: .legal, name: "f\(n).txt")) }
        return (team, lucia, items)
    }

    /// Two clients of one user (one verified cache, in `state`), both opened now: each reads the cache as
    /// it is at this moment.
    static func clientsSharingCache(_ team: Team, state: TemporaryFolder) throws -> (first: Vault, other: Vault) {
        (
            try Vault.open(at: team.vaultPath, stateFolder: state.path),
            try Vault.open(at: team.vaultPath, stateFolder: state.path)
        )
    }

    @Test("a case made after another client rotated a role's key is encrypted to the new key, not refused")
    func caseAfterRotation() throws {
        let (team, _, _) = try Self.teamWithItems()
        let other = try Vault.open(at: team.vaultPath)
        let rotation = try other.rotate(role: "lawyer", by: team.admin)
        // The first client has not seen the rotation: its transaction reads generation 2 from the folder.
        let made = try team.vault.createCase(id: "C-2", title: "Título", by: team.lawyer)
        #expect(made.readers.contains("lawyer"))
        let readers = try team.vault.read { db in
            try Row.fetchAll(db, sql: "SELECT role, generation FROM case_readers WHERE case_id = 'C-2'")
        }
        #expect(readers.contains { $0["role"] == "lawyer" && $0["generation"] == rotation.generation })
        #expect(try other.showCase("C-2", as: team.lawyer).title == "Título")
    }

    @Test("a key forged in the folder after another client's rotation is still refused")
    func forgedKeyAfterRotation() throws {
        let (team, _, _) = try Self.teamWithItems()
        let other = try Vault.open(at: team.vaultPath)
        let rotation = try other.rotate(role: "lawyer", by: team.admin)
        let attacker = try X25519Identity.generate().recipient.description
        try other.database.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE role_generations SET recipient = ? WHERE role = 'lawyer' AND generation = ?",
                arguments: [attacker, rotation.generation])
        }
        #expect(throws: VaultError.notInLog(.roleKey(role: "lawyer", generation: rotation.generation))) {
            try team.vault.createCase(id: "C-2", by: team.lawyer)
        }
    }

    @Test("verify compares the rows with the log of the same moment, after another client's rotation")
    func verifyAfterRotation() throws {
        let (team, lucia, _) = try Self.teamWithItems()
        let other = try Vault.open(at: team.vaultPath)
        try other.rotate(role: "lawyer", by: team.admin)
        _ = try other.rewrap(role: "lawyer", by: lucia)
        #expect(try team.vault.scrub(ScrubOptions()).problems.isEmpty)
    }

    @Test("a client replays a rewrap that another client of the same user saved to the cache meanwhile")
    func rewrapSavedByAnother() throws {
        let (team, lucia, items) = try Self.teamWithItems()
        let state = try TemporaryFolder()
        // Both opened before the rotation.
        let (first, other) = try Self.clientsSharingCache(team, state: state)
        try other.rotate(role: "lawyer", by: team.admin)
        #expect(try other.rewrap(role: "lawyer", by: lucia).items == 3)
        // The cache now holds the items as rewrapped; the first client replays the rewrap from before it.
        let out = team.folder.file("out")
        try first.get(items[0].id, to: .file(path: out), by: team.lawyer)
        #expect(try readFile(out) == Array("item 0".utf8))
        #expect(try first.verifyWholeLog().problems.isEmpty)
    }

    @Test("an item read before another client rewraps it is compared with the log of that moment")
    func itemReadDuringRewrap() throws {
        let (team, lucia, items) = try Self.teamWithItems()
        let state = try TemporaryFolder()
        let (first, other) = try Self.clientsSharingCache(team, state: state)
        let record = try first.read { db in
            // The other client commits its rotation and rewrap, and saves them to the cache, while this
            // transaction still sees the folder (and so the item's header) as it was.
            try other.rotate(role: "lawyer", by: team.admin)
            _ = try other.rewrap(role: "lawyer", by: lucia)
            return try first.itemRecord(db, items[0].id)
        }
        #expect(record.generations["lawyer"] == 1)
        // The next transaction sees both the new header and the rewrap.
        let now = try first.read { db in try first.itemRecord(db, items[0].id) }
        #expect(now.generations["lawyer"] == 2)
    }

    @Test("an add during another client's rotation fails as 'changed, try again', and writes nothing")
    func addDuringRotation() throws {
        let (team, _, _) = try Self.teamWithItems()
        let other = try Vault.open(at: team.vaultPath)
        let path = try team.folder.write("acta.txt", Array("acta".utf8))
        let rotated = Mutex(false)
        // Encrypted whole before the write transaction (limit 0); the rotation lands between the two.
        var options = AddOptions(itemClass: .legal) { _, _, _ in
            let first = rotated.withLock { done in
                defer { done = true }
                return !done
            }
            if first { _ = try? other.rotate(role: "lawyer", by: team.admin) }
        }
        options.lockedEncryptionLimit = 0
        let before = try team.vault.items(inCase: "C-1").count
        #expect(throws: VaultError.roleKeyChanged(role: "lawyer")) {
            try team.vault.add(caseID: "C-1", files: [path], options: options, by: team.lawyer)
        }
        #expect(rotated.withLock { $0 })
        #expect(try team.vault.items(inCase: "C-1").count == before)
        // Run again, it is encrypted to the new key.
        let item = try team.vault.add(
            caseID: "C-1", files: [path], options: AddOptions(itemClass: .legal), by: team.lawyer)[0]
        let record = try team.vault.read { db in try team.vault.itemRecord(db, item.id) }
        #expect(record.generations["lawyer"] == 2)
    }
}
