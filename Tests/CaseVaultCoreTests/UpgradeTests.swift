import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// A vault made before vaults had a signed log: its tables are as the earlier release left them, and its
/// log is empty. Made here by taking a vault and removing its log, which leaves exactly that state.
@Suite("Upgrading a vault made before the signed log")
struct UpgradeTests {
    func preLogVault() throws -> (Team, [UInt8]) {
        let team = try Team()
        let content = randomBytes(5000)
        _ = try team.addItem(content, itemClass: .legal, name: "acta.pdf")
        try team.vault.database.writeWithoutTransaction { db in try Self.removeLog(db) }
        return (team, content)
    }

    /// Leaves a vault's tables as a release before the signed log left them: no entry, no checkpoint.
    static func removeLog(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TRIGGER log_entries_append_only_delete;
                DELETE FROM log_entries; DELETE FROM log_checkpoints;
                UPDATE settings SET value = '00112233445566778899aabbccddeeff' WHERE key = 'vault_id';
                """)
    }

    @Test("an old vault refuses work until an admin upgrades it; then every item reads and the log verifies")
    func upgrade() throws {
        let (team, content) = try preLogVault()
        let old = try Vault.open(at: team.vaultPath)
        #expect(!old.hasSignedLog)
        let lawyer = try old.unlock("luis", passphrase: secret("luis passphrase"))
        #expect(throws: SignedLogError.noLog) { try old.items() }
        #expect(throws: VaultError.notPermitted(.adminOnly(.upgradeVault))) {
            try old.upgradeToSignedLog(by: lawyer)
        }
        let admin = try old.unlock("ana", passphrase: secret("ana passphrase"))
        let upgraded = try old.upgradeToSignedLog(by: admin)
        #expect(upgraded.hasSignedLog)
        #expect(upgraded.fingerprint != "00112233445566778899aabbccddeeff")
        let report = try upgraded.verifyWholeLog()
        #expect(report.problems.isEmpty && report.checkpointMatches)
        let items = try upgraded.items()
        #expect(items.count == 1)
        let luis = try upgraded.unlock("luis", passphrase: secret("luis passphrase"))
        let out = team.folder.file("out.pdf")
        try upgraded.get(items[0].id, to: .file(path: out), by: luis)
        #expect(try readFile(out) == content)
        // Work goes on, in the log, after the attested entries.
        _ = try upgraded.add(caseID: "C-1", files: [try team.folder.write("b.txt", [1])], by: luis)
        #expect(try upgraded.verifyWholeLog().problems.isEmpty)
        #expect(throws: SignedLogError.alreadyUpgraded) { try upgraded.upgradeToSignedLog(by: luis) }
    }
}

@Suite("Signed log: refused reads are on the record")
struct AccessRefusedTests {
    @Test("a member refused an item signs an access.refused entry; the log still verifies")
    func refusalLogged() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8), itemClass: .legal)
        #expect(throws: VaultError.notAReader(subject: .item(item.id), readers: ["lawyer", "mentor"])) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("out")), by: team.psychologist)
        }
        let last = try #require(try team.vault.auditEntries().last)
        #expect(last.type == "access.refused" && last.author == "paula" && last.fields["item"] == item.id)
        let report = try team.vault.verifyWholeLog()
        #expect(report.problems.isEmpty && report.checkpointMatches)
    }
}

@Suite("Signed log: whole-log verification")
struct WholeLogTests {
    @Test("the whole log verifies to the tree this client keeps, and a changed signature is named")
    func wholeLog() throws {
        let team = try Team()
        for n in 0..<3 { _ = try team.addItem(randomBytes(100 + n), name: "f\(n).bin") }
        let report = try team.vault.verifyWholeLog()
        let (size, root) = try team.vault.trust.withLock { ($0.size, Hex.encode(try $0.currentRoot())) }
        #expect(report.problems.isEmpty && report.checkpointMatches)
        #expect(report.size == size && report.root == root)
        // A signature changed in the folder: the parallel pass gives up and the ordered one names the entry.
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    DROP TRIGGER log_entries_append_only_update;
                    UPDATE log_entries SET note = CAST(replace(CAST(note AS TEXT), char(10) || '— luis ', char(10) || '— luis A') AS BLOB), leaf_hash = leaf_hash WHERE idx = ?;
                    """, arguments: [size - 1])
            let note = try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [size - 1])!
            try db.execute(
                sql: "UPDATE log_entries SET leaf_hash = ? WHERE idx = ?",
                arguments: [Data(try Merkle.leafHash([UInt8](note))), size - 1])
        }
        let damaged = try team.vault.verifyWholeLog()
        #expect(damaged.problems.contains { if case .entry(index: size - 1, _) = $0 { true } else { false } })
    }
}
