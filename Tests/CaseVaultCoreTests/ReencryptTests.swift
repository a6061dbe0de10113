import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("Re-encryption after a compromised key")
struct ReencryptTests {
    /// What an attacker kept from before the re-encryption: lawyer's generation-1 key and each item's file
    /// key, opened from the old headers with it.
    struct OldSecrets {
        let roleKey: X25519Identity
        let fileKeys: [String: SecureBytes]
        let objects: [String: String]
    }

    static func oldSecrets(_ team: Team, _ lucia: MemberSession, _ items: [Item]) throws -> OldSecrets {
        let roleKey = try #require(
            try team.vault.read { db in try RoleKeyring.openIdentities(db, session: lucia, roles: ["lawyer"]) }[
                "lawyer"]?[1])
        var fileKeys: [String: SecureBytes] = [:]
        for item in items {
            let record = try team.vault.read { db in try team.vault.itemRecord(db, item.id) }
            fileKeys[item.id] = try FileKey.unwrap(try Header.parse(record.header).0, identities: [roleKey])
        }
        return OldSecrets(
            roleKey: roleKey, fileKeys: fileKeys,
            objects: Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0.object) }))
    }

    func current(_ team: Team, _ id: String) throws -> (item: Item, header: [UInt8], generations: [String: Int]) {
        let record = try team.vault.read { db in try team.vault.itemRecord(db, id) }
        return (record.item, record.header, record.generations)
    }

    func read(_ team: Team, _ id: String, by session: MemberSession) throws -> [UInt8] {
        let path = team.folder.file("out-\(id)-\(session.member)-\(FileSystem.randomHex(4))")
        defer { unlink(path) }
        try team.vault.get(id, to: .file(path: path), by: session)
        return try readFile(path)
    }

    @Test("new file keys, objects and metadata; the old keys open none of them; the SHA-256 and chain continue")
    func reencrypt() throws {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        let old = try Self.oldSecrets(team, lucia, items)
        let result = try team.vault.reencrypt(role: "lawyer", by: lucia, batchSize: 2)
        #expect(result == ReencryptResult(role: "lawyer", generation: 2, items: 3, bytes: 18, cases: 1))
        for (n, item) in items.enumerated() {
            let now = try current(team, item.id)
            #expect(now.item.object != item.object && now.item.sha256 == item.sha256 && now.item.size == item.size)
            #expect(now.generations == ["lawyer": 2, "mentor": 1])
            // The old object is kept (no backup holds the new one yet).
            #expect(FileSystem.exists(team.vault.objects.path(of: item.object)))
            // The saved role key unwraps nothing in the new header.
            #expect(throws: AgeError.self) {
                try FileKey.unwrap(try Header.parse(now.header).0, identities: [old.roleKey])
            }
            // The saved file key does not open the new payload, nor the whole age file (header + payload).
            let payload = try readFile(team.vault.objects.path(of: now.item.object))
            #expect(throws: AgeError.self) {
                try PayloadDecryptor(fileKey: old.fileKeys[item.id]!, source: MemorySource(payload))
                    .decrypt(to: MemorySink())
            }
            #expect(throws: AgeError.self) {
                try Age.decrypt(from: MemorySource(now.header + payload), to: MemorySink(), identities: [old.roleKey])
            }
            // It still opens the old object: that is why the old object must go once a backup holds the new.
            let oldPayload = try readFile(team.vault.objects.path(of: item.object))
            let sink = MemorySink()
            try PayloadDecryptor(fileKey: old.fileKeys[item.id]!, source: MemorySource(oldPayload)).decrypt(to: sink)
            #expect(sink.bytes == Array("item \(n)".utf8))
            for session in [team.lawyer, lucia, team.mentor] {
                #expect(try read(team, item.id, by: session) == Array("item \(n)".utf8))
            }
            #expect(try team.vault.showItem(item.id, as: lucia).metadata?.filename == "f\(n).txt")
        }
        #expect(try team.vault.showCase("C-1", as: lucia).title == "Título")
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        let scrub = try team.vault.scrub(ScrubOptions(deep: true, grace: 0), session: lucia)
        #expect(scrub.problems.isEmpty && scrub.decrypted == 3)
        #expect(scrub.orphans.isEmpty && scrub.superseded == 3)
        #expect(items.allSatisfy { FileSystem.exists(team.vault.objects.path(of: $0.object)) })
        #expect(try team.vault.sweepOrphanObjects() == 0)
        // The custody chain shows the event, linked, with the plaintext hash unchanged and both objects named.
        let record = try #require(try team.vault.custodyDossier(items: [items[0].id], as: lucia).records.first)
        #expect(record.unbroken && record.sha256 == items[0].sha256)
        let at = try #require(record.events.firstIndex { $0.type == "custody.reencrypt" })
        let event = record.events[at]
        #expect(event.kind == "re-encrypted" && event.author == "lucia" && at == 1)
        #expect(event.fields["sha256"] == items[0].sha256 && event.fields["object"] == items[0].object)
        #expect(event.fields["new-object"] == record.object)
        #expect(event.fields["prev-event"] == String(record.events[0].entry))
        // The reads after it name the new object and link to it.
        #expect(record.events[at + 1].fields["object"] == record.object)
        #expect(record.events[at + 1].fields["prev-event"] == String(event.entry))
        let verified = try team.vault.verifyCustody(items[0].id, by: lucia)
        #expect(verified.objectMatches && verified.plaintextMatches == true)
        // A new client replays the re-encryptions.
        let state = try TemporaryFolder()
        let fresh = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        #expect(try fresh.verifyWholeLog().problems.isEmpty)
        try fresh.get(items[1].id, to: .file(path: team.folder.file("fresh")), by: lucia)
        #expect(try readFile(team.folder.file("fresh")) == Array("item 1".utf8))
        // Nothing is left to do.
        #expect(
            try team.vault.reencrypt(role: "lawyer", by: lucia)
                == ReencryptResult(role: "lawyer", generation: 2, items: 0, bytes: 0, cases: 0))
    }

    @Test("only a holder of the role re-encrypts")
    func onlyHolders() throws {
        let (team, _, _) = try RewrapTests.rotatedTeam()
        #expect(throws: VaultError.notPermitted(.reencrypt(role: "lawyer"))) {
            try team.vault.reencrypt(role: "lawyer", by: team.admin)
        }
    }

    struct Stop: Error {}

    @Test("an interrupted run keeps the batches done, leaves no new object named, and a second run finishes")
    func resume() throws {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        let before = Set(team.vault.objects.allObjects())
        // Stopped in the middle of the first item's stream: nothing changes, no new object is left.
        #expect(throws: Stop.self) {
            try team.vault.reencrypt(role: "lawyer", by: lucia) { if $0.bytes > 0 { throw Stop() } }
        }
        #expect(Set(team.vault.objects.allObjects()) == before)
        #expect(try items.map { try current(team, $0.id).generations["lawyer"]! } == [1, 1, 1])
        // Stopped after the first committed batch of two.
        #expect(throws: Stop.self) {
            try team.vault.reencrypt(role: "lawyer", by: lucia, batchSize: 2) { if $0.items >= 2 { throw Stop() } }
        }
        let generations = try items.map { try current(team, $0.id).generations["lawyer"]! }
        #expect(generations.sorted() == [1, 2, 2])
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        for (n, item) in items.enumerated() { #expect(try read(team, item.id, by: lucia) == Array("item \(n)".utf8)) }
        let rest = try team.vault.reencrypt(role: "lawyer", by: lucia)
        #expect(rest.items == 1 && rest.cases == 1)
        #expect(try items.map { try current(team, $0.id).generations["lawyer"]! } == [2, 2, 2])
        #expect(try team.vault.scrub(ScrubOptions(deep: true), session: lucia).problems.isEmpty)
    }

    @Test("old objects stay until a backup holds the new ones; that backup removes them")
    func pruneAfterBackup() throws {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        let backup = team.folder.file("backup")
        let first = try team.vault.backup(to: backup, by: lucia)
        try team.vault.reencrypt(role: "lawyer", by: lucia)
        let renamed = try items.map { try current(team, $0.id).item.object }
        #expect(items.allSatisfy { FileSystem.exists(team.vault.objects.path(of: $0.object)) })
        // The backup made before the re-encryption holds the old objects only: nothing is safe to remove.
        #expect(try team.vault.pruneSuperseded(heldBy: backup, heldSize: first.manifest.size).isEmpty)
        #expect(items.allSatisfy { FileSystem.exists(team.vault.objects.path(of: $0.object)) })
        let result = try team.vault.backup(to: backup, by: lucia)
        #expect(Set(result.prunedObjects) == Set(items.map(\.object)))
        #expect(items.allSatisfy { !FileSystem.exists(team.vault.objects.path(of: $0.object)) })
        #expect(renamed.allSatisfy { FileSystem.exists(ObjectFiles.path($0, in: backup)) })
        // The backup checks on its own: the objects its log names are the new ones.
        #expect(try Vault.verifyBackup(at: backup).problems.isEmpty)
        #expect(try team.vault.read { db in try team.vault.supersededObjects(db) }.isEmpty)
        #expect(try team.vault.scrub(ScrubOptions(deep: true), session: lucia).problems.isEmpty)
        for (n, item) in items.enumerated() { #expect(try read(team, item.id, by: lucia) == Array("item \(n)".utf8)) }
    }

    @Test("after two re-encryptions, a backup of the latest objects removes both generations of old objects")
    func pruneAfterTwoReencryptions() throws {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        try team.vault.reencrypt(role: "lawyer", by: lucia)
        let middle = try items.map { try current(team, $0.id).item.object }
        try team.vault.rotate(role: "lawyer", by: team.admin)
        try team.vault.reencrypt(role: "lawyer", by: lucia)
        let latest = try items.map { try current(team, $0.id).item.object }
        // The first objects were replaced by objects that are themselves replaced: no backup ever copies
        // those, and the first objects (under the compromised file keys) must not wait for them.
        let result = try team.vault.backup(to: team.folder.file("backup"), by: lucia)
        #expect(Set(result.prunedObjects) == Set(items.map(\.object) + middle))
        for name in items.map(\.object) + middle { #expect(!FileSystem.exists(team.vault.objects.path(of: name))) }
        #expect(latest.allSatisfy { FileSystem.exists(team.vault.objects.path(of: $0)) })
        #expect(try team.vault.read { db in try team.vault.supersededObjects(db) }.isEmpty)
        for (n, item) in items.enumerated() { #expect(try read(team, item.id, by: lucia) == Array("item \(n)".utf8)) }
    }

    @Test("a superseded row written into the folder naming a path outside objects/ unlinks nothing")
    func supersededPathRefused() throws {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        try team.vault.reencrypt(role: "lawyer", by: lucia)
        let backup = team.folder.file("backup")
        try team.vault.backup(to: backup, by: lucia)
        let victim = try team.folder.write("victim.txt", Array("keep me".utf8))
        // objects/<first two characters>/<name>: "../victim.txt" is objects/../../victim.txt, in the test folder.
        let traversal = "../victim.txt"
        #expect(team.vault.objects.path(of: traversal).hasSuffix("/objects/../../victim.txt"))
        let current = try current(team, items[0].id).item.object
        try tamperAsAttacker(
            team.vault.database,
            """
            PRAGMA ignore_check_constraints = ON;
            INSERT INTO superseded_objects (object, item, replaced_by, entry, superseded_at)
                VALUES (?, ?, ?, 0, '2026-01-01T00:00:00Z')
            """, [traversal, items[0].id, current])
        #expect(try team.vault.pruneSuperseded(heldBy: backup, heldSize: try team.vault.trusted().size).isEmpty)
        #expect(FileSystem.exists(victim))
    }

    @Test("a backup whose copy of the new object is damaged removes nothing")
    func damagedBackupKeepsOld() throws {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        try team.vault.reencrypt(role: "lawyer", by: lucia)
        let backup = team.folder.file("backup")
        // Copied by hand, without the backup's bookkeeping: the new objects, one of them damaged.
        let fresh = try items.map { try current(team, $0.id).item.object }
        for name in fresh {
            try FileSystem.makeDirectories(backup + "/objects/" + name.prefix(2))
            var bytes = try readFile(team.vault.objects.path(of: name))
            if name == fresh[0] { bytes[bytes.count - 1] ^= 1 }
            try Data(bytes).write(to: URL(fileURLWithPath: ObjectFiles.path(name, in: backup)))
        }
        let size = try team.vault.trusted().size
        #expect(try team.vault.pruneSuperseded(heldBy: backup, heldSize: 0).isEmpty)
        let pruned = try team.vault.pruneSuperseded(heldBy: backup, heldSize: size)
        #expect(Set(pruned) == Set(items.dropFirst().map(\.object)))
        #expect(FileSystem.exists(team.vault.objects.path(of: items[0].object)))
        #expect(try team.vault.read { db in try team.vault.supersededObjects(db) } == [items[0].object])
    }

    @Test("the schema lets an item change object only with a superseded row naming both")
    func schemaGuardsObject() throws {
        let (team, _, items) = try RewrapTests.rotatedTeam()
        let other = String(repeating: "ab", count: 32)
        #expect(throws: DatabaseError.self) {
            try team.vault.database.write { db in
                try db.execute(sql: "UPDATE items SET object = ? WHERE id = ?", arguments: [other, items[0].id])
            }
        }
    }
}
