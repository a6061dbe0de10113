import CaseVaultAge
import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// The recovery key: set up, sealed to, restored from, and attacked.
@Suite("Recovery key")
struct RecoveryTests {
    /// The team with a 3-of-5 recovery key set by ana, the lawyer's older keys sealed by luis; its shares.
    static func teamWithRecovery() throws -> (Team, RecoverySetup) {
        let team = try Team()
        let setup = try team.vault.initRecovery(threshold: 3, count: 5, by: team.admin)
        try team.vault.sealToRecovery(by: team.lawyer)
        return (team, setup)
    }

    func restore(_ team: Team, _ shares: [RecoveryShare], name: String = "nora") throws -> RecoveryRestore {
        try team.vault.restoreFromRecovery(shares: shares, name: name, newPassphrase: secret("\(name) passphrase"))
    }

    func readItem(_ team: Team, _ item: Item, as session: MemberSession) throws -> [UInt8] {
        let path = team.folder.file("out-\(item.id)-\(session.member)")
        try team.vault.get(item.id, to: .file(path: path), by: session)
        defer { unlink(path) }
        return try readFile(path)
    }

    @Test("the drill: every admin passphrase lost, K shares admit a new admin who reads old and new items")
    func drill() throws {
        let team = try Team()
        let oldBytes = randomBytes(500)
        let old = try team.addItem(oldBytes)
        let setup = try team.vault.initRecovery(threshold: 3, count: 5, by: team.admin)
        #expect(setup.shares.count == 5 && setup.shares.allSatisfy { $0.keyID == setup.keyID })
        // ana holds only admin: the lawyer's key is sealed by its holder, and rotations seal themselves.
        #expect(try team.vault.recoveryStatus().uncovered["lawyer"] == [1])
        #expect(try team.vault.sealToRecovery(by: team.lawyer) == 1)
        try team.vault.rotate(role: "lawyer", by: team.lawyer)
        #expect(try team.vault.recoveryStatus().uncovered["lawyer"] == nil)
        let newBytes = randomBytes(700)
        let new = try team.addItem(newBytes, name: "new.bin")
        // Roles nobody sealed stay uncovered (and are warned about); the restore keeps what was covered.
        let uncoveredBefore = try team.vault.recoveryStatus().uncovered
        #expect(uncoveredBefore == ["psychologist": [1], "social-worker": [1], "mentor": [1]])
        // ana's passphrase is lost: nobody can unlock as an admin. Three keepers bring shares 1, 3 and 5.
        let restored = try restore(team, [setup.shares[0], setup.shares[2], setup.shares[4]])
        #expect(restored.member.roles.contains("admin") && restored.member.roles.contains("lawyer"))
        let nora = try team.vault.unlock("nora", passphrase: secret("nora passphrase"))
        #expect(try readItem(team, old, as: nora) == oldBytes)
        #expect(try readItem(team, new, as: nora) == newBytes)
        // nora acts as an admin.
        try team.vault.addMember(name: "eva", newPassphrase: secret("eva passphrase"), roles: [], by: nora)
        // The recovery key was replaced, and every key sealed to it again.
        let status = try team.vault.recoveryStatus()
        #expect(status.keyID != setup.keyID && status.keyID == restored.shares[0].keyID)
        #expect(status.uncovered == uncoveredBefore)
        // The old shares match nothing now: no restore, and no envelope left in the vault for their key to open
        // offline (the role keys sealed to it, lawyer's current one among them).
        #expect(throws: VaultError.recoveryRefused(.replacedKey(keyID: setup.keyID))) {
            try restore(team, Array(setup.shares.prefix(3)), name: "mallory")
        }
        let leftOver = try team.vault.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM recovery_envelopes WHERE key_id = ?", arguments: [setup.keyID])
        }
        #expect(leftOver == 0)
        // The new shares work (another drill, another new admin), and the whole log verifies.
        _ = try restore(team, Array(restored.shares.suffix(3)), name: "omar")
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        #expect(throws: Never.self) { try Vault.open(at: team.vaultPath) }
    }

    @Test("K-1 shares are refused, and change nothing")
    func tooFew() throws {
        let (team, setup) = try Self.teamWithRecovery()
        let before = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entries") }
        #expect(throws: VaultError.recoveryRefused(.tooFewShares(have: 2, need: 3))) {
            try restore(team, Array(setup.shares.prefix(2)))
        }
        let after = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entries") }
        #expect(before == after)
        #expect(!FileManager.default.fileExists(atPath: team.vault.keyFilePath(for: "nora")))
    }

    @Test("shares of two recovery keys, the same share twice, or another vault's are refused")
    func mixedAndDuplicate() throws {
        let (team, setup) = try Self.teamWithRecovery()
        let other = try team.vault.initRecovery(threshold: 3, count: 5, by: team.admin)
        #expect(throws: VaultError.recoveryRefused(.mixedShares)) {
            try restore(team, [setup.shares[0], setup.shares[1], other.shares[2]])
        }
        #expect(throws: VaultError.recoveryRefused(.duplicateShare(index: 1))) {
            try restore(team, [other.shares[0], other.shares[1], other.shares[0]])
        }
        // The replaced key's shares, all of one key, are named as such.
        #expect(throws: VaultError.recoveryRefused(.replacedKey(keyID: setup.keyID))) {
            try restore(team, Array(setup.shares.prefix(3)))
        }
        let elsewhere = try Self.teamWithRecovery().1.shares
        #expect(throws: VaultError.self) { try restore(team, Array(elsewhere.prefix(3))) }
    }

    @Test("a share whose index was changed (checksums recomputed) combines to a wrong key, which is refused")
    func changedIndex() throws {
        let (team, setup) = try Self.teamWithRecovery()
        let forged = RecoveryShare(
            vaultID: setup.shares[0].vaultID, keyID: setup.keyID, index: 4, threshold: 3, count: 5,
            value: setup.shares[0].value)
        // It even reads back from paper: only the combined key shows it is wrong.
        let typed = try RecoveryShare.parse(try forged.text(), source: "forged")
        #expect(throws: VaultError.recoveryRefused(.sharesDoNotMatch)) {
            try restore(team, [typed, setup.shares[1], setup.shares[2]])
        }
        // A share with its threshold lowered to 2, so that two would do: the result is refused too.
        let lowered = setup.shares.prefix(2).map {
            RecoveryShare(
                vaultID: $0.vaultID, keyID: $0.keyID, index: $0.index, threshold: 2, count: 5, value: $0.value)
        }
        #expect(throws: VaultError.recoveryRefused(.sharesDoNotMatch)) { try restore(team, lowered) }
    }

    @Test("a recovery recipient substituted in the database is refused, and nothing is sealed to it")
    func substitutedRecipient() throws {
        let (team, _) = try Self.teamWithRecovery()
        let attacker = try X25519Identity.generate()
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE recovery_keys SET recipient = ? WHERE retired_at IS NULL",
                arguments: [attacker.recipient.description])
        }
        let vault = try Vault.open(at: team.vaultPath)
        let lawyer = try vault.unlock("luis", passphrase: secret("luis passphrase"))
        let before = try vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM recovery_envelopes") }
        #expect(throws: VaultError.notInLog(.recoveryKey)) { try vault.rotate(role: "lawyer", by: lawyer) }
        #expect(throws: VaultError.notInLog(.recoveryKey)) { try vault.sealToRecovery(by: lawyer) }
        #expect(throws: VaultError.notInLog(.recoveryKey)) { try vault.recoveryStatus() }
        let envelopes = try vault.read { db in try Data.fetchAll(db, sql: "SELECT envelope FROM recovery_envelopes") }
        #expect(envelopes.count == before)
        for envelope in envelopes {
            #expect(try SealedBlob.open(Array(envelope), identities: [attacker], subject: .caseMetadata("x")) == nil)
        }
    }

    @Test("a recovery.restore signed by anything but the recovery key is rejected by audit verify")
    func forgedRestore() throws {
        let (team, _) = try Self.teamWithRecovery()
        let newcomer = try MemberKeys.generate()
        for signer in [try MemberKeys.generate(), try MemberKeys.generate()] {
            let (entry, count) = try Self.restoreEntry(admitting: "eve", newcomer, in: team)
            let note = try LogAuthor(name: "eve", keys: signer).signedNote(entry.body).bytes
            try tamperAsAttacker(
                team.vault.database, "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)",
                [count, Data(note), Data(try Merkle.leafHash(note))])
            #expect(try team.vault.verifyWholeLog().problems == [.entry(index: count, problem: .badSignature)])
            #expect(throws: SignedLogError.entry(index: count, problem: .badSignature)) {
                try Vault.open(at: team.vaultPath)
            }
            try team.vault.database.writeWithoutTransaction { db in
                try db.execute(sql: "DELETE FROM log_entries WHERE idx = ?", arguments: [count])
            }
        }
    }

    /// An unsigned `recovery.restore` that admits `name` (with `newcomer`'s keys) as admin, made against the
    /// end of `team`'s log, and the log's size (its index once appended).
    static func restoreEntry(admitting name: String, _ newcomer: MemberKeys, in team: Team) throws -> (LogEntry, Int) {
        let count = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entries") ?? 0 }
        let root = try team.vault.trust.withLock { try $0.currentRoot() }
        let keyID = try #require(try team.vault.recoveryStatus().keyID)
        let entry = LogEntry(
            type: .recoveryRestore, vault: team.vault.vaultID, previousSize: count, previousRoot: root,
            time: "2026-12-01T10:00:00Z", author: name,
            fields: [
                ("key-id", keyID), ("member", name), ("recipient", newcomer.recipient),
                ("signing-key", newcomer.signingPublicKeyHex), ("role", "admin"),
            ])
        return (entry, count)
    }

    @Test("setting up recovery is for admins, with 2 <= K <= N <= 255")
    func initRules() throws {
        let team = try Team()
        #expect(throws: VaultError.notPermitted(.adminOnly(.setRecoveryKey))) {
            try team.vault.initRecovery(threshold: 2, count: 3, by: team.lawyer)
        }
        for (k, n) in [(1, 3), (4, 3), (2, 256)] {
            #expect(throws: VaultError.recoveryRefused(.invalidParameters(threshold: k, shares: n))) {
                try team.vault.initRecovery(threshold: k, count: n, by: team.admin)
            }
        }
        #expect(try team.vault.recoveryStatus().keyID == nil)
        #expect(throws: VaultError.recoveryRefused(.noRecoveryKey)) { try team.vault.sealToRecovery(by: team.lawyer) }
    }

    @Test("warnings: no recovery key, generations not sealed to it, single-holder roles")
    func status() throws {
        let team = try Team()
        let before = try team.vault.recoveryStatus()
        #expect(before.keyID == nil)
        #expect(Set(before.singleHolderRoles) == ["admin", "lawyer", "psychologist", "social-worker", "mentor"])
        let setup = try team.vault.initRecovery(threshold: 2, count: 2, by: team.admin)
        #expect(setup.status.keyID == setup.keyID)
        #expect(setup.status.uncovered["admin"] == nil)
        #expect(setup.status.uncovered["psychologist"] == [1])
        try team.vault.sealToRecovery(by: team.psychologist)
        #expect(try team.vault.recoveryStatus().uncovered["psychologist"] == nil)
    }
}
