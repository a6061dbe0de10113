import CaseVaultTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `add` of a folder and `add --files-from`, as a user runs them.
@Suite("casevault end to end: add a folder or a list of files")
struct FolderAddCLITests {
    /// `fotos/` with files at two depths; returns the paths in the order `add` takes them.
    func makeFolder(_ team: TeamVault) throws -> [String] {
        try FileManager.default.createDirectory(
            atPath: team.folder.file("fotos/2026"), withIntermediateDirectories: true)
        let relative = ["2026/b.jpg", "2026/a.jpg", "c.jpg", "B.jpg"]
        for name in relative { try team.folder.write("fotos/\(name)", "photo \(name)\n") }
        // Byte order: digits before capitals before small letters.
        return ["2026/a.jpg", "2026/b.jpg", "B.jpg", "c.jpg"].map { team.folder.file("fotos/\($0)") }
    }

    func sha256s(_ paths: [String]) throws -> [String] { try paths.map { try sha256Hex(file: $0) } }

    @Test("a folder adds every file under it, in order, and each line names the file's path")
    func folder() throws {
        let team = try TeamVault()
        let expected = try makeFolder(team)
        let result = try team.cli.run(["add", TeamVault.caseID, team.folder.file("fotos")], env: team.acting("lucia"))
        try expectSuccess(result)
        let added = result.stdout.split(separator: "\n").filter { $0.hasPrefix("Added ") }
        #expect(added.count == expected.count)
        for (line, path) in zip(added, expected) { #expect(line.contains("  \(path)  "), "\(line)") }
        let listed = try decodeJSON([ItemJSON].self, try team.cli.run(["list", TeamVault.caseID, "--json"]).stdout)
        #expect(listed.map(\.sha256) == (try sha256s(expected)))
        // Each item keeps its file's base name.
        let names = try team.cli.run(["list", TeamVault.caseID, "--names"], env: team.acting("lucia"))
        try expectSuccess(names)
        for name in ["a.jpg", "b.jpg", "B.jpg", "c.jpg"] { #expect(names.stdout.contains(name)) }
        #expect(!names.stdout.contains("2026/"))
    }

    @Test("--files-from reads paths by line from a file, or NUL-separated from standard input with -0")
    func filesFrom() throws {
        let team = try TeamVault()
        let paths = try makeFolder(team)
        let single = try team.folder.write("acta\nnueva.pdf", "a name with a newline\n")
        // Lines: a file, a blank line, a folder; order kept, the folder expanded where it is listed.
        try team.folder.write("list.txt", "\(paths[3])\n\n\(team.folder.file("fotos/2026"))\n")
        let byLine = try team.cli.run(
            ["add", TeamVault.caseID, "--files-from", team.folder.file("list.txt"), "--json"], env: team.acting("lucia")
        )
        try expectSuccess(byLine)
        let lineItems = try decodeJSON([ItemJSON].self, byLine.stdout)
        #expect(lineItems.map(\.sha256) == (try sha256s([paths[3], paths[0], paths[1]])))

        let list = Array("\(paths[0])\0\(single)\0".utf8)
        let fromStdin = CLI.Result(
            try ProcessRunner.run(
                [CLI.binary, "add", TeamVault.caseID, "--files-from", "-", "-0", "--json"],
                environment: team.cli.environment.merging(team.acting("lucia")) { $1 },
                workingDirectory: team.cli.workingDirectory, stdin: list))
        try expectSuccess(fromStdin)
        let stdinItems = try decodeJSON([ItemJSON].self, fromStdin.stdout)
        #expect(stdinItems.map(\.sha256) == (try sha256s([paths[0], single])))
    }

    @Test("a FIFO or link inside the folder: exit 64, its path named, nothing added", arguments: ["fifo", "link"])
    func refusedInside(kind: String) throws {
        let team = try TeamVault()
        let paths = try makeFolder(team)
        let bad = team.folder.file("fotos/2026/zz-\(kind)")
        if kind == "fifo" { #expect(mkfifo(bad, 0o600) == 0) } else { #expect(symlink(paths[0], bad) == 0) }
        let before = try team.snapshot()
        let result = try team.cli.run(["add", TeamVault.caseID, team.folder.file("fotos")], env: team.acting("lucia"))
        #expect(result.code == Code.usage, "\(result.stderr)")
        #expect(result.errorLines.count == 1 && result.stderr.contains(bad), "\(result.stderr)")
        #expect(try team.snapshot() == before)
    }

    @Test("a list that names nothing, or -0 without a list, is a usage error")
    func badLists() throws {
        let team = try TeamVault()
        try team.folder.write("empty.txt", "\n\n")
        for arguments in [
            ["--files-from", team.folder.file("empty.txt")], ["-0", team.folder.file("empty.txt")],
            ["--files-from", team.folder.file("no-such-list.txt")],
        ] {
            let result = try team.cli.run(["add", TeamVault.caseID] + arguments, env: team.acting("lucia"))
            #expect(result.code != 0 && result.errorLines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("casevault: "), "\(result.stderr)")
        }
    }
}
