import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("Adding and getting items")
struct RoundTripTests {
    @Test("add then get returns the same bytes", arguments: [0, 1, 65_535, 65_536, 65_537, 3 * 1024 * 1024 + 17])
    func roundTrip(size: Int) throws {
        let team = try Team()
        let original = randomBytes(size)
        let item = try team.addItem(original)
        #expect(item.size == Int64(size))
        #expect(item.sha256 == (try sha256Hex(original)))

        // The object is named by the SHA-256 of its bytes, and is an age payload of the expected length.
        let objectPath = team.vault.objects.path(of: item.object)
        let objectBytes = try readFile(objectPath)
        #expect(try sha256Hex(objectBytes) == item.object)
        let chunks = max(1, (size + 65_535) / 65_536)
        #expect(objectBytes.count == 16 + size + 16 * chunks)

        let out = team.folder.file("out.bin")
        try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        #expect(try readFile(out) == original)
        #expect(fileMode(out) == 0o600)
    }

    @Test("header bytes + object bytes are a standard age file")
    func headerPlusObjectIsAgeFile() throws {
        let team = try Team()
        let original = Array("a statement, in confidence".utf8)
        let item = try team.addItem(original)
        let (header, objectPath) = try team.vault.read { db in
            (
                Array(try Data.fetchOne(db, sql: "SELECT header FROM items WHERE id = ?", arguments: [item.id])!),
                team.vault.objects.path(of: item.object)
            )
        }
        let roleKeys = try team.vault.read { db in
            try RoleKeyring.openIdentities(db, session: team.lawyer, roles: ["lawyer"])
        }
        let sink = MemorySink()
        try Age.decrypt(
            from: MemorySource(header + (try readFile(objectPath))), to: sink,
            identities: Array(roleKeys["lawyer"]!.values))
        #expect(sink.bytes == original)
    }

    @Test(
        "a flipped byte in an object fails get with an error naming the item, and leaves no output",
        arguments: [0, 20, 70_000])
    func flippedByte(offsetSeed: Int) throws {
        let team = try Team()
        let size = offsetSeed == 0 ? 0 : 100_000
        let item = try team.addItem(randomBytes(size))
        try team.flipObjectByte(of: item, at: { _ in offsetSeed == 0 ? 20 : offsetSeed }, bit: 0x01)

        let out = team.folder.file("out.bin")
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        }
        guard case .integrityFailure(.item(item.id), _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(!FileSystem.exists(out))
        // Nothing else (a temporary file) is left in the output folder either.
        #expect(!FileSystem.contents(of: team.folder.path).contains { $0.contains("out.bin") })
    }

    @Test("a truncated object fails get")
    func truncatedObject() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(200_000))
        let objectPath = team.vault.objects.path(of: item.object)
        #expect(truncate(objectPath, 65_536 + 16 + 16) == 0)
        let out = team.folder.file("out.bin")
        #expect(throws: VaultError.self) { try team.vault.get(item.id, to: .file(path: out), by: team.lawyer) }
        #expect(!FileSystem.exists(out))
    }

    @Test("a missing object is reported as missing")
    func missingObject() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(10))
        unlink(team.vault.objects.path(of: item.object))
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: team.lawyer)
        }
        guard case .missingObject = error else {
            Issue.record("unexpected error \(error)")
            return
        }
    }

    @Test("a wrong recorded SHA-256 (the database was altered) fails get, naming the field, and leaves no output")
    func recordedDigestMismatch() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(1000))
        // The schema forbids changing items, so drop the trigger the way an attacker with the file would.
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER items_immutable")
            try db.execute(
                sql: "UPDATE items SET sha256 = ? WHERE id = ?",
                arguments: [String(repeating: "0", count: 64), item.id])
        }
        let out = team.folder.file("out.bin")
        let error = try #require(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        }
        // The signed log records the item's SHA-256: the altered row is caught before anything is decrypted.
        #expect(error == .notInLog(.item(item.id, field: "sha256")))
        #expect(!FileSystem.exists(out))
    }

    @Test("get refuses to replace an existing file unless asked")
    func outputExists() throws {
        let team = try Team()
        let item = try team.addItem(Array("new".utf8))
        let out = try team.folder.write("exists.txt", Array("old".utf8))
        #expect(throws: VaultError.outputExists(path: out)) {
            try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
        }
        #expect(try readFile(out) == Array("old".utf8))
        try team.vault.get(item.id, to: .file(path: out, overwrite: true), by: team.lawyer)
        #expect(try readFile(out) == Array("new".utf8))
    }

    @Test("several files in one add, extra digests and metadata")
    func batchAndMetadata() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-7", title: "t", by: team.lawyer)
        let a = try team.folder.write("photo-1.jpg", randomBytes(5000))
        let b = try team.folder.write("photo-2.jpg", randomBytes(70_000))
        let items = try team.vault.add(
            caseID: "C-7", files: [a, b],
            options: AddOptions(
                itemClass: .evidence, note: "taken at the clinic", collectedBy: "luis",
                collectedAt: "2025-02-03", source: "phone", extraDigests: [.sha512]),
            by: team.lawyer)
        #expect(items.count == 2)
        let details = try team.vault.showItem(items[1].id, as: team.mentor)
        let metadata = try #require(details.metadata)
        #expect(metadata.filename == "photo-2.jpg")
        #expect(metadata.note == "taken at the clinic")
        #expect(metadata.digests["SHA-512"] == Hex.encode(try Digest.hash(.sha512, try readFile(b))))
        #expect(try team.vault.items(inCase: "C-7").map(\.id) == items.map(\.id))
        // Someone who is not a reader sees the public record only.
        #expect(try team.vault.showItem(items[0].id, as: team.psychologist).metadata == nil)
    }

    @Test("a new version names the item it replaces")
    func replaces() throws {
        let team = try Team()
        let first = try team.addItem(Array("v1".utf8), itemClass: .legal)
        let path = try team.folder.write("v2.txt", Array("v2".utf8))
        let second = try team.vault.add(
            caseID: "C-1", files: [path],
            options: AddOptions(itemClass: .legal, replaces: first.id), by: team.lawyer)[0]
        #expect(second.replaces == first.id)
        #expect(try team.vault.showItem(first.id).replacedBy == [second.id])
        // Found through its index, so `show` costs the same in a vault of 100,000 items.
        let plan = try team.vault.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Vault.replacedBySelection, arguments: [first.id])
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("items_by_replaces") }, "\(plan)")
        try team.vault.createCase(id: "C-2", by: team.lawyer)
        #expect(throws: VaultError.self) {
            try team.vault.add(caseID: "C-2", files: [path], options: AddOptions(replaces: first.id), by: team.lawyer)
        }
    }

    @Test("streaming decrypt to a sink checks the digest too")
    func streamingDecrypt() throws {
        let team = try Team()
        let original = randomBytes(150_000)
        let item = try team.addItem(original)
        let sink = MemorySink()
        try team.vault.get(item.id, to: .stream(sink), by: team.lawyer)
        #expect(sink.bytes == original)
    }
}
