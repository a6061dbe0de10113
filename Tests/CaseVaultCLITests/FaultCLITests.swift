import CaseVaultTestSupport
import Foundation
import Testing

/// Faults of the machine under the vault: a full disk (a small tmpfs), a missing object, a backup killed
/// half-way. Each gives a clear error with the exit code Docs/CLI.md documents, loses nothing, leaves nothing
/// half-written, and `verify` passes after (or names exactly what is missing).
@Suite("casevault under faults: full disk, missing object, killed backup", .serialized)
struct FaultCLITests {
    /// Mounting a tmpfs needs root (CI runs as root).
    static let isRoot = getuid() == 0

    /// A tmpfs of `mib` MiB mounted on a new folder of `team`'s, unmounted by the caller.
    func smallDisk(_ team: TeamVault, _ name: String, mib: Int) throws -> String {
        let mountPoint = team.folder.file(name)
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        _ = try Tool.run("mount", ["-t", "tmpfs", "-o", "size=\(mib)m,mode=0700", "tmpfs", mountPoint])
        return mountPoint
    }

    func unmount(_ path: String) { _ = try? Tool.run("umount", [path]) }

    func files(under folder: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
    }

    @Test(
        "an add that fills the disk fails with 74 and a plain reason; nothing is listed, nothing is left, verify passes",
        .enabled(if: isRoot, "mounting a small tmpfs needs root"))
    func fullDiskAdd() throws {
        let team = try TeamVault()
        let disk = try smallDisk(team, "disk", mib: 12)
        defer { unmount(disk) }
        // The vault moves onto the small disk; an item added before must survive what follows.
        _ = try Tool.run("cp", ["-a", team.folder.file("vault"), "\(disk)/vault"])
        var cli = team.cli
        cli.environment["CASEVAULT_DIR"] = "\(disk)/vault"
        let path = try team.folder.write("acta.txt", "acta\n")
        try expectSuccess(cli.run(["add", TeamVault.caseID, path], env: team.acting("lucia")))
        let before = try cli.run(["list", TeamVault.caseID, "--json"]).stdout
        let objectsBefore = try files(under: "\(disk)/vault/objects")
        let big = try team.folder.write("video.mp4", randomBytes(24 << 20))
        let full = try cli.run(["add", TeamVault.caseID, big], env: team.acting("lucia"))
        #expect(full.code == 74, "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device"), "\(full.stderr)")
        #expect(!full.stderr.contains("SQLite") && full.stderr.split(separator: "\n").count <= 3, "\(full.stderr)")
        #expect(try cli.run(["list", TeamVault.caseID, "--json"]).stdout == before)
        #expect(try files(under: "\(disk)/vault/objects") == objectsBefore)
        let verify = try cli.run(["verify"])
        #expect(verify.code == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!verify.stdout.contains("Unnamed object"), "a half-written object is left: \(verify.stdout)")
        // Room again: the same add goes through.
        _ = try Tool.run("mount", ["-o", "remount,size=64m", disk])
        try expectSuccess(cli.run(["add", TeamVault.caseID, big], env: team.acting("lucia")))
    }

    @Test(
        "a backup to a full disk fails with 74; to a disk with room it completes, and backup verify passes",
        .enabled(if: isRoot, "mounting a small tmpfs needs root"))
    func fullDiskBackup() throws {
        let team = try TeamVault()
        _ = try team.add("video.mp4", String(repeating: "x", count: 6 << 20))
        let disk = try smallDisk(team, "usb", mib: 2)
        defer { unmount(disk) }
        let full = try team.cli.run(["backup", "\(disk)/backup"], env: team.acting("lucia"))
        #expect(full.code == 74 && full.stderr.contains("No space left on device"), "\(full.stderr)")
        try expectSuccess(team.cli.run(["verify"]))
        _ = try Tool.run("mount", ["-o", "remount,size=32m", disk])
        try expectSuccess(team.cli.run(["backup", "\(disk)/backup"], env: team.acting("lucia")))
        try expectSuccess(team.cli.run(["backup", "verify", "\(disk)/backup"]))
    }

    @Test("a missing object: verify names exactly it (65), get of its item says so (65), the others read")
    func missingObject() throws {
        let team = try TeamVault()
        let lost = try team.add("uno.txt", "uno\n")
        let kept = try team.add("dos.txt", "dos\n")
        let shown = try team.cli.run(["show", lost, "--json"])
        let object = try #require(
            (try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
                .flatMap { $0["item"] as? [String: Any] }?["object"] as? String)
        let objectPath = try #require(
            try files(under: team.folder.file("vault/objects")).first { $0.hasSuffix(object) })
        #expect(unlink(team.folder.file("vault/objects/\(objectPath)")) == 0)
        let verify = try team.cli.run(["verify"])
        #expect(verify.code == 65)
        let problems = verify.stdout.split(separator: "\n").filter { $0.hasPrefix("PROBLEM") }
        #expect(problems == ["PROBLEM: Object \(object) of item \(lost) is missing."], "\(verify.stdout)")
        let get = try team.cli.run(["get", lost, "-o", "-"], env: team.acting("lucia"))
        #expect(get.code == 65 && get.stdout.isEmpty && get.stderr.contains("missing"), "\(get.stderr)")
        let other = try team.cli.run(["get", kept, "-o", "-"], env: team.acting("lucia"))
        #expect(other.code == 0 && other.stdout == "dos\n")
    }

    @Test("a backup killed half-way resumes when run again, and the backup verifies")
    func killedBackupResumes() throws {
        let team = try TeamVault()
        for n in 0..<3 { _ = try team.add("video\(n).mp4", String(repeating: "\(n)", count: 8 << 20)) }
        let dest = team.folder.file("backup")
        var caught = false
        for _ in 0..<5 where !caught {
            let running = try team.cli.start(["backup", dest], env: team.acting("lucia"))
            // Killed once it has started copying objects into the destination.
            while running.process.isRunning {
                if (try? files(under: "\(dest)/objects").isEmpty) == false {
                    caught = kill(running.process.processIdentifier, SIGKILL) == 0
                    break
                }
                usleep(500)
            }
            _ = try running.finish()
        }
        #expect(caught, "the backup finished before it could be killed, five times")
        // Killed before its first manifest: the folder is a partial backup, not yet one to restore from.
        #expect(!FileManager.default.fileExists(atPath: "\(dest)/casevault-backup.json"))
        try expectSuccess(team.cli.run(["backup", dest], env: team.acting("lucia")))
        try expectSuccess(team.cli.run(["backup", "verify", dest]))
        try expectSuccess(team.cli.run(["verify"]))
    }
}
