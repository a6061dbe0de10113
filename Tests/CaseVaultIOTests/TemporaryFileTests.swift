import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultIO

/// A file being written must have no name anyone can open until it is complete: a SIGKILL (which no
/// handler can catch) must leave no decrypted evidence behind.
@Suite("unnamed temporary files")
struct TemporaryFileTests {
    @Test("while it is written, the folder shows nothing; link names it whole")
    func unnamedUntilLinked() throws {
        let folder = try TemporaryFolder()
        let file = try TemporaryFile(in: folder.path)
        try file.write([UInt8](repeating: 7, count: 3 << 20))
        #expect(file.isUnnamed, "this machine's file system and kernel support O_TMPFILE and linkat")
        #expect(folder.names.isEmpty)
        try file.link(at: folder.file("done"))
        #expect(folder.names == ["done"])
        #expect(try folder.read("done") == [UInt8](repeating: 7, count: 3 << 20))
    }

    @Test("a dropped file leaves nothing, named or not")
    func droppedLeavesNothing() throws {
        let folder = try TemporaryFolder()
        do {
            let file = try TemporaryFile(in: folder.path)
            try file.write([1, 2, 3])
            try file.finish()
        }
        #expect(folder.names.isEmpty)
    }

    @Test("move replaces a regular file; link never does")
    func moveAndLink() throws {
        let folder = try TemporaryFolder()
        _ = try folder.write("x", [9])
        let linked = try TemporaryFile(in: folder.path)
        try linked.write([1])
        #expect(throws: IOError(.exists, path: folder.file("x"), errno: EEXIST)) {
            try linked.link(at: folder.file("x"))
        }
        #expect(try folder.read("x") == [9])
        let moved = try TemporaryFile(in: folder.path)
        try moved.write([2])
        try moved.move(to: folder.file("x"))
        #expect(try folder.read("x") == [2])
        #expect(folder.names == ["x"])
    }

    @Test("a fallback name is short whatever the final name, and hidden")
    func fallbackNameIsShort() {
        let name = TemporaryFile.fallbackName(in: "/some/folder")
        let base = FileSystem.baseName(name)
        #expect(base.hasPrefix(".cv-") && base.hasSuffix(".part"))
        #expect(base.utf8.count == 25)
    }

    @Test("the data is synced before the name appears, and the folder after")
    func durabilityOrder() throws {
        let folder = try TemporaryFolder()
        let trace = DurabilityTrace()
        try DurabilityTrace.$current.withValue(trace) {
            let file = try TemporaryFile(in: folder.path)
            try file.write([1, 2, 3])
            try file.link(at: folder.file("out"))
        }
        #expect(trace.events == [.fileSynced(nil), .linked(folder.file("out")), .folderSynced(folder.path)])
    }

    @Test("a FIFO is refused without blocking, even with no writer")
    func fifoRefused() throws {
        let folder = try TemporaryFolder()
        let fifo = folder.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let error = #expect(throws: IOError.self) { try FileSystem.openRegularFile(fifo) }
        #expect(error?.code == .notRegularFile)
        #expect(throws: IOError.self) { try FileSystem.openRegularFile(folder.path) }
        let missing = #expect(throws: IOError.self) { try FileSystem.openRegularFile(folder.file("none")) }
        #expect(missing?.errno == ENOENT)
    }
}
