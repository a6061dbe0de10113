import CaseVaultAge
import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Offboarding: `member remove` and what a removed member can still do with their saved key file and any
/// copy of the vault folder (before or after the removal).
@Suite("Member removal")
struct RemovalTests {
    /// luis's key file as he would keep it, opened with his passphrase.
    static func savedKeys(_ team: Team) throws -> MemberKeys {
        let path = team.vaultPath + "/keys/luis.age"
        return try MemberKeys.open(
            keyFile: try readFile(path), path: path, member: "luis", passphrase: secret("luis passphrase"))
    }

    /// Appends an entry signed by `keys` as `author` to the log of the vault at `path`, and a checkpoint
    /// of the new tree signed by the same key: what someone holding that key could write into a copy.
    static func forge(
        _ type: EntryType, _ fields: [(String, String)], by author: String, keys: MemberKeys, in path: String
    ) throws -> Int {
        let vault = try Vault.open(at: path)
        let (size, root) = try vault.trust.withLock { ($0.size, try $0.currentRoot()) }
        let entry = LogEntry(
            type: type, vault: vault.vaultID, previousSize: size, previousRoot: root, time: "2026-12-02T10:00:00Z",
            author: author, fields: fields.map { (key: $0.0, value: $0.1) })
        let signer = LogAuthor(name: author, keys: keys)
        let note = try signer.signedNote(entry.body).bytes
        let leaf = try Merkle.leafHash(note)
        var frontier = vault.trust.withLock { $0.frontier }
        try frontier.append(leafHash: leaf)
        let checkpoint = try Checkpoint(
            origin: TrustedLog.origin(vaultID: vault.vaultID), size: UInt64(size + 1), rootHash: try frontier.root())
        try DatabaseQueue(path: path + "/vault.sqlite").write { db in
            try db.execute(
                sql: "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)",
                arguments: [size, Data(note), Data(leaf)])
            try db.execute(
                sql: "INSERT INTO log_checkpoints (size, note) VALUES (?, ?)",
                arguments: [size + 1, Data(try signer.signedNote(checkpoint.text).bytes)])
        }
        return size
    }

