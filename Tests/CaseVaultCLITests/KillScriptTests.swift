import CaseVaultTestSupport
import Foundation
import Testing

/// A short run of the SIGKILL fault script (Tests/Faults/kill.sh; the full run is 200 kills with a release
/// build, Docs/TESTING.md): a few kills during add, keys rotate --rewrap and backup, each followed by its
/// checks (verify, no committed item lost, nothing half-written, interrupted work resumed).
@Suite("the SIGKILL fault script, short")
struct KillScriptTests {
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Tests/Faults/kill.sh").path
    }()

    @Test(
        "six kills, each followed by a passing verify and every committed item still listed",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "needs coreutils"))
    func sixKills() throws {
        let work = try TemporaryFolder()
        let result = try ProcessRunner.run(
            ["/bin/bash", Self.script, "6", "20261202"],
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "CASEVAULT_BIN": CLI.binary,
                "KILL_WORK": work.file("run"), "KILL_LARGE_MIB": "2", "KILL_MANY_FILES": "12",
            ])
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        #expect(result.stdoutText.contains("kill.sh: 6 kills"), "\(result.stdoutText.suffix(2000))")
        #expect(result.stdoutText.split(separator: "\n").filter { $0.contains("verify passed") }.count >= 6)
    }
}
