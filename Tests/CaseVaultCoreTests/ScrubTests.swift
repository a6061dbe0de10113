import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// `verify`: damage in the vault named, repaired from a good backup; unnamed objects swept after their
/// grace period; `--deep` decrypting; and a restore that rolls back what a client had seen, accepted
/// explicitly.
@Suite("Integrity scrub, repair and rollback")
struct ScrubTests {
    @Test(
        "a flipped byte in an object and a missing object are named, with the backup holding a good copy, and repaired from it"
    )
    func damageRepaired() throws {
        let team = try Team()
        let damaged = try team.addItem(randomBytes(3000))
        let missing = try team.addItem(randomBytes(10))
        let dest = BackupTests.destination(team)
        _ = try team.vault.backup(to: dest, by: team.admin)
        #expect(try team.vault.scrub(ScrubOptions()).problems.isEmpty)
        try team.flipObjectByte(of: damaged, at: { $0 / 2 }, bit: 0x10)
        unlink(team.vault.objects.path(of: missing.object))
        let found = try team.vault.scrub(ScrubOptions(knownBackups: [dest, team.folder.file("nowhere")]))
        #expect(
            Set(found.problems.map { "\($0)" })
                == Set(
                    [
                        BackupProblem.objectDamaged(object: damaged.object, item: damaged.id),
                        .objectMissing(object: missing.object, item: missing.id),
                    ].map { "\($0)" }))
        #expect(found.goodCopies == [damaged.object: [dest], missing.object: [dest]])
        let repaired = try team.vault.scrub(ScrubOptions(repairFrom: dest))
        #expect(Set(repaired.repaired) == [damaged.object, missing.object])
        #expect(repaired.problems.isEmpty)
        #expect(try team.vault.scrub(ScrubOptions()).problems.isEmpty)
        #expect(try BackupTests.content(team.vault, missing.id, team.lawyer).count == 10)
    }

    @Test("a backup with a damaged copy repairs nothing, and a backup of another vault is refused")
    func badRepairSource() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(500))
        let dest = BackupTests.destination(team)
        _ = try team.vault.backup(to: dest, by: team.admin)
        try BackupTests.flip(ObjectFiles.path(item.object, in: dest), at: 10)
        try team.flipObjectByte(of: item, at: { $0 - 1 }, bit: 0x01)
        let report = try team.vault.scrub(ScrubOptions(repairFrom: dest, knownBackups: [dest]))
        #expect(report.repaired.isEmpty)
        #expect(report.problems == [.objectDamaged(object: item.object, item: item.id)])
        #expect(report.goodCopies == [item.object: []])
        let other = try Team()
        let otherDest = BackupTests.destination(other)
        _ = try other.vault.backup(to: otherDest, by: other.admin)
        #expect(throws: BackupError.otherVault(path: otherDest, vaultID: other.vault.fingerprint)) {
            try team.vault.scrub(ScrubOptions(repairFrom: otherDest))
        }
    }

    @Test("an object no item names is listed, kept within the grace period and removed after it")
    func orphansSwept() throws {
        let team = try Team()
        _ = try team.addItem(randomBytes(20))
        let bytes = randomBytes(64)
        let name = Hex.encode(try Digest.hash(.sha256, bytes))
        try FileSystem.makeDirectories(team.vaultPath + "/objects/" + String(name.prefix(2)))
        try FileSystem.writeNewFile(ObjectFiles.path(name, in: team.vaultPath), bytes: bytes)
        let kept = try team.vault.scrub(ScrubOptions(grace: 3600))
        #expect(kept.orphans.map(\.object) == [name] && kept.orphans.allSatisfy { !$0.removed })
        #expect(FileSystem.exists(ObjectFiles.path(name, in: team.vaultPath)))
        let swept = try team.vault.scrub(ScrubOptions(grace: 0))
        #expect(swept.orphans.map(\.removed) == [true])
        #expect(!FileSystem.exists(ObjectFiles.path(name, in: team.vaultPath)))
        #expect(swept.problems.isEmpty && swept.items == 1)
    }

    @Test("--deep decrypts what the member can read, and names an item whose stored header was swapped")
    func deep() throws {
        let team = try Team()
        let first = try team.addItem(randomBytes(100))
        let second = try team.addItem(randomBytes(200))
        let clean = try team.vault.scrub(ScrubOptions(deep: true), session: team.lawyer)
        #expect(clean.decrypted == 2 && clean.problems.isEmpty)
        // Evidence goes to lawyers and mentors by default: a social worker decrypts none of it.
        #expect(try team.vault.scrub(ScrubOptions(deep: true), session: team.socialWorker).decrypted == 0)
        try team.vault.database.write { db in
            try db.execute(
                sql: "UPDATE items SET header = (SELECT header FROM items WHERE id = ?) WHERE id = ?",
                arguments: [second.id, first.id])
        }
        // Named without decrypting anything (the row against its signed entry), and by the decryption.
        let shallow = try team.vault.scrub(ScrubOptions())
        #expect(shallow.problems == [.rowNotInLog(item: first.id, field: "header")])
        let found = try team.vault.scrub(ScrubOptions(deep: true), session: team.lawyer)
        #expect(found.decrypted == 1)
        #expect(
            found.problems == [
                .rowNotInLog(item: first.id, field: "header"),
                .contentDamaged(item: first.id, .notInLog(.item(first.id, field: "header"))),
            ])
    }

    @Test("a restore older than what the client saw is refused, lists what it lacks, and is accepted explicitly")
    func rollbackAccepted() throws {
        let team = try Team()
        let state = team.folder.file("state")
        let kept = try team.addItem(randomBytes(30))
        let dest = BackupTests.destination(team)
        _ = try team.vault.backup(to: dest, by: team.admin)
        let lost = try team.addItem(randomBytes(40), caseID: "C-9")
        _ = try Vault.open(at: team.vaultPath, stateFolder: state)
        let target = team.folder.file("restored")
        let restored = try Vault.restore(from: dest, to: target)
        #expect(throws: SignedLogError.self) { try Vault.open(at: target, stateFolder: state) }
        let report = try Vault.rollback(at: target, stateFolder: state)
        #expect(report.restoredSize == restored.size)
        #expect(report.lostItems == [lost.id] && report.lostCases == ["C-9"] && report.lostMembers.isEmpty)
        #expect(report.seenSize > report.restoredSize)
        #expect(throws: SignedLogError.self) { try Vault.open(at: target, stateFolder: state) }
        #expect(throws: VaultError.wrongPassphrase(member: "paula")) {
            try Vault.acceptRollback(at: target, stateFolder: state, keyWorkFactor: testWorkFactor) {
                try $0.unlock("paula", passphrase: secret("wrong"))
            }
        }
        // Nothing was forgotten: the rollback is still refused.
        #expect(throws: SignedLogError.self) { try Vault.open(at: target, stateFolder: state) }
        let accepted = try Vault.acceptRollback(at: target, stateFolder: state, keyWorkFactor: testWorkFactor) {
            try $0.unlock("paula", passphrase: secret("paula passphrase"))
        }
        #expect(accepted == report)
        let vault = try Vault.open(at: target, stateFolder: state)
        let entry = try #require(try vault.auditEntries().last)
        #expect(entry.type == "restore" && entry.author == "paula" && entry.fields["seen"] == String(report.seenSize))
        #expect(try vault.verifyWholeLog().problems.isEmpty)
        #expect(
            try BackupTests.content(vault, kept.id, try vault.unlock("luis", passphrase: secret("luis passphrase")))
                .count == 30)
        #expect(throws: BackupError.noRollback(size: try vault.trusted().size)) {
            try Vault.rollback(at: target, stateFolder: state)
        }
    }
}
