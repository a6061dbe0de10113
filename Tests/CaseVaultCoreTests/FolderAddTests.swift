import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

#if canImport(Glibc)
    import Glibc
#endif

/// `add` of a folder: every regular file under it, in a stable order, or nothing at all; and a batch
/// encrypted on several threads records exactly what one thread would.
@Suite("Adding a folder, and a batch on every core")
struct FolderAddTests {
    /// A folder `photos` with files at three depths, names chosen so that byte order differs from a
    /// case-insensitive or a breadth-first order.
    func makePhotos(_ team: Team) throws -> (folder: String, expected: [String]) {
        let root = team.folder.file("photos")
        for sub in ["photos", "photos/a", "photos/a/y", "photos/b-empty", "photos/b-empty/deeper"] {
            try FileSystem.makeDirectory(team.folder.file(sub))
        }
        let relative = ["Z.txt", "a/y/x.jpg", "a/z.jpg", "b.jpg", "c d.txt", "é.txt"]
        for name in relative.reversed() { _ = try team.folder.write("photos/\(name)", Array("file \(name)".utf8)) }
        return (root, relative.map { "\(root)/\($0)" })
    }

    @Test("a folder stands for its regular files, nested ones included, in byte order of their paths")
    func order() throws {
        let team = try Team()
        let (folder, expected) = try makePhotos(team)
        #expect(try Vault.expandInputs([folder]) == expected)
        #expect(try Vault.expandInputs([folder + "/"]) == expected)
        // Files and folders together keep the order they were given in.
        let single = try team.folder.write("single.pdf", [1])
        #expect(try Vault.expandInputs([single, folder, single]) == [single] + expected + [single])
    }

