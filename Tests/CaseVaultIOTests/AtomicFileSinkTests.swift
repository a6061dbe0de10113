import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultIO

@Suite("atomic output files")
struct AtomicFileSinkTests {
    @Test("the file appears only on commit, with the requested mode")
    func commitPublishes() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("out")
        let sink = try AtomicFileSink(path: path, mode: 0o600)
        try sink.write([1, 2, 3])
        #expect(!FileManager.default.fileExists(atPath: path))
        try sink.commit()
        #expect(try folder.read("out") == [1, 2, 3])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test(
        "with a digest: finish completes it without showing the file; commit shows it", arguments: [0, 5, 3 << 20 | 7])
    func digestThenCommit(size: Int) throws {
        let folder = try TemporaryFolder()
        let path = folder.file("out")
        let bytes = try SystemRandom.bytes(count: size)
        let digest = try Digest(.sha256)
        let sink = try AtomicFileSink(path: path, digest: digest)
        try sink.write(bytes)
        try sink.finish()
        #expect(sink.byteCount == UInt64(size))
        #expect(try digest.finalize() == Digest.hash(.sha256, bytes))
        #expect(!FileManager.default.fileExists(atPath: path))
        try sink.commit()
        #expect(try folder.read("out") == bytes)
    }

    @Test("a sink dropped after finish (its check failed) leaves nothing behind")
    func abandonAfterFinish() throws {
        let folder = try TemporaryFolder()
        do {
            let sink = try AtomicFileSink(path: folder.file("out"), digest: try Digest(.sha256))
            try sink.write([1, 2, 3])
            try sink.finish()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("an abandoned sink leaves nothing behind, not even its temporary file")
    func abandonLeavesNothing() throws {
        let folder = try TemporaryFolder()
        do {
            let sink = try AtomicFileSink(path: folder.file("out"))
            try sink.write([9])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("without overwrite, an existing file, or one that appears meanwhile, is kept")
    func noOverwrite() throws {
        let folder = try TemporaryFolder()
        _ = try folder.write("taken", [7])
        #expect(throws: IOError.self) { try AtomicFileSink(path: folder.file("taken"), overwrite: false) }
        let sink = try AtomicFileSink(path: folder.file("late"), overwrite: false)
        try sink.write([1])
        _ = try folder.write("late", [2])
        #expect(throws: IOError.self) { try sink.commit() }
        #expect(try folder.read("late") == [2])
    }

    @Test("a device or pipe at the path is never renamed over")
    func refusesSpecialFiles() throws {
        let folder = try TemporaryFolder()
        let fifo = folder.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: IOError.self) { try AtomicFileSink(path: fifo) }
        var info = stat()
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }
}
