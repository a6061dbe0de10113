import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Backups, restore and the rollback they can cause: a restore drill, what a backup must never hold, and
/// damage to a backup folder, each named.
@Suite("Backups and restore")
struct BackupTests {
    /// A backup folder next to the team's vault.
    static func destination(_ team: Team, _ name: String = "backup") -> String { team.folder.file(name) }

    /// The decrypted bytes of `item` in `vault`, as `session`'s member reads them.
    static func content(_ vault: Vault, _ item: String, _ session: MemberSession) throws -> [UInt8] {
        let sink = MemorySink()
        _ = try vault.get(item, to: .stream(sink), by: session)
        return sink.bytes
    }

    @Test("restore drill: add, back up, add more, back up again, destroy the vault, restore, every item identical")
    func restoreDrill() throws {
        let team = try Team()
        let dest = Self.destination(team)
        var contents: [String: [UInt8]] = [:]
        for size in [0, 1, 70_000] {
            let bytes = randomBytes(size)
            contents[try team.addItem(bytes).id] = bytes
        }
        let first = try team.vault.backup(to: dest, by: team.lawyer)
        #expect(first.copiedObjects == 3)
        for size in [5, 200_000] {
            let bytes = randomBytes(size)
            contents[try team.addItem(bytes, caseID: "C-2").id] = bytes
        }
        let second = try team.vault.backup(to: dest, by: team.lawyer)
        // Incremental: only the two new objects are copied; the folder keeps its backup id.
        #expect(second.copiedObjects == 2)
        #expect(second.manifest.backupID == first.manifest.backupID)
        #expect(second.manifest.objects == 5)
        #expect(try Vault.verifyBackup(at: dest).problems.isEmpty)
        FileSystem.removeTree(team.vaultPath)
        let target = team.folder.file("restored")
        let restored = try Vault.restore(from: dest, to: target)
        #expect(restored.items == 5)
        let lawyer = try restored.vault.unlock("luis", passphrase: secret("luis passphrase"))
        for (id, bytes) in contents { #expect(try Self.content(restored.vault, id, lawyer) == bytes, "\(id)") }
        #expect(try restored.vault.verifyWholeLog().problems.isEmpty)
    }

    @Test("each backup is a signed backup.done entry naming the folder's id and the tree it holds, never a path")
    func backupIsLogged() throws {
        let team = try Team()
        _ = try team.addItem(randomBytes(10))
        let dest = Self.destination(team)
        let result = try team.vault.backup(to: dest, by: team.mentor)
        let entry = try #require(try team.vault.auditEntries().last)
        #expect(entry.type == "backup.done" && entry.author == "mario")
        #expect(entry.fields["backup"] == result.manifest.backupID)
        #expect(entry.fields["size"] == String(result.manifest.size))
        #expect(entry.fields["objects"] == "1")
        #expect(!entry.fields.values.contains { $0.contains(team.folder.path) })
        let root = try #require(entry.fields["root"].flatMap { Data(base64Encoded: $0) })
        #expect(Hex.encode([UInt8](root)) == result.manifest.root)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
    }

    @Test("a backup holds no plaintext byte of any item and no unwrapped member or role key")
    func noSecretsInBackup() throws {
        let team = try Team()
        var plaintexts: [[UInt8]] = []
        for itemClass in [ItemClass.evidence, .legal, .clinical, .social] {
            let bytes = randomBytes(4096)
            plaintexts.append(bytes)
            _ = try team.addItem(bytes, itemClass: itemClass)
        }
        let dest = Self.destination(team)
        _ = try team.vault.backup(to: dest, by: team.admin)
        var secrets: [(String, [UInt8])] = plaintexts.enumerated().map {
            ("plaintext \($0.offset)", Array($0.element.prefix(32)))
        }
        for session in [team.admin, team.lawyer, team.psychologist, team.socialWorker, team.mentor] {
            let keys = try #require(session.keys as? MemberKeys)
            secrets.append(
                ("\(session.member) X25519", keys.identity.privateKey.rawRepresentation.unsafeExportedBytes()))
            secrets.append(("\(session.member) X25519 text", Array(keys.identity.encoded().unsafeExportedBytes())))
            secrets.append(("\(session.member) Ed25519", keys.signingKey.rawRepresentation.unsafeExportedBytes()))
            let roleKeys = try team.vault.read { db in try team.vault.openRoleKeys(db, session: session) }
            for (role, generations) in roleKeys {
                for (generation, identity) in generations {
                    secrets.append(
                        ("\(role):\(generation)", identity.privateKey.rawRepresentation.unsafeExportedBytes()))
                }
            }
        }
        var files: [String] = []
        func walk(_ path: String) {
            if FileSystem.isDirectory(path) {
                for name in FileSystem.contents(of: path) { walk(path + "/" + name) }
            } else {
                files.append(path)
            }
        }
        walk(dest)
        #expect(files.count > 4)
        for file in files {
            let bytes = try readFile(file)
            for (what, secret) in secrets {
                #expect(Self.find(secret, in: bytes) == nil, "\(what) found in \(file)")
            }
        }
        // The scan itself finds what is there.
        #expect(Self.find(Array(plaintexts[0].prefix(32)), in: [1, 2] + plaintexts[0]) == 2)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count, let first = needle.first else { return nil }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    @Test("a folder that holds another vault's backup, or other files, is refused and left as it was")
    func otherFoldersRefused() throws {
        let team = try Team()
        let other = try Team()
        let dest = Self.destination(other)
        _ = try other.vault.backup(to: dest, by: other.admin)
        let before = try readFile(dest + "/" + BackupManifest.fileName)
        #expect(throws: BackupError.otherVault(path: dest, vaultID: other.vault.fingerprint)) {
            try team.vault.backup(to: dest, by: team.admin)
        }
        #expect(try readFile(dest + "/" + BackupManifest.fileName) == before)
        try FileSystem.makeDirectory(team.folder.file("photos"))
        let stranger = try team.folder.write("photos/cat.jpg", [1, 2, 3])
        let folder = FileSystem.folder(of: stranger)
        #expect(throws: BackupError.notABackup(path: folder)) { try team.vault.backup(to: folder, by: team.admin) }
        #expect(FileSystem.contents(of: folder) == ["cat.jpg"])
        #expect(throws: BackupError.targetNotEmpty(path: folder)) { try Vault.restore(from: dest, to: folder) }
    }

    @Test("a flipped byte in a backup's object, database or log entry, and a missing object, are named")
    func damageNamed() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(1000))
        let dest = Self.destination(team)
        _ = try team.vault.backup(to: dest, by: team.admin)
        let objectPath = ObjectFiles.path(item.object, in: dest)
        let original = try readFile(objectPath)

