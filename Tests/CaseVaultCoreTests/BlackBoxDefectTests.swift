import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Regressions of the defects found by black-box testing (issue 8), at the core's level.
@Suite("Core regressions of issue 8")
struct BlackBoxDefectTests {
    // MARK: 5. A FIFO must not hang `add`

    @Test("a FIFO without a writer is refused at once, not read")
    func fifoIsRefused() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let fifo = team.folder.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let before = try team.vault.items(inCase: "C-1")
        // Without the fix `add` blocks in open(2) forever. Opening the FIFO's write end (non-blocking, so
        // only once a reader waits) and closing it releases such a reader: the test then fails instead of
        // hanging.
        let done = DispatchSemaphore(value: 0)
        let releaser = Thread {
            while done.wait(timeout: .now() + 5) == .timedOut {
                let fd = open(fifo, O_WRONLY | O_NONBLOCK)
                if fd >= 0 { close(fd) }
            }
        }
        releaser.start()
        defer { done.signal() }
        let started = Date()
        let error = try #require(throws: VaultError.self) {
            try team.vault.add(caseID: "C-1", files: [fifo], by: team.lawyer)
        }
        #expect(error == .inputNotRegularFile(path: fifo))
        #expect(Date().timeIntervalSince(started) < 5, "add waited for a writer")
        #expect(try team.vault.items(inCase: "C-1") == before)
    }

    // MARK: 6. A damaged stanza is damage, not a missing role

    /// Replaces the first character of every stanza body in the item's header: the header still parses,
    /// but no stanza unwraps (X25519's AEAD fails, which age reports as "not for this key").
    func tamperStanzas(_ team: Team, item: String) throws {
        try team.vault.write { db in
            let header = Array(try Data.fetchOne(db, sql: "SELECT header FROM items WHERE id = ?", arguments: [item])!)
            var (parsed, _) = try Header.parse(header)
            for index in parsed.stanzas.indices { parsed.stanzas[index].body[0] ^= 0x01 }
            try db.execute(
                sql: "UPDATE items SET header = ? WHERE id = ?", arguments: [Data(parsed.encoded()), item])
        }
    }

    @Test(
        "an altered header is caught by the log for everyone; below the log, a reader whose stanza does not open is told it is damaged"
    )
    func tamperedStanza() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8), itemClass: .legal)
        try tamperStanzas(team, item: item.id)
        let out = team.folder.file("out")
        // The signed log binds the header's hash: an altered header is caught for everyone, before any key
        // is tried, and named.
        for member in [team.lawyer, team.psychologist] {
            #expect(throws: VaultError.notInLog(.item(item.id, field: "header"))) {
                try team.vault.get(item.id, to: .file(path: out), by: member)
            }
        }
        #expect(!FileSystem.exists(out))
        // Below the log (a header its own author signed wrongly): a reader whose stanza does not open is told
        // the envelope is damaged, not that they may not read.
        let record = try team.vault.read { db in
            try Row.fetchOne(db, sql: "SELECT header FROM items WHERE id = ?", arguments: [item.id])
        }
        let damagedHeader = Array(try #require(record)["header"] as Data)
        let genuine = try team.vault.read { db in try team.vault.itemRecordUnchecked(db, item.id) }
        let forged = Vault.ItemRecord(
            item: genuine.item, header: damagedHeader, metadata: genuine.metadata, generations: genuine.generations)
        let keys = try team.vault.read { db in try RoleKeyring.openIdentities(db, session: team.lawyer) }
        #expect(
            throws: VaultError.integrityFailure(
                subject: .itemEnvelope(item.id), damage: .envelopeDoesNotOpen(role: "lawyer"))
        ) { try Vault.unwrapFileKey(forged, opened: keys) }
    }

    // MARK: 7. A vault that cannot be opened is not "no vault"

    @Test("a database behind a symbolic link loop is reported as unreadable, naming it")
    func databaseLinkLoop() throws {
        let team = try Team()
        let database = "\(team.vaultPath)/vault.sqlite"
        for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) }
        #expect(symlink(database, database) == 0)
        let error = try #require(throws: VaultError.self) { try Vault.open(at: team.vaultPath) }
        #expect(error == .vaultUnreadable(path: database, errno: ELOOP))
    }

    @Test("a vault path through a regular file is reported as unreadable, not absent")
    func pathThroughFile() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("plain.txt", Array("x".utf8))
        let error = try #require(throws: VaultError.self) { try Vault.open(at: "\(file)/vault") }
        #expect(error == .vaultUnreadable(path: "\(file)/vault", errno: ENOTDIR))
        #expect(throws: VaultError.notAVault(path: folder.file("nothing"))) {
            try Vault.open(at: folder.file("nothing"))
        }
    }

    @Test(
        "a vault folder without permission is reported as unreadable",
        .disabled(
            if: geteuid() == 0,
            "root bypasses permission bits, so chmod 000 cannot deny root; the link-loop and path-through-file tests cover the same distinction as root"
        ))
    func permissionDenied() throws {
        let team = try Team()
        #expect(chmod(team.vaultPath, 0o000) == 0)
        defer { chmod(team.vaultPath, 0o700) }
        let error = try #require(throws: VaultError.self) { try Vault.open(at: team.vaultPath) }
        #expect(error == .vaultUnreadable(path: team.vaultPath, errno: EACCES))
    }

    // MARK: 10. Format: optional keys absent; stanza order recorded

    @Test("item metadata JSON leaves out digests when there are none, and still reads old \"digests\":{}")
    func metadataWithoutDigests() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8), name: "foto.jpg")
        let blob = try team.vault.read { db in
            Array(try Data.fetchOne(db, sql: "SELECT metadata FROM items WHERE id = ?", arguments: [item.id])!)
        }
        let sink = MemorySink()
        let key = try team.vault.read { db in
            try RoleKeyring.openIdentities(db, session: team.lawyer, roles: ["lawyer"])["lawyer"]![1]!
        }
        try Age.decrypt(from: MemorySource(blob), to: sink, identities: [key])
        #expect(String(decoding: sink.bytes, as: UTF8.self) == #"{"filename":"foto.jpg"}"#)

        let old = try JSONDecoder().decode(ItemMetadata.self, from: Data(#"{"digests":{},"filename":"a.pdf"}"#.utf8))
        #expect(old == ItemMetadata(filename: "a.pdf"))
        let withDigest = ItemMetadata(filename: "a.pdf", digests: ["SHA-512": "00"])
        let encoded = try JSONEncoder().encode(withDigest)
        #expect(try JSONDecoder().decode(ItemMetadata.self, from: encoded) == withDigest)
    }

    @Test("item_readers.stanza records which header stanza each reader role's key opens")
    func stanzaOrderRecorded() throws {
        let team = try Team()
        // Given out of name order on purpose: the order given at add is the header's order.
        let item = try team.addItem(Array("informe".utf8), readers: ["social-worker", "lawyer", "mentor"])
        let (header, rows) = try team.vault.read { db in
            (
                Array(try Data.fetchOne(db, sql: "SELECT header FROM items WHERE id = ?", arguments: [item.id])!),
                try Row.fetchAll(
                    db, sql: "SELECT role, generation, stanza FROM item_readers WHERE item = ? ORDER BY stanza",
                    arguments: [item.id])
            )
        }
        #expect(rows.map { $0["role"] as String } == ["social-worker", "lawyer", "mentor"])
        #expect(rows.map { $0["stanza"] as Int } == [0, 1, 2])
        let stanzas = try Header.parse(header).header.stanzas
        #expect(stanzas.count == 3)
        let holders = ["social-worker": team.socialWorker, "lawyer": team.lawyer, "mentor": team.mentor]
        for row in rows {
            let role: String = row["role"]
            let position: Int = row["stanza"]
            let identity = try team.vault.read { db in
                try RoleKeyring.openIdentities(db, session: holders[role]!, roles: [role])[role]![row["generation"]]!
            }
            for (index, stanza) in stanzas.enumerated() {
                let opens = try identity.unwrap(stanzas: [stanza]) != nil
                #expect(opens == (index == position), "\(role) key and stanza \(index)")
            }
        }
        // The schema refuses a reader row that does not say where its stanza is.
        #expect(throws: DatabaseError.self) {
            try team.vault.database.write { db in
                try db.execute(
                    sql: "INSERT INTO item_readers (item, role, generation) VALUES (?, 'psychologist', 1)",
                    arguments: [item.id])
            }
        }
    }
}
