import CaseVaultTestSupport
import Foundation
import Testing

/// SIGKILL cannot be caught, so no handler can remove a half-written output: the output must have no name
/// until it is complete. These tests kill `get`, `export` and `age decrypt` in the middle of writing and
/// find nothing left in the output folder, under any name.
@Suite("killed commands leave no plaintext behind", .serialized)
struct KilledOutputTests {
    /// Starts `arguments`, waits until the process holds an unnamed file open in `folder` (it is writing its
    /// output), kills it with SIGKILL, and returns whether it was caught in the middle.
    func killMidway(_ team: TeamVault, _ arguments: [String], folder: String, member: String = "lucia") throws -> Bool {
        let running = try team.cli.start(arguments, env: team.acting(member))
        let pid = running.process.processIdentifier
        var caught = false
        while running.process.isRunning {
            if InterruptTests.hasUnnamedFile(in: folder, pid: pid) {
                kill(pid, SIGKILL)
                caught = true
                break
            }
            usleep(1_000)
        }
        _ = try running.finish()
        return caught
    }

    @Test("get and export killed mid-write leave nothing in the output folder", arguments: ["get", "export"])
    func killedGetLeavesNothing(command: String) throws {
        let team = try TeamVault()
        let big = try team.folder.write("video.mp4", randomBytes(96 << 20))
        let added = try team.cli.run(["add", TeamVault.caseID, big, "--json"], env: team.acting("lucia"))
        let item = try #require(try decodeJSON([ItemJSON].self, added.stdout).first).id
        let outputs = try TemporaryFolder()
        var arguments = [command, item, "-o", outputs.file("out")]
        if command == "export" {
            let key = team.folder.file("partner.key")
            #expect(try team.cli.run(["age", "keygen", "-o", key]).code == 0)
            let recipient = try team.cli.run(["age", "keygen", "-y", key]).stdout
            arguments += ["--to", recipient.trimmingCharacters(in: .whitespacesAndNewlines)]
        }
        var caught = false
        // The write takes a fraction of a second; a few tries make sure it is caught in the middle.
        for _ in 0..<5 where !caught {
            caught = try killMidway(team, arguments, folder: outputs.path)
            if !caught { try? FileManager.default.removeItem(atPath: outputs.file("out")) }
        }
        #expect(caught, "\(command) finished before it could be killed in the middle, five times")
        #expect(outputs.names.isEmpty, "left behind: \(outputs.names)")
    }

    @Test("age decrypt killed mid-write leaves nothing in the output folder")
    func killedAgeDecryptLeavesNothing() throws {
        let team = try TeamVault()
        let key = team.folder.file("age.key")
        #expect(try team.cli.run(["age", "keygen", "-o", key]).code == 0)
        let recipient = try team.cli.run(["age", "keygen", "-y", key]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let plain = try team.folder.write("plain", randomBytes(8 << 20))
        let sealed = team.folder.file("plain.age")
        #expect(try team.cli.run(["age", "encrypt", "-r", recipient, "-o", sealed, plain]).code == 0)
        // The input is a FIFO fed half the file and held open, so the decryptor waits mid-way.
        let fifo = team.folder.file("input.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let outputs = try TemporaryFolder()
        let running = try team.cli.start(["age", "decrypt", "-i", key, "-o", outputs.file("out"), fifo])
        let writer = try #require(FileHandle(forWritingAtPath: fifo))
        let bytes = try readFile(sealed)
        writer.write(Data(bytes.prefix(bytes.count / 2)))
        let deadline = Date().addingTimeInterval(10)
        var writing = false
        while !writing && Date() < deadline {
            writing = InterruptTests.hasUnnamedFile(in: outputs.path, pid: running.process.processIdentifier)
            if !writing { usleep(5_000) }
        }
        #expect(writing, "the output was never opened")
        kill(running.process.processIdentifier, SIGKILL)
        _ = try running.finish()
        try? writer.close()
        #expect(outputs.names.isEmpty, "left behind: \(outputs.names)")
    }
}