        try Self.flip(objectPath, at: 100)
        #expect(
            try Vault.verifyBackup(at: dest).problems == [.objectDamaged(object: item.object, item: item.id)])
        #expect(throws: BackupError.damaged(path: dest, problems: [.objectDamaged(object: item.object, item: item.id)]))
        {
            try Vault.restore(from: dest, to: team.folder.file("r"))
        }
        #expect(!FileSystem.exists(team.folder.file("r")))
        unlink(objectPath)
        #expect(try Vault.verifyBackup(at: dest).problems == [.objectMissing(object: item.object, item: item.id)])
        try FileSystem.writeNewFile(objectPath, bytes: original)
        #expect(try Vault.verifyBackup(at: dest).problems.isEmpty)

        // A log entry changed in the backup's database: its signature no longer verifies.
        let database = dest + "/vault.sqlite"
        let queue = try DatabaseQueue(path: database)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS log_entries_append_only_update")
            try db.execute(
                sql: "UPDATE log_entries SET note = CAST(replace(CAST(note AS TEXT), 'by ana', 'by anb') AS BLOB) "
                    + "WHERE idx = 1")
        }
        try queue.close()
        let problems = try Vault.verifyBackup(at: dest).problems
        #expect(problems.contains { if case .log(.entry(index: 1, _)) = $0 { true } else { false } }, "\(problems)")
    }

    @Test("a flipped byte in a backup's database file is named (integrity check or unreadable)")
    func databaseByteFlipped() throws {
        let team = try Team()
        _ = try team.addItem(randomBytes(100))
        let dest = Self.destination(team)
        _ = try team.vault.backup(to: dest, by: team.admin)
        let database = dest + "/vault.sqlite"
        // Page 2 onwards holds the tables; a byte in the middle of the file lands in a b-tree page.
        let size = try readFile(database).count
        var found = false
        for offset in stride(from: 4096 + 8, to: size, by: 4096) {
            try Self.flip(database, at: offset)
            let problems = try Vault.verifyBackup(at: dest).problems
            try Self.flip(database, at: offset)
            if !problems.isEmpty { found = true } else { continue }
            #expect(
                problems.contains {
                    switch $0 {
                    case .databaseDamaged, .databaseUnreadable, .log, .manifestMismatch, .checkpointMismatch: true
                    default: false
                    }
                })
        }
        #expect(found)
        #expect(try Vault.verifyBackup(at: dest).problems.isEmpty)
    }

    static func flip(_ path: String, at offset: Int) throws {
        var bytes = try readFile(path)
        bytes[offset] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// A backup against a checkpoint kept outside it (by the vault's `audit checkpoint` or an auditor).
@Suite("Backups and kept checkpoints")
struct BackupCheckpointTests {
    @Test("a backup extends a checkpoint kept earlier, is older than a later one, and another history is named")
    func keptCheckpoints() throws {
        let team = try Team()
        _ = try team.addItem(randomBytes(10))
        let early = try team.vault.latestCheckpoint()
        // A copy of the folder that goes its own way: same vault, another history from here on.
        let forkPath = team.folder.file("fork")
        try FileManager.default.copyItem(atPath: team.vaultPath, toPath: forkPath)
        let fork = try Vault.open(at: forkPath)
        try fork.createCase(id: "F-1", by: try fork.unlock("luis", passphrase: secret("luis passphrase")))
        let forked = try fork.latestCheckpoint()
        _ = try team.addItem(randomBytes(20))
        let dest = BackupTests.destination(team)
        let backup = try team.vault.backup(to: dest, by: team.admin)

        let extends = try Vault.verifyBackup(at: dest, keptCheckpoint: early)
        #expect(extends.problems.isEmpty && !extends.isOlderThanCheckpoint && extends.checkpointSize != nil)
        let other = try Vault.verifyBackup(at: dest, keptCheckpoint: forked)
        #expect(other.problems == [.notConsistentWithCheckpoint(size: other.checkpointSize ?? -1)])
        _ = try team.addItem(randomBytes(30))
        let later = try Vault.verifyBackup(at: dest, keptCheckpoint: try team.vault.latestCheckpoint())
        #expect(later.problems.isEmpty && later.isOlderThanCheckpoint && later.size == backup.manifest.size)
        let stranger = try Team()
        let strange = try Vault.verifyBackup(at: dest, keptCheckpoint: try stranger.vault.latestCheckpoint())
        #expect(strange.problems == [.keptCheckpointInvalid])
    }
}
