import CaseVaultTestSupport
import Foundation
import Testing

/// Ctrl-C (or SIGTERM) in the middle of writing must leave no partial output and no temporary file:
/// a decrypted half-file would be plaintext lying around where nobody expects it. The output being written
/// has no name at all (O_TMPFILE): it shows only as a deleted file among the process's descriptors.
@Suite("interrupted runs leave nothing behind")
struct InterruptTests {
    @Test(
        "an interrupt while writing an output removes its temporary file and exits 128 + signal",
        arguments: [SIGINT, SIGTERM])
    func interruptRemovesTemporaryOutput(signal: Int32) throws {
        let folder = try TemporaryFolder()
        let cli = CLI(folder: folder)
        let key = folder.file("key")
        #expect(try cli.run(["age", "keygen", "-o", key]).code == 0)
        let recipient = try cli.run(["age", "keygen", "-y", key]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The input is a FIFO that we hold open, so the process is reliably caught mid-way.
        let fifo = folder.file("input.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let running = try cli.start(["age", "encrypt", "-r", recipient, "-o", folder.file("out.age"), fifo])
        let writer = FileHandle(forWritingAtPath: fifo)!
        writer.write(Data(randomBytes(200_000)))
        let deadline = Date().addingTimeInterval(10)
        var writing = false
        while !writing && Date() < deadline {
            writing = Self.hasUnnamedFile(in: folder.path, pid: running.process.processIdentifier)
            if !writing { usleep(20_000) }
        }
        #expect(writing, "the output was never opened")
        let named = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("out.age") }
        #expect(named.isEmpty, "a partial output has a name: \(named)")
        kill(running.process.processIdentifier, signal)
        let result = try running.finish()
        try? writer.close()
        #expect(result.code == 128 + signal)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("out.age") }
        #expect(left.isEmpty, "left behind: \(left)")
    }

    /// Whether process `pid` holds an unnamed file in `folder` open: Linux shows an O_TMPFILE descriptor
    /// as `FOLDER/#INODE (deleted)`.
    static func hasUnnamedFile(in folder: String, pid: Int32) -> Bool {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return descriptors.contains { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? ""
            return target.hasPrefix(folder + "/#") && target.hasSuffix("(deleted)")
        }
    }
}
