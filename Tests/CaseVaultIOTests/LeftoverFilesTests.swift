import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultIO

/// The files of a process that died without cleaning up (SIGKILL) are removed by the next one; those of
/// a live process, and anything not of our own naming, are left alone.
@Suite("leftover temporary files", .serialized)
struct LeftoverFilesTests {
    @Test("a dead process's file goes; a live one's and a foreign name stay")
    func sweep() throws {
        let state = try TemporaryFolder()
        let work = try TemporaryFolder()
        try LeftoverFiles.configure(folder: state.file("leftovers"))
        let records = state.file("leftovers")
        let dead = try work.write(".cv-0011223344556677.part", [1])
        let live = try work.write(".cv-8899aabbccddeeff.part", [2])
        let foreign = try work.write("evidence.pdf", [3])
        // A pid that no process has (above pid_max) stands for a process that is gone.
        try Data(dead.utf8).write(to: URL(fileURLWithPath: "\(records)/999999999-1-aa"))
        let start = try #require(LeftoverFiles.processStartTime(getpid()))
        try Data(live.utf8).write(to: URL(fileURLWithPath: "\(records)/\(getpid())-\(start)-bb"))
        try Data(foreign.utf8).write(to: URL(fileURLWithPath: "\(records)/999999998-1-cc"))
        let removed = LeftoverFiles.sweep()
        #expect(removed == [dead])
        #expect(work.names == [".cv-8899aabbccddeeff.part", "evidence.pdf"])
        #expect(!FileManager.default.fileExists(atPath: "\(records)/999999999-1-aa"))
        #expect(FileManager.default.fileExists(atPath: "\(records)/\(getpid())-\(start)-bb"))
    }

    @Test("a registered name is recorded while it exists and forgotten when released")
    func registration() throws {
        let state = try TemporaryFolder()
        try LeftoverFiles.configure(folder: state.file("leftovers"))
        let token = LeftoverFiles.register("/tmp/.cv-0000000000000000.part")
        let records = try FileManager.default.contentsOfDirectory(atPath: state.file("leftovers"))
        #expect(records.count == 1 && records[0].hasPrefix("\(getpid())-"))
        token.release()
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.file("leftovers")).isEmpty)
    }
}
