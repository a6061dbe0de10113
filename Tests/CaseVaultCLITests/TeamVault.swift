import CaseVaultTestSupport
import Foundation
import Testing

/// A vault made through the CLI: ana (admin), lucia (lawyer, keys made in the vault), mateo (mentor) and
/// sofia (psychologist, keys made with `keygen` and added from her card), and case LPZ-2026-014.
struct TeamVault {
    let folder: TemporaryFolder
    let cli: CLI
    static let caseID = "LPZ-2026-014"

    init() throws {
        folder = try TemporaryFolder()
        cli = CLI(folder: folder)
        for name in ["ana", "lucia", "mateo", "sofia"] {
            try folder.write("\(name).pass", "passphrase of \(name)\n")
        }
        try expectSuccess(
            cli.run(["init", "--admin", "ana", "--new-passphrase-file", folder.file("ana.pass")]))
        try expectSuccess(
            cli.run(
                [
                    "member", "add", "lucia", "--role", "lawyer", "--new-passphrase-file",
                    folder.file("lucia.pass"),
                ],
                env: acting("ana")))
        try expectSuccess(
            cli.run(
                [
                    "member", "add", "mateo", "--role", "mentor", "--new-passphrase-file",
                    folder.file("mateo.pass"),
                ],
                env: acting("ana")))
        try FileManager.default.createDirectory(
            atPath: folder.file("sofia-keys"), withIntermediateDirectories: false)
        try expectSuccess(
            cli.run([
                "keygen", "sofia", "-o", folder.file("sofia-keys"), "--new-passphrase-file",
                folder.file("sofia.pass"),
            ]))
        try expectSuccess(
            cli.run(
                [
                    "member", "add", "sofia", "--role", "psychologist", "--card",
                    folder.file("sofia-keys/sofia.card.json"),
                ],
                env: acting("ana")))
        try expectSuccess(
            cli.run(
                ["case", "create", Self.caseID, "--title", "Denuncia, El Alto", "--survivor", "Rosa"],
                env: acting("lucia")))
    }

    /// The environment that makes `name` the acting member, passphrase in a file.
    func acting(_ name: String) -> [String: String] {
        ["CASEVAULT_AS": name, "CASEVAULT_PASSPHRASE_FILE": folder.file("\(name).pass")]
    }

    /// Arguments that point at sofia's key file, which lives outside the vault.
    func identity(_ name: String) -> [String] {
        name == "sofia" ? ["--identity", folder.file("sofia-keys/sofia.key")] : []
    }

    /// Adds `text` as a file and returns the new item's id.
    func add(_ name: String, _ text: String, as member: String = "lucia", extra: [String] = []) throws
        -> String
    {
        let path = try folder.write(name, text)
        let result = try cli.run(
            ["add", Self.caseID, path, "--json"] + extra + identity(member), env: acting(member))
        try expectSuccess(result)
        let items = try decodeJSON([ItemJSON].self, result.stdout)
        return try #require(items.first).id
    }

    /// Everything a failed command must leave as it was: the listings, the files of the vault folder, and
    /// every row of the database (journal included), dumped read-only with the sqlite3 tool. (The raw bytes
    /// of vault.sqlite are not compared: SQLite updates header counters whenever a connection opens it.)
    func snapshot() throws -> [String: String] {
        var state: [String: String] = [:]
        for arguments in [
            ["list", "--json"], ["member", "list", "--json"], ["case", "list", "--json"],
            ["role", "list", "--json"],
        ] {
            state[arguments.joined(separator: " ")] = try cli.run(arguments).stdout
        }
        let vault = folder.file("vault")
        let files = (FileManager.default.enumerator(atPath: vault)?.allObjects as? [String] ?? [])
            .filter { !$0.hasPrefix("tmp/") && !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") }.sorted()
        state["files"] = files.joined(separator: "\n")
        state["database rows"] = try Tool.run(
            "sqlite3", ["-readonly", "\(vault)/vault.sqlite", ".dump"])
        return state
    }
}

enum Tool {
    /// Runs a standard tool and returns its standard output; a failure to run it fails the test.
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run([tool] + arguments)
        guard result.status == 0 else {
            throw CLITestFailure(
                message: "\(tool) failed with exit code \(result.status); .ci/setup installs it\n\(result.stderr)")
        }
        return result.stdoutText
    }
}

/// The fields of `list --json` the tests read.
struct ItemJSON: Decodable {
    let id: String
    let caseID: String
    let sha256: String
    let size: Int64
    let readers: [String]
}

func expectSuccess(_ result: CLI.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(result.code == 0, "exit \(result.code): \(result.stderr)", sourceLocation: sourceLocation)
    if result.code != 0 { throw CLITestFailure(message: result.stderr) }
}

struct CLITestFailure: Error {
    let message: String
}

extension TeamVault {
    /// Runs `query` on the vault's database with the `sqlite3` tool, as anyone who can write the folder
    /// could; its output, trimmed.
    @discardableResult
    func sql(_ query: String) throws -> String {
        try Tool.run("sqlite3", [folder.file("vault/vault.sqlite"), query]).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }
}
