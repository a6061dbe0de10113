import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Dispatch
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("The store: durability, concurrency, confidentiality, constraints")
struct StoreTests {
    @Test("two vault instances adding at once both succeed and every item is retrievable")
    func concurrentAdders() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let second = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor)
        let secondLawyer = try second.unlock("luis", passphrase: secret("luis passphrase"))
        let perWriter = 6
        var inputs: [[String: [UInt8]]] = [[:], [:]]
        for writer in 0..<2 {
            for n in 0..<perWriter {
                let bytes = randomBytes(1000 + 7919 * n + writer)
                inputs[writer][try team.folder.write("w\(writer)-\(n)", bytes)] = bytes
            }
        }
        let results = Results()
        let allInputs = inputs
        let writers: [(Vault, MemberSession)] = [(team.vault, team.lawyer), (second, secondLawyer)]
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            let (vault, session) = writers[writer]
            for (path, _) in allInputs[writer] {
                do {
                    let item = try vault.add(caseID: "C-1", files: [path], by: session)[0]
                    results.append(item, path: path)
                } catch {
                    results.fail("\(error)")
                }
            }
        }
        #expect(results.failures.isEmpty)
        #expect(results.items.count == 2 * perWriter)
        #expect(try team.vault.items(inCase: "C-1").count == 2 * perWriter)
        for (item, path) in results.items {
            let out = team.folder.file("out-\(item.id)")
            try second.get(item.id, to: .file(path: out), by: secondLawyer)
            #expect(try readFile(out) == inputs[0][path] ?? inputs[1][path])
        }
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var items: [(Item, String)] = []
        private(set) var failures: [String] = []
        func append(_ item: Item, path: String) { lock.withLock { items.append((item, path)) } }
        func fail(_ message: String) { lock.withLock { failures.append(message) } }
    }

    @Test("titles, pseudonyms, file names and notes never reach the database files in the clear")
    func metadataIsEncrypted() throws {
        let team = try Team()
        let title = "Caso Mariposa Azul Cochabamba"
        let survivor = "Florencia-Qx7"
        let filename = "denuncia-fiscalia-zq81.pdf"
        let note = "entregado por la tia de la sobreviviente"
        try team.vault.createCase(id: "C-42", title: title, survivor: survivor, by: team.lawyer)
        let path = try team.folder.write(filename, randomBytes(3000))
        let item = try team.vault.add(
            caseID: "C-42", files: [path], options: AddOptions(itemClass: .legal, note: note),
            by: team.lawyer)[0]
        #expect(try team.vault.showCase("C-42", as: team.lawyer).title == title)
        #expect(try team.vault.showCase("C-42", as: team.lawyer).survivor == survivor)
        #expect(try team.vault.showCase("C-42").title == nil)
        #expect(try team.vault.showItem(item.id, as: team.lawyer).metadata?.filename == filename)

        var raw: [UInt8] = []
        for suffix in ["", "-wal", "-shm"] where FileSystem.exists(team.vaultPath + "/vault.sqlite" + suffix) {
            raw += try readFile(team.vaultPath + "/vault.sqlite" + suffix)
        }
        #expect(raw.count > 10_000)
        // The check can fail: the clear-text case id is found, so the search itself works.
        #expect(contains(raw, "C-42"))
        for secretText in [title, survivor, filename, note, "Mariposa", "Florencia", "denuncia"] {
            #expect(!contains(raw, secretText), "\(secretText) is in the raw database")
        }
    }

    func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard n.count <= haystack.count else { return false }
        var i = 0
        while i + n.count <= haystack.count {
            if haystack[i] == n[0] && Array(haystack[i..<i + n.count]) == n { return true }
            i += 1
        }
        return false
    }

    @Test("bad input leaves the vault unchanged", arguments: ["missing", "directory", "unreadable", "unknown-case"])
    func badInput(kind: String) throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let good = try team.folder.write("good", randomBytes(100))
        var path = team.folder.file("nope")
        var caseID = "C-1"
        switch kind {
        case "directory":
            path = team.folder.file("dir")
            try FileSystem.makeDirectory(path)
        case "unreadable":
            path = try team.folder.write("secret", [1, 2, 3])
            chmod(path, 0)
            if geteuid() == 0 {
                // root opens anything; /proc/self/mem opens but its first read fails (EIO), which
                // exercises a failure in the middle of the add, after the first file's object was written.
                path = "/proc/self/mem"
            }
        case "unknown-case":
            caseID = "C-404"
        default: break
        }
        let journalBefore = try team.vault.journal()
        let objectsBefore = team.vault.objects.allObjects()
        let error = try #require(throws: VaultError.self) {
            try team.vault.add(caseID: caseID, files: [good, path], by: team.lawyer)
        }
        switch (kind, error) {
        case ("missing", .inputNotFound), ("unknown-case", .unknownCase): break
        // An empty folder: a folder stands for the files in it, and there are none.
        case ("directory", .invalidAdd(.emptyFolder)): break
        case ("unreadable", .inputUnreadable): break
        default: Issue.record("unexpected error for \(kind): \(error)")
        }
        #expect(try team.vault.items().isEmpty)
        #expect(try team.vault.journal() == journalBefore)
        #expect(team.vault.objects.allObjects() == objectsBefore)
        #expect(FileSystem.contents(of: "\(team.vaultPath)/tmp").isEmpty)
    }

    /// A team with case C-1 whose inserts into `table` fail (a temporary trigger), as a full disk would.
    static func teamFailingInserts(into table: String) throws -> Team {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        try team.vault.database.write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TRIGGER fail_\(table) BEFORE INSERT ON main.\(table)
                    BEGIN SELECT RAISE(ABORT, 'disk full'); END
                    """)
        }
        return team
    }

    @Test("a failure inside the transaction, before the commit, rolls the database back and removes the object")
    func failureAfterObject() throws {
        // A trigger makes the item insert fail, as a full disk would. The transaction is open while files
        // are encrypted, so the object is written by then; nothing can name it once the body has failed.
        let team = try Self.teamFailingInserts(into: "items")
        let paths = try (0..<3).map { try team.folder.write("f\($0)", randomBytes(5000)) }
        #expect(throws: VaultError.self) { try team.vault.add(caseID: "C-1", files: paths, by: team.lawyer) }
        #expect(try team.vault.items().isEmpty)
        #expect(try team.vault.journal().filter { $0.action == "item.add" }.isEmpty)
        #expect(team.vault.objects.allObjects().isEmpty)
    }

    @Test("a failure once the transaction's body is done leaves the object as a harmless orphan, swept later")
    func failureAtTheEnd() throws {
        // The checkpoint is written after the items, at the end of the transaction: past that point a
        // failure may come from a commit that still landed, and the object is left in place.
        let team = try Self.teamFailingInserts(into: "log_checkpoints")
        let path = try team.folder.write("f", randomBytes(5000))
        #expect(throws: VaultError.self) { try team.vault.add(caseID: "C-1", files: [path], by: team.lawyer) }
        #expect(try team.vault.items().isEmpty)
        #expect(team.vault.objects.allObjects().count == 1)
        // The orphan is swept once it is old enough (a day), not before.
        #expect(try team.vault.sweepOrphanObjects() == 0)
        let old = Vault(
            path: team.vault.path, database: team.vault.database, configuration: team.vault.configuration,
            clock: VaultClock { Date().addingTimeInterval(2 * 86400) }, vaultID: team.vault.vaultID)
        #expect(try old.sweepOrphanObjects() == 1)
        #expect(team.vault.objects.allObjects().isEmpty)
    }

    @Test("stale temporary files of interrupted runs are swept on open; fresh ones are kept")
    func temporarySweep() throws {
        let team = try Team()
        let stale = try team.folder.write("x", [])
        _ = stale
        let tmp = "\(team.vaultPath)/tmp"
        _ = FileManager.default.createFile(atPath: "\(tmp)/object-old.tmp", contents: Data([1, 2, 3]))
        _ = FileManager.default.createFile(atPath: "\(tmp)/object-new.tmp", contents: Data([1]))
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, "\(tmp)/object-old.tmp", &times, 0) == 0)
        _ = try Vault.open(at: team.vaultPath)
        #expect(FileSystem.contents(of: tmp) == ["object-new.tmp"])
    }

    @Test("the schema itself refuses what the code would refuse")
    func schemaConstraints() throws {
        let team = try Team()
        let item = try team.addItem(randomBytes(10))
        let statements = [
            "INSERT INTO members (name, recipient, signing_key, created_at) VALUES ('Bad Name', 'age1x', 'zz', 'now')",
            "INSERT INTO cases (id, created_at, created_by, metadata) VALUES ('x y', '2025-01-01T00:00:00Z', 1, x'00')",
            "UPDATE items SET size = 1 WHERE id = '\(item.id)'",
            "DELETE FROM items",
            "DELETE FROM journal",
            "UPDATE journal SET actor = 'luis'",
            "INSERT INTO memberships (member, role, granted_at, granted_by) VALUES (1, 'janitor', '2025-01-01T00:00:00Z', 1)",
            "INSERT INTO item_readers (item, role, generation) VALUES ('\(item.id)', 'lawyer', 99)",
        ]
        for sql in statements {
            #expect(throws: DatabaseError.self, "\(sql)") {
                try team.vault.database.write { db in try db.execute(sql: sql) }
            }
        }
    }

    @Test("every operation is in the journal, without sensitive text")
    func journal() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-9", title: "Secret Title", survivor: "Pseudo", by: team.lawyer)
        let path = try team.folder.write("named-file.pdf", randomBytes(10))
        let item = try team.vault.add(
            caseID: "C-9", files: [path], options: AddOptions(itemClass: .legal), by: team.lawyer)[0]
        try team.vault.get(item.id, to: .file(path: team.folder.file("o")), by: team.lawyer)
        try team.vault.export(
            item.id, to: .recipient(team.mentor.recipient), output: .file(path: team.folder.file("e")), by: team.lawyer)
        let entries = try team.vault.journal()
        let actions = entries.map(\.action)
        #expect(actions.filter { $0 == "member.add" }.count == 5)
        #expect(Array(actions.suffix(4)) == ["case.create", "item.add", "item.get", "item.export"])
        #expect(entries.last?.subject == item.id)
        for entry in entries {
            for text in ["Secret Title", "Pseudo", "named-file"] {
                #expect(!entry.detail.contains(text) && !entry.subject.contains(text))
            }
        }
    }

    @Test("cases: list and show, duplicates and odd ids refused")
    func cases() throws {
        let team = try Team()
        try team.vault.createCase(id: "LP-2025-001", title: "Uno", survivor: "S1", by: team.lawyer)
        try team.vault.createCase(id: "LP-2025-002", by: team.psychologist)
        #expect(throws: VaultError.caseExists("LP-2025-001")) {
            try team.vault.createCase(id: "LP-2025-001", by: team.lawyer)
        }
        #expect(throws: VaultError.self) { try team.vault.createCase(id: "../etc", by: team.lawyer) }
        let listed = try team.vault.cases(as: team.socialWorker)
        #expect(listed.map(\.id) == ["LP-2025-001", "LP-2025-002"])
        #expect(listed[0].title == "Uno")
        #expect(listed[0].readers == ["lawyer", "mentor", "psychologist", "social-worker"])
        #expect(try team.vault.cases(as: team.admin).allSatisfy { !$0.metadataReadable })
        #expect(throws: VaultError.unknownCase("nope")) { try team.vault.showCase("nope") }
    }
}