    @Test("remove revokes every role, rotates each, and records it in the log")
    func remove() throws {
        let (team, lucia) = try RotationTests.teamWithTwoLawyers()
        try team.vault.grant(role: "mentor", to: "luis", by: team.mentor)
        let removal = try team.vault.removeMember(named: "luis", by: team.admin)
        #expect(removal.revokedRoles == ["lawyer", "mentor"])
        #expect(removal.rotations.map(\.role) == ["lawyer", "mentor"])
        #expect(removal.rotations.map(\.sealedTo) == [["lucia"], ["mario"]])
        let luis = try team.vault.member(named: "luis")
        #expect(luis.removedAt != nil && luis.roles.isEmpty)
        #expect(throws: VaultError.memberRemoved("luis")) {
            try team.vault.unlock("luis", passphrase: secret("luis passphrase"))
        }
        let types = try team.vault.auditEntries().suffix(3).map(\.type)
        #expect(types == ["member.remove", "role.generation", "role.generation"])
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        // A fresh client verifies the same log from scratch.
        let state = try TemporaryFolder()
        #expect(try Vault.open(at: team.vaultPath, stateFolder: state.path).member(named: "luis").removedAt != nil)
        _ = lucia
    }

    @Test("refused: the last holder of a role, the last admin, oneself, a non-admin, someone already removed")
    func refusals() throws {
        let team = try Team()
        #expect(throws: VaultError.lastHolder(member: "luis", role: "lawyer")) {
            try team.vault.removeMember(named: "luis", by: team.admin)
        }
        #expect(throws: VaultError.notPermitted(.removeSelf)) {
            try team.vault.removeMember(named: "ana", by: team.admin)
        }
        try team.vault.addMember(name: "eva", newPassphrase: secret("eva passphrase"), roles: ["admin"], by: team.admin)
        let eva = try team.vault.unlock("eva", passphrase: secret("eva passphrase"))
        #expect(throws: VaultError.notPermitted(.adminOnly(.removeMembers))) {
            try team.vault.removeMember(named: "eva", by: team.lawyer)
        }
        try team.vault.removeMember(named: "ana", by: eva)
        // eva is now the last admin.
        try team.vault.addMember(name: "leo", newPassphrase: secret("leo passphrase"), by: eva)
        let leo = try team.vault.unlock("leo", passphrase: secret("leo passphrase"))
        #expect(throws: VaultError.notPermitted(.adminOnly(.removeMembers))) {
            try team.vault.removeMember(named: "eva", by: leo)
        }
        #expect(throws: VaultError.notPermitted(.removeSelf)) { try team.vault.removeMember(named: "eva", by: eva) }
        #expect(throws: VaultError.memberRemoved("ana")) { try team.vault.removeMember(named: "ana", by: eva) }
        #expect(throws: VaultError.notPermitted(.adminOnly(.removeMembers))) {
            try team.vault.removeMember(named: "eva", by: team.admin)
        }
        #expect(try team.vault.member(named: "eva").roles == ["admin"])
    }

    @Test("with copies of the folder from before and after, the saved key opens nothing added after the removal")
    func removedMemberOpensNothingNew() throws {
        let (team, lucia) = try RotationTests.teamWithTwoLawyers()
        try team.vault.createCase(id: "C-1", title: "Antes", survivor: "A.", by: team.lawyer)
        let old = try team.addItem(Array("antes".utf8), itemClass: .legal, name: "old.txt")
        let before = try copyFolder(team, to: "before")
        try team.vault.removeMember(named: "luis", by: team.admin)
        try team.vault.createCase(id: "C-2", title: "Después", survivor: "D.", by: lucia)
        var added: [Item] = []
        for (caseID, itemClass) in [("C-1", ItemClass.legal), ("C-2", .evidence), ("C-2", .clinical)] {
            let path = try team.folder.write("new-\(added.count).txt", Array("después \(added.count)".utf8))
            added += try team.vault.add(
                caseID: caseID, files: [path], options: AddOptions(itemClass: itemClass), by: lucia)
        }
        // The remaining lawyer moves the old items and titles to the new key too.
        let rewrapped = try team.vault.rewrap(role: "lawyer", by: lucia)
        #expect(rewrapped.items == 1 && rewrapped.cases == 1)
        let after = try copyFolder(team, to: "after")
        let keys = try Self.savedKeys(team)
        let probe = try RawKeyProbe(
            member: keys.identity, databases: [before + "/vault.sqlite", after + "/vault.sqlite"])
        // What he had before stays his: the removal cannot take it back.
        #expect(probe.roleKeys.count == 1)
        let (oldHeader, oldTitle) = try DatabaseQueue(path: before + "/vault.sqlite").read { db in
            (
                try Data.fetchOne(db, sql: "SELECT header FROM items WHERE id = ?", arguments: [old.id])!,
                try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = 'C-1'")!
            )
        }
        #expect(probe.opensHeader(Array(oldHeader)) && probe.opensBlob(Array(oldTitle)))
        // Nothing added after it opens: headers, metadata, the new case's title.
        try DatabaseQueue(path: after + "/vault.sqlite").read { db in
            for item in added {
                let row = try #require(
                    try Row.fetchOne(db, sql: "SELECT header, metadata FROM items WHERE id = ?", arguments: [item.id]))
                #expect(!probe.opensHeader(Array(row["header"] as Data)))
                #expect(!probe.opensBlob(Array(row["metadata"] as Data)))
            }
            let title = try #require(try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = 'C-2'"))
            #expect(!probe.opensBlob(Array(title)))
            // Nor any envelope rewrapped after it: the old item's header and metadata, the old case's title.
            let oldRow = try #require(
                try Row.fetchOne(db, sql: "SELECT header, metadata FROM items WHERE id = ?", arguments: [old.id]))
            #expect(!probe.opensHeader(Array(oldRow["header"] as Data)))
            #expect(!probe.opensBlob(Array(oldRow["metadata"] as Data)))
            let oldCase = try #require(try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = 'C-1'"))
            #expect(!probe.opensBlob(Array(oldCase)))
            // No envelope in the folder is addressed to him any more.
            let envelopes = try Data.fetchAll(db, sql: "SELECT envelope FROM role_key_envelopes")
            #expect(!envelopes.isEmpty)
            for envelope in envelopes {
                #expect(
                    try SealedBlob.open(Array(envelope), identities: [keys.identity], subject: .caseMetadata("-"))
                        == nil)
            }
        }
    }

    @Test("the removed member's key cannot append an entry that verifies, even with the removal undone in the folder")
    func removedKeySignsNothing() throws {
        let (team, _) = try RotationTests.teamWithTwoLawyers()
        let item = try team.addItem(Array("x".utf8), itemClass: .legal)
        try team.vault.removeMember(named: "luis", by: team.admin)
        let keys = try Self.savedKeys(team)
        for (type, fields) in [
            (EntryType.itemGet, [("item", item.id), ("output", "file")]),
            (.caseCreate, [("case", "C-7"), ("metadata", String(repeating: "0", count: 64)), ("readers", "lawyer:2")]),
            (.roleGrant, [("role", "lawyer"), ("member", "luis")]),
        ] {
            let copy = try copyFolder(team, to: "copy-\(type.rawValue)")
            try DatabaseQueue(path: copy + "/vault.sqlite").write { db in
                try db.execute(sql: "UPDATE members SET removed_at = NULL WHERE name = 'luis'")
            }
            let index = try Self.forge(type, fields, by: "luis", keys: keys, in: copy)
            let state = try TemporaryFolder()
            #expect(throws: SignedLogError.entry(index: index, problem: .removedAuthor("luis"))) {
                try Vault.open(at: copy, stateFolder: state.path)
            }
        }
        // Nor through the vault: the log, not the folder, says he is removed.
        let copy = try copyFolder(team, to: "undone")
        try DatabaseQueue(path: copy + "/vault.sqlite").write { db in
            try db.execute(sql: "UPDATE members SET removed_at = NULL WHERE name = 'luis'")
        }
        let vault = try Vault.open(at: copy)
        #expect(throws: VaultError.memberRemoved("luis")) {
            try vault.unlock("luis", passphrase: secret("luis passphrase"))
        }
        #expect(throws: VaultError.notInLog(.member("luis", field: "removed"))) { try vault.member(named: "luis") }
    }

    @Test("a log in which a removal is not followed by its rotations is refused")
    func removalWithoutRotation() throws {
        let (team, _) = try RotationTests.teamWithTwoLawyers()
        let path = team.vaultPath + "/keys/ana.age"
        let ana = try MemberKeys.open(
            keyFile: try readFile(path), path: path, member: "ana", passphrase: secret("ana passphrase"))
        let copy = try copyFolder(team, to: "copy")
        let index = try Self.forge(.memberRemove, [("member", "luis")], by: "ana", keys: ana, in: copy)
        let state = try TemporaryFolder()
        let error = #expect(throws: SignedLogError.self) { try Vault.open(at: copy, stateFolder: state.path) }
        guard case .entry(index, .inconsistent(let reason))? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(reason.contains("rotation of lawyer"))
        // The folder it was copied from, without the forged entry, still verifies.
        #expect(try Vault.open(at: team.vaultPath).verifyWholeLog().problems.isEmpty)
    }
}
