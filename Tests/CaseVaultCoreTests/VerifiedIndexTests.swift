import CaseVaultAge
import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// The verified cache's index (`LogIndex`, layout 4): custody reports and proofs read an item's entries and
/// O(log² n) subtree roots, not the log, and stay exactly as trustworthy.
@Suite("Verified cache: per-item index and subtree roots")
struct VerifiedIndexTests {
    /// The team with two items in two cases, each with a few custody events, and a cached opening of the
    /// vault (its state folder).
    static func teamWithEvents() throws -> (Team, Item, Item, TemporaryFolder) {
        let team = try Team()
        let first = try team.addItem(Array("acta".utf8))
        let second = try team.addItem(Array("foto".utf8), caseID: "C-2")
        try team.vault.annotateCustody(first.id, remarks: CustodyRemarks(text: "uno"), by: team.lawyer)
        _ = try team.vault.verifyCustody(second.id, by: team.lawyer)
        try team.vault.transferCustody(
            first.id, to: "mario", purpose: .handover, remarks: CustodyRemarks(text: "dos"), by: team.lawyer)
        return (team, first, second, try TemporaryFolder())
    }

    /// Changes the vault's database as an attacker with `sqlite3` would: its triggers dropped first.
    static func tamper(_ team: Team, _ change: (Database) throws -> Void) throws {
        try team.vault.database.writeWithoutTransaction { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try change(db)
        }
    }

    @Test("a report and an inclusion proof from the cache are the ones computed from the whole log")
    func sameAsWholeLog() throws {
        let (team, first, second, state) = try Self.teamWithEvents()
        // Saved by one opening, read by the next: the second holds nothing in memory.
        _ = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        let cached = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        #expect(cached.trust.withLock { $0.index.count } == 0)
        for ids in [[first.id], [second.id], [first.id, second.id]] {
            #expect(try cached.custodyDossier(items: ids, as: nil) == team.vault.custodyDossier(items: ids, as: nil))
        }
        let size = try team.vault.trusted().size
        for entry in 0..<size {
            #expect(try cached.inclusionProof(ofEntry: entry) == team.vault.inclusionProof(ofEntry: entry))
        }
        // Entries appended after the cache was saved come from memory, and join the cache at the next save.
        _ = try cached.verifyCustody(first.id, by: try cached.unlock("luis", passphrase: secret("luis passphrase")))
        try team.vault.refreshTrust()
        #expect(
            try cached.custodyDossier(items: [first.id], as: nil)
                == team.vault.custodyDossier(items: [first.id], as: nil))
        #expect(try cached.custodyDossier(items: [first.id], as: nil).records[0].events.count == 4)
    }

    @Test("a report reads its item's entries only: the rest of the log is not read again")
    func readsOnlyItsEntries() throws {
        let (team, first, second, state) = try Self.teamWithEvents()
        _ = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        let wanted = try Vault.open(at: team.vaultPath, stateFolder: state.path).custodyDossier(
            items: [first.id], as: nil)
        // Every entry about the second item is removed from the vault: the first item's report does not
        // notice (the whole-log check does, as an entry missing).
        let gone = try team.vault.custodyDossier(items: [second.id], as: nil).records[0].events.map(\.entry)
        try Self.tamper(team) { db in
            for entry in gone { try db.execute(sql: "DELETE FROM log_entries WHERE idx = ?", arguments: [entry]) }
        }
        let cached = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        #expect(try cached.custodyDossier(items: [first.id], as: nil) == wanted)
        #expect(try !cached.verifyWholeLog().problems.isEmpty)
    }

    @Test("an event changed in the vault after it was verified is refused, naming the entry")
    func changedEvent() throws {
        let (team, first, _, state) = try Self.teamWithEvents()
        _ = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        let event = try team.vault.custodyDossier(items: [first.id], as: nil).records[0].events[1].entry
        let other = try team.vault.custodyDossier(items: [first.id], as: nil).records[0].events[2].entry
        // Another signed entry in its place, its stored leaf hash made to match.
        try Self.tamper(team) { db in
            let note = try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [other])!
            try db.execute(
                sql: "UPDATE log_entries SET note = ?, leaf_hash = ? WHERE idx = ?",
                arguments: [note, Data(try Merkle.leafHash([UInt8](note))), event])
        }
        let cached = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        #expect(throws: SignedLogError.entry(index: event, problem: .malformed("the entry is not the one verified"))) {
            try cached.custodyDossier(items: [first.id], as: nil)
        }
    }

    @Test("a cache of the older layout is dropped and rebuilt with the index")
    func olderLayout() throws {
        let (team, first, _, state) = try Self.teamWithEvents()
        _ = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        let file = state.path + "/\(team.vault.vaultID).sqlite"
        try DatabaseQueue(path: file).write { db in
            try db.execute(sql: "DELETE FROM nodes; DELETE FROM subjects; PRAGMA user_version = 3")
        }
        let reopened = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        #expect(reopened.trust.withLock { $0.index.count } == 0)
        let size = try team.vault.trusted().size
        let (layout, leaves) = try DatabaseQueue(path: file).read { db -> (Int?, Int?) in
            (
                try Int.fetchOne(db, sql: "PRAGMA user_version"),
                try Int.fetchOne(db, sql: "SELECT count(*) FROM nodes WHERE level = 0")
            )
        }
        #expect(layout == VerifiedCache.layout)
        #expect(leaves == size)
        #expect(
            try reopened.custodyDossier(items: [first.id], as: nil)
                == team.vault.custodyDossier(items: [first.id], as: nil))
    }

    @Test("a checkpoint kept before its signer rekeyed verifies against the key they had then")
    func checkpointBeforeRekey() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8))
        // luis appended last: the checkpoint is his, signed with the key he holds now.
        let kept = try team.vault.latestCheckpoint()
        #expect(try SignedNote(parsing: kept).signatures.map(\.keyName) == ["luis"])
        let oldKeys = try RemovalTests.savedKeys(team)
        _ = try team.vault.rekey(team.lawyer, newPassphrase: secret("nueva"))
        let luis = try team.vault.unlock("luis", passphrase: secret("nueva"))
        try team.vault.createCase(id: "C-2", by: luis)
        _ = try team.vault.verifyCustody(item.id, by: luis)
        try team.vault.verifyConsistency(withCheckpoint: kept)
        let state = try TemporaryFolder()
        try Vault.open(at: team.vaultPath, stateFolder: state.path).verifyConsistency(withCheckpoint: kept)
        // The old key signs no checkpoint of a tree made after the rekey.
        let trusted = try team.vault.trusted()
        let late = try Checkpoint(
            origin: TrustedLog.origin(vaultID: team.vault.vaultID), size: UInt64(trusted.size),
            rootHash: try trusted.frontier.root())
        let forged = try LogAuthor(name: "luis", keys: oldKeys).signedNote(late.text).bytes
        #expect(throws: SignedLogError.checkpoint(.badSignature)) {
            try team.vault.verifyConsistency(withCheckpoint: forged)
        }
    }
}
