import CaseVaultTestSupport
import Foundation
import Testing

/// The saved verification state through the CLI: a poisoned one is named by `audit verify`, an unsafe or
/// damaged one is refused with what to run, and `audit verify --json` answers in JSON for a refused log.
@Suite("casevault end to end: this computer's verified state")
struct VerifiedStateCLITests {
    /// The team vault, with the state file its commands saved (under HOME, as no XDG_STATE_HOME is set).
    static func teamWithState() throws -> (team: TeamVault, folder: String, file: String) {
        let team = try TeamVault()
        _ = try team.add("acta.txt", "acta\n")
        let folder = team.folder.file(".local/state/casevault/vaults")
        let name = try #require(
            FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".sqlite") })
        return (team, folder, "\(folder)/\(name)")
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a lawyer key swapped in the saved state and the vault folder is named by audit verify (65)")
    func poisonedState() throws {
        let (team, _, file) = try Self.teamWithState()
        let vault = team.folder.file("vault/vault.sqlite")
        let lawyer = try Tool.run("sqlite3", [vault, "SELECT recipient FROM role_generations WHERE role = 'lawyer'"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // A key the attacker holds: here sofia's own member key, which is no role key.
        let attacker = try Tool.run("sqlite3", [vault, "SELECT recipient FROM members WHERE name = 'sofia'"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Tool.run(
            "sqlite3",
            [
                file,
                "UPDATE snapshot SET state = CAST(replace(CAST(state AS TEXT), '\(lawyer)', '\(attacker)') AS BLOB)",
            ])
        _ = try Tool.run(
            "sqlite3",
            [vault, "UPDATE role_generations SET recipient = '\(attacker)' WHERE role = 'lawyer'"])
        let text = try team.cli.run(["audit", "verify"], env: team.acting("diego"))
        #expect(text.code == 65, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("PROBLEM: This computer's record of what it verified of the vault (\(file))"))
        #expect(text.stdout.contains("does not match the log replayed from its first entry"))
        let json = try team.cli.run(["audit", "verify", "--json"], env: team.acting("diego"))
        #expect(json.code == 65)
        let saved = try Self.json(json.stdout)["savedState"] as? [String: Any]
        #expect(saved?["result"] as? String == "altered")
    }

    @Test("a state file others may write, or a state folder that is a link, is refused with what to run (73)")
    func unsafeState() throws {
        let (team, folder, file) = try Self.teamWithState()
        chmod(file, 0o666)
        let open = try team.cli.run(["list", TeamVault.caseID], env: team.acting("lucia"))
        #expect(open.code == 73, "\(open.stderr)")
        #expect(open.stderr.contains(file) && open.stderr.contains("`chmod go-w \(file)`"))
        chmod(file, 0o600)
        let moved = folder + ".real"
        #expect(rename(folder, moved) == 0 && symlink(moved, folder) == 0)
        let linked = try team.cli.run(["audit", "verify"], env: team.acting("diego"))
        #expect(linked.code == 73, "\(linked.stderr)")
        #expect(linked.stderr.contains("\(folder)) is not safe to use: it is a symbolic link"))
    }

    @Test("a damaged state file is named with what to do, not as an SQLite error, and kept (65)")
    func damagedState() throws {
        let (team, _, file) = try Self.teamWithState()
        let garbage = Data(repeating: 0x5a, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: file))
        for arguments in [["list", TeamVault.caseID], ["audit", "verify"]] {
            let result = try team.cli.run(arguments, env: team.acting("lucia"))
            #expect(result.code == 65, "\(result.stderr)")
            #expect(result.stderr.contains("(\(file)) is damaged and cannot be read"))
            #expect(result.stderr.contains("`mv \(file) \(file).damaged`"))
            #expect(!result.stderr.contains("SQLite"))
        }
        #expect(FileManager.default.contents(atPath: file) == garbage)
    }

    @Test("audit verify --json answers in JSON for a refused log, naming its first refused entry only")
    func refusedLogInJSON() throws {
        let team = try TeamVault()
        _ = try team.add("acta.txt", "acta\n")
        try team.sql(
            "DROP TRIGGER log_entries_append_only_update; "
                + "UPDATE log_entries SET leaf_hash = zeroblob(32) WHERE idx IN (3, 5);")
        // Without a saved state (a fresh computer), where the log used to be refused before any report.
        try FileManager.default.removeItem(atPath: team.folder.file(".local/state/casevault/vaults"))
        let result = try team.cli.run(["audit", "verify", "--json"], env: team.acting("diego"))
        #expect(result.code == 65, "\(result.stderr)")
        let report = try Self.json(result.stdout)
        let problems = try #require(report["problems"] as? [String])
        #expect(problems.count == 1 && problems[0].hasPrefix("Entry 3 of the signed log is refused"), "\(problems)")
        #expect(report["checkpointMatches"] as? Bool == false)
    }
}
