import CaseVaultTestSupport
import Foundation
import Testing

/// Regressions of the defects found by black-box testing (issue 8), through the built binary.
@Suite("casevault end to end: regressions of issue 8")
struct BlackBoxDefectCLITests {
    /// Runs `arguments` on a fresh team vault and checks that it fails with `code`, that the first error
    /// line starts `casevault:` and contains `says`, and that the vault is unchanged.
    func expectRefused(
        _ arguments: [String], code: Int32, says: String, team: TeamVault, env: [String: String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CLI.Result {
        let before = try team.snapshot()
        let result = try team.cli.run(arguments, env: env ?? team.acting("lucia"))
        #expect(result.code == code, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(
            result.errorLines.first?.hasPrefix("casevault: ") == true, "\(result.stderr)",
            sourceLocation: sourceLocation)
        #expect(result.stderr.contains(says), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Error:"), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation)
        let after = try team.snapshot()
        for (part, value) in before where after[part] != value {
            Issue.record("\(part) changed", sourceLocation: sourceLocation)
        }
        return result
    }

    // MARK: 2. Impossible dates

    @Test(
        "an impossible --collected-at is refused with 64",
        arguments: [
            "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-03-01T25:00",
            "2026-03-01T10:60", "2026-03-01T10:30:61Z", "2026-03-01T10:30+99:00", "2026-03-01T10:30-04:75",
            "2026-03-01T10:30Zjunk", "0000-01-01",
        ])
    func impossibleDate(_ date: String) throws {
        let team = try TeamVault()
        let file = try team.folder.write("acta.txt", "acta\n")
        let result = try expectRefused(
            ["add", TeamVault.caseID, file, "--collected-at", date], code: Code.usage, says: "is not a date",
            team: team)
        #expect(result.errorLines.count == 1, "\(result.stderr)")
    }

    @Test("real dates are accepted and stored as given, offset included")
    func realDates() throws {
        let team = try TeamVault()
        for date in [
            "2024-02-29", "2026-03-01T10:30", "2026-12-31T23:59:59Z", "2026-03-01T10:30-04:00",
            "2026-03-01T00:00+14:00",
        ] {
            let item = try team.add("acta.txt", "acta\n", extra: ["--collected-at", date])
            let shown = try team.cli.run(["show", item], env: team.acting("lucia"))
            try expectSuccess(shown)
            #expect(shown.stdout.contains(date), "\(shown.stdout)")
        }
    }

    // MARK: 3. File names that start with a dash

    @Test(
        "a file name that starts with a dash is refused with 64 and a hint, never taken as --help",
        arguments: [
            ["add", TeamVault.caseID, "-hechos.pdf"], ["add", TeamVault.caseID, "-foto.jpg"],
            ["get", "ITEM", "-o", "-hechos.pdf"], ["age", "encrypt", "-hechos.txt"],
        ])
    func dashedFileName(_ arguments: [String]) throws {
        let team = try TeamVault()
        let item = try team.add("acta.txt", "acta\n")
        try team.folder.write("-hechos.pdf", "hechos\n")
        try team.folder.write("-foto.jpg", "foto\n")
        let result = try expectRefused(
            arguments.map { $0 == "ITEM" ? item : $0 }, code: Code.usage, says: "put -- before", team: team)
        #expect(result.errorLines.count == 2, "\(result.stderr)")
        #expect(result.errorLines.last?.hasPrefix("Usage: ") == true, "\(result.stderr)")
    }

    @Test("after --, a file name that starts with a dash is added")
    func dashedFileNameAfterSeparator() throws {
        let team = try TeamVault()
        try team.folder.write("-hechos.pdf", "hechos\n")
        let result = try team.cli.run(
            ["add", TeamVault.caseID, "--json", "--", "-hechos.pdf"], env: team.acting("lucia"))
        try expectSuccess(result)
        #expect(try decodeJSON([ItemJSON].self, result.stdout).count == 1)
    }

    // MARK: 5. A FIFO without a writer

    @Test("adding a FIFO fails at once with 64 instead of waiting for a writer")
    func fifo() throws {
        let team = try TeamVault()
        let fifo = team.folder.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let before = try team.snapshot()
        let running = try team.cli.start(["add", TeamVault.caseID, fifo], env: team.acting("lucia"))
        let deadline = Date().addingTimeInterval(20)
        while running.process.isRunning && Date() < deadline { usleep(50_000) }
        if running.process.isRunning {
            Issue.record("add still waits on the FIFO after 20 s")
            running.process.terminate()
        }
        let result = try running.finish()
        #expect(result.code == Code.usage, "\(result.stderr)")
        #expect(
            result.errorLines == [
                "casevault: \(fifo) is not a regular file (a pipe, device or socket). Add regular files only; nothing was changed."
            ])
        #expect(try team.snapshot() == before)
    }

    // MARK: 6. A damaged stanza

