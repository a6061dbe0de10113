import CaseVaultTestSupport
import Foundation
import Testing

/// A vault on write-protected media (a CD, a locked USB drive, a read-only mount, a backup folder the user
/// may not write) is listed, shown and verified without a byte written to it; a command that would record
/// an entry says what to do instead of reporting a raw SQLite error.
///
/// Root may write any folder, so the test makes the media read-only the way it is for everyone else: a copy
/// of the vault owned by `nobody` with no write bits, read by `casevault` running as `nobody` (setpriv).
@Suite("casevault on read-only media")
struct ReadOnlyMediaCLITests {
    static let canDropPrivileges = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    @Test(
        "listing, showing and verifying work on a vault nobody may write; get is refused with what to do (74)",
        .enabled(if: canDropPrivileges, "needs root and setpriv to run casevault as a user who may not write the copy"))
    func readOnlyVault() throws {
        let team = try TeamVault()
        let item = try team.add("acta.txt", "acta firmada\n")
        // A world-readable folder for the media: TemporaryFolder is 0700, which nobody could not enter.
        let media = "/tmp/casevault-media-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: false)
        defer { _ = try? Tool.run("rm", ["-rf", media]) }
        chmod(media, 0o755)
        _ = try Tool.run("cp", ["-a", team.folder.file("vault"), "\(media)/vault"])
        _ = try Tool.run("cp", [CLI.binary, "\(media)/casevault"])
        _ = try Tool.run("cp", [team.folder.file("lucia.pass"), "\(media)/lucia.pass"])
        try FileManager.default.createDirectory(atPath: "\(media)/home", withIntermediateDirectories: false)
        _ = try Tool.run("chown", ["-R", "65534:65534", "\(media)/vault", "\(media)/home", "\(media)/lucia.pass"])
        _ = try Tool.run("chmod", ["-R", "a-w", "\(media)/vault"])
        let before = try Self.listing("\(media)/vault")

        func run(_ arguments: [String]) throws -> ProcessRunner.Result {
            try ProcessRunner.run(
                [
                    "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "\(media)/casevault",
                ] + arguments + ["--vault", "\(media)/vault"],
                environment: [
                    "PATH": "/usr/bin:/bin", "HOME": "\(media)/home", "CASEVAULT_AS": "lucia",
                    "CASEVAULT_PASSPHRASE_FILE": "\(media)/lucia.pass", "CASEVAULT_AGENT_DIR": "\(media)/home/agent",
                ],
                workingDirectory: "\(media)/home")
        }
        for arguments in [["list", TeamVault.caseID], ["show", item], ["audit", "verify"], ["role", "list"]] {
            let result = try run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        #expect(try run(["list", TeamVault.caseID]).stdoutText.contains(item))
        let refused = try run(["get", item, "-o", "-"])
        #expect(refused.status == 74)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("read-only") && refused.stderr.contains("cp -a"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("SQLite"))
        #expect(try Self.listing("\(media)/vault") == before)
    }

    /// Every file under `folder` with its size and modification time: what "nothing was written" means.
    static func listing(_ folder: String) throws -> [String] {
        let names = try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
        return try names.map { name in
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(folder)/\(name)")
            return "\(name) \(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? 0)"
        }
    }
}