    @Test("adding a folder stores every file under it, in order, each under its own base name")
    func addFolder() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let (folder, expected) = try makePhotos(team)
        let items = try team.vault.add(caseID: "C-1", files: [folder], by: team.lawyer)
        let relative = expected.map { String($0.dropFirst(folder.count + 1)) }
        #expect(items.map(\.sha256) == (try relative.map { try sha256Hex(Array("file \($0)".utf8)) }))
        let names = try team.vault.fileNames(of: items, as: team.lawyer)
        #expect(items.map { names[$0.id] ?? nil } == ["Z.txt", "x.jpg", "z.jpg", "b.jpg", "c d.txt", "é.txt"])
        #expect(try team.vault.items(inCase: "C-1").map(\.id) == items.map(\.id))
    }

    @Test("a folder with no regular file at any depth is refused, naming it")
    func emptyFolder() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let folder = team.folder.file("empty")
        try FileSystem.makeDirectory(folder)
        try FileSystem.makeDirectory(folder + "/inner")
        let error = try #require(throws: VaultError.self) {
            try team.vault.add(caseID: "C-1", files: [folder], by: team.lawyer)
        }
        #expect(error == .invalidAdd(.emptyFolder(path: folder)))
        #expect(try team.vault.items().isEmpty)
    }

    @Test(
        "a link, FIFO or socket anywhere in the folder is refused with its path, before anything is written",
        arguments: ["link", "fifo", "dangling-link"])
    func specialFileInside(kind: String) throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let (folder, expected) = try makePhotos(team)
        let bad = folder + "/a/y/w-\(kind)"
        switch kind {
        case "link": #expect(symlink(expected[0], bad) == 0)
        case "dangling-link": #expect(symlink(folder + "/nowhere", bad) == 0)
        default: #expect(mkfifo(bad, 0o600) == 0)
        }
        let logBefore = try team.vault.auditEntries().count
        let error = try #require(throws: VaultError.self) {
            try team.vault.add(caseID: "C-1", files: [folder], by: team.lawyer)
        }
        #expect(error == (kind == "fifo" ? .inputNotRegularFile(path: bad) : .inputIsLink(path: bad)))
        #expect(try team.vault.items().isEmpty)
        #expect(try team.vault.auditEntries().count == logBefore)
        #expect(team.vault.objects.allObjects().isEmpty)
    }

    @Test("a file that fails to read in the middle of a parallel batch leaves no item and no object")
    func failureMidBatch() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        var paths = try (0..<40).map { try team.folder.write("f\($0)", randomBytes(3000)) }
        // /proc/self/mem looks like a readable regular file but its first read fails (EIO), so the check
        // before the batch passes and the failure comes from a worker, after other objects were written.
        paths.insert("/proc/self/mem", at: 25)
        let error = try #require(throws: VaultError.self) {
            try team.vault.add(caseID: "C-1", files: paths, by: team.lawyer)
        }
        guard case .inputUnreadable(let path, _) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(path == "/proc/self/mem")
        #expect(try team.vault.items().isEmpty)
        #expect(team.vault.objects.allObjects().isEmpty)
    }

    @Test("a batch on several threads records the same items, metadata and log entries, in the same order")
    func parallelSameAsSerial() throws {
        let team = try Team()
        let contents = (0..<60).map { i in randomBytes(i % 7 == 0 ? 70_000 : 500 + 37 * i) }
        let paths = try contents.indices.map { try team.folder.write("doc-\($0).bin", contents[$0]) }
        var batches: [[Item]] = []
        for (caseID, threads) in [("SERIAL", 1), ("PARALLEL", 4)] {
            try team.vault.createCase(id: caseID, by: team.lawyer)
            var options = AddOptions(note: "same note")
            options.threads = threads
            let before = try team.vault.auditEntries().count
            let items = try team.vault.add(caseID: caseID, files: paths, options: options, by: team.lawyer)
            // The log names the items in the order of the files, one entry each, right after each other, and
            // the run's seal after them.
            let entries = try team.vault.auditEntries(from: before)
            #expect(entries.map(\.type) == Array(repeating: "item.add", count: paths.count) + ["run.seal"])
            let added = entries.dropLast()
            #expect(added.map { $0.fields["item"] } == items.map(\.id))
            #expect(added.map { $0.fields["sha256"] } == items.map(\.sha256))
            batches.append(items)
        }
        let (serial, parallel) = (batches[0], batches[1])
        #expect(serial.map(\.sha256) == (try contents.map { try sha256Hex($0) }))
        #expect(parallel.map(\.sha256) == serial.map(\.sha256))
        #expect(parallel.map(\.size) == serial.map(\.size))
        let names = try team.vault.fileNames(of: serial + parallel, as: team.lawyer)
        #expect(parallel.map { names[$0.id] ?? nil } == serial.map { names[$0.id] ?? nil })
        #expect(serial.map { names[$0.id] ?? nil } == paths.map { FileSystem.baseName($0) })
        // Every item opens to its file's bytes, and the whole log still verifies.
        for (item, bytes) in zip(parallel, contents) where item.size < 1000 || item.size > 60_000 {
            let out = team.folder.file("out-\(item.id)")
            try team.vault.get(item.id, to: .file(path: out), by: team.lawyer)
            #expect(try readFile(out) == bytes)
        }
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
    }

    @Test("a batch through an agent whose signatures are wrong is refused before the commit: nothing recorded")
    func batchSignaturesCheckedBeforeCommit() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let rogue = try RogueAgent(posingAs: team.lawyer, vault: team.vault, in: team.folder)
        let session = try #require(try team.vault.sessionFromAgent("luis", in: rogue.directory))
        try RogueAgent.expectBatchRefused(files: 5, in: team, by: session)
        // The checkpoint's own signature is checked at once, so the batch above would fail even without
        // the deferred checks; they are tested alone: a wrong signature passes `sign` and fails `finish`.
        let (author, checks) = LogAuthor.batch(session)
        let deferred = try #require(checks)
        #expect(try author.sign(Array("entry".utf8)).count == 64)
        #expect(throws: VaultError.agentMismatch(member: "luis")) { try deferred.finish() }
        // With the member's own keys in this process nothing needs checking.
        #expect(LogAuthor.batch(team.lawyer).1 == nil)
    }
}