    @Test(
        "an item whose stanzas were altered in the folder is refused as altered (65), for readers and non-readers alike"
    )
    func tamperedStanza() throws {
        let team = try TeamVault()
        let item = try team.add("acta.txt", "acta\n")
        let database = team.folder.file("vault/vault.sqlite")
        let hex = try Tool.run("sqlite3", [database, "SELECT hex(header) FROM items WHERE id = '\(item)';"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var header = Array(
            String(decoding: hexBytes(hex), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false))
        // Lines: version, then per stanza "-> X25519 …" and its body line, then "--- MAC". Change the first
        // character of every body line (still valid base64, a different key share ciphertext).
        for index in header.indices where index > 0 && header[index - 1].hasPrefix("-> ") {
            let first = header[index].first!
            header[index] = Substring((first == "A" ? "B" : "A") + header[index].dropFirst())
        }
        let tampered = Array(header.joined(separator: "\n").utf8).map { String(format: "%02X", $0) }.joined()
        _ = try Tool.run("sqlite3", [database, "UPDATE items SET header = X'\(tampered)' WHERE id = '\(item)';"])

        // The signed log binds the header's hash: readers and non-readers alike are told the record was
        // altered (65), naming the item and the field; nobody is told they merely lack a role.
        for member in ["lucia", "mateo", "sofia"] {
            let result = try team.cli.run(
                ["get", item, "-o", team.folder.file("out-\(member)")] + team.identity(member),
                env: team.acting(member))
            #expect(result.code == 65, "\(member): \(result.stderr)")
            #expect(result.stderr.contains("item \(item) (header) does not match the signed log"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: team.folder.file("out-\(member)")))
        }
    }

    // MARK: 7. A vault that cannot be opened

    @Test("a vault whose database cannot be opened is reported with its path and reason (74), not as absent")
    func unreadableVault() throws {
        let team = try TeamVault()
        let database = team.folder.file("vault/vault.sqlite")
        for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) }
        #expect(symlink(database, database) == 0)
        let result = try team.cli.run(["list"])
        #expect(result.code == 74, "\(result.stderr)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(
            result.stderr.contains("\(database) cannot be read (Too many levels of symbolic links)"), "\(result.stderr)"
        )
        #expect(!result.stderr.contains("There is no vault"), "\(result.stderr)")
    }

    // MARK: 8. Parse errors in casevault's voice

    @Test(
        "argument errors start with casevault: and show the usage line (64)",
        arguments: [
            ["add"], ["--no-such-option"], ["list", "--frobnicate"], ["add", TeamVault.caseID, "f", "--class", "nope"],
        ])
    func argumentErrors(_ arguments: [String]) throws {
        let team = try TeamVault()
        let result = try expectRefused(arguments, code: Code.usage, says: "Usage: ", team: team)
        #expect(result.errorLines.contains { $0.hasPrefix("Usage: ") }, "\(result.stderr)")
    }

    @Test("help, version and completion scripts still go to standard output with exit 0")
    func helpStillWorks() throws {
        let folder = try TemporaryFolder()
        let cli = CLI(folder: folder)
        for arguments in [
            ["--help"], ["add", "--help"], ["help", "add"], ["--version"], ["--generate-completion-script", "bash"],
        ] {
            let result = try cli.run(arguments)
            #expect(result.code == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stdout.isEmpty && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }

    // MARK: 9. A vault or passphrase file open to others

    @Test("a vault folder 0755 and a database 0644 give one warning with the chmod to run")
    func openVaultWarns() throws {
        let team = try TeamVault()
        let vault = team.folder.file("vault")
        #expect(chmod(vault, 0o755) == 0 && chmod("\(vault)/vault.sqlite", 0o644) == 0)
        let result = try team.cli.run(["list"])
        try expectSuccess(result)
        let warning = "Run `chmod -R go-rwx \(vault)`."
        #expect(result.stderr.components(separatedBy: warning).count == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(vault)/vault.sqlite"), "\(result.stderr)")

        #expect(Tool.runStatus("chmod", ["-R", "go-rwx", vault]) == 0)
        let quiet = try team.cli.run(["list"])
        try expectSuccess(quiet)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
    }

    @Test("a passphrase file others can read gives a warning with chmod 600")
    func openPassphraseFileWarns() throws {
        let team = try TeamVault()
        let file = team.folder.file("lucia.pass")
        #expect(chmod(file, 0o644) == 0)
        let result = try team.cli.run(["list", "--names"], env: team.acting("lucia"))
        try expectSuccess(result)
        #expect(
            result.stderr.contains("other users can read the passphrase file \(file). Run `chmod 600 \(file)`."),
            "\(result.stderr)")
        #expect(chmod(file, 0o600) == 0)
        let quiet = try team.cli.run(["list", "--names"], env: team.acting("lucia"))
        #expect(!quiet.stderr.contains("passphrase file"), "\(quiet.stderr)")
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

extension Tool {
    static func runStatus(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
