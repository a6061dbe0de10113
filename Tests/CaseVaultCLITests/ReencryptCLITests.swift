import CaseVaultTestSupport
import Foundation
import Testing

/// `keys rotate --reencrypt` and `keys rewrap --reencrypt`, driven as a user would, and checked with the raw
/// files and the reference `age` and `sqlite3` tools (the escape hatch of Docs/FORMAT.md).
@Suite("CLI: re-encryption after a compromised key")
struct ReencryptCLITests {
    struct ReencryptJSON: Decodable, Equatable {
        let items: Int
        let cases: Int
        let generation: Int
    }

    struct RotateJSON: Decodable {
        let reencrypt: ReencryptJSON?
    }

    /// Runs `age` with `arguments`; its exit status and standard error.
    func age(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let result = try ProcessRunner.run(["age"] + arguments)
        return (result.status, result.stderr)
    }

    func objectPath(_ team: TeamVault, _ object: String) -> String {
        team.folder.file("vault/objects/\(object.prefix(2))/\(object)")
    }

    @Test(
        "a saved lawyer key opens the old object with age, and neither the new object nor the new header",
        .enabled(if: ProcessRunner.path(of: "age") != nil && ProcessRunner.path(of: "sqlite3") != nil))
    func savedKeyOpensNothingNew() throws {
        let team = try KeysCLITests.teamWithPedro()
        let item = try team.add("acta.txt", "acta reservada", extra: ["--class", "legal"])
        let f = team.folder
        // What someone who took lucia's key file and passphrase keeps: her member key, the lawyer key of
        // generation 1 (from her envelope), and the item's header.
        let member = try team.cli.run([
            "age", "decrypt", "--passphrase-file", f.file("lucia.pass"), "-o", f.file("lucia.key"),
            f.file("vault/keys/lucia.age"),
        ])
        try expectSuccess(member)
        _ = try team.sql(
            "SELECT writefile('\(f.file("envelope.age"))', e.envelope) FROM role_key_envelopes e "
                + "JOIN members m ON m.id = e.member WHERE m.name = 'lucia' AND e.role = 'lawyer' "
                + "AND e.generation = 1")
        #expect(
            try age(["-d", "-i", f.file("lucia.key"), "-o", f.file("role1.key"), f.file("envelope.age")]).status == 0)
        _ = try team.sql("SELECT writefile('\(f.file("header1.age"))', header) FROM items WHERE id = '\(item)'")
        let oldObject = try team.sql("SELECT object FROM items WHERE id = '\(item)'")
        func joined(_ header: String, _ object: String, as name: String) throws -> String {
            let bytes = try readFile(f.file(header)) + readFile(objectPath(team, object))
            return try f.write(name, bytes)
        }
        let old = try joined("header1.age", oldObject, as: "old.age")
        #expect(try age(["-d", "-i", f.file("role1.key"), "-o", f.file("old.out"), old]).status == 0)
        #expect(try readFile(f.file("old.out")) == Array("acta reservada".utf8))

        // Only a holder may; a refusal comes before the rotation.
        let refused = try team.cli.run(
            ["keys", "rotate", "--role", "lawyer", "--reencrypt"], env: team.acting("ana"))
        #expect(refused.code == 77 && refused.stderr.contains("Only a holder of lawyer can"))
        #expect(try KeysCLITests().generations(team, "lawyer") == 1)
        let both = try team.cli.run(
            ["keys", "rotate", "--role", "lawyer", "--reencrypt", "--rewrap"], env: team.acting("lucia"))
        #expect(both.code == 64 && both.stderr.contains("not both"))

        let result = try team.cli.run(
            ["keys", "rotate", "--role", "lawyer", "--reencrypt", "--json"], env: team.acting("lucia"))
        try expectSuccess(result)
        #expect(
            try decodeJSON(RotateJSON.self, result.stdout).reencrypt
                == ReencryptJSON(items: 1, cases: 1, generation: 2))
        let newObject = try team.sql("SELECT object FROM items WHERE id = '\(item)'")
        #expect(newObject != oldObject)
        _ = try team.sql("SELECT writefile('\(f.file("header2.age"))', header) FROM items WHERE id = '\(item)'")
        // The saved role key: no stanza of the new header is for it.
        let new = try joined("header2.age", newObject, as: "new.age")
        let newRefused = try age(["-d", "-i", f.file("role1.key"), "-o", f.file("new.out"), new])
        #expect(newRefused.status != 0 && newRefused.stderr.contains("no identity matched"))
        // The saved file key (through the old header, whose MAC it verifies): the new payload does not open.
        let grafted = try joined("header1.age", newObject, as: "grafted.age")
        #expect(try age(["-d", "-i", f.file("role1.key"), "-o", f.file("grafted.out"), grafted]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: f.file("new.out")))
        // The old object is still there until a backup holds the new one.
        #expect(FileManager.default.fileExists(atPath: objectPath(team, oldObject)))

        try expectSuccess(team.cli.run(["get", item, "-o", f.file("acta.out")], env: team.acting("pedro")))
        #expect(try readFile(f.file("acta.out")) == Array("acta reservada".utf8))
        let verify = try team.cli.run(["verify"])
        try expectSuccess(verify)
        #expect(verify.stdout.contains("1 objects replaced by a re-encryption are kept until a backup holds"))
        let custody = try team.cli.run(["custody", "show", item], env: team.acting("lucia"))
        try expectSuccess(custody)
        #expect(custody.stdout.contains("re-encrypted") && custody.stdout.contains("new object \(newObject)"))
        #expect(custody.stdout.contains("plaintext SHA-256 unchanged"))
        let again = try team.cli.run(
            ["keys", "rewrap", "--role", "lawyer", "--reencrypt", "--json"], env: team.acting("pedro"))
        try expectSuccess(again)
        #expect(try decodeJSON(ReencryptJSON.self, again.stdout) == ReencryptJSON(items: 0, cases: 0, generation: 2))

        let backup = try team.cli.run(["backup", f.file("backup")], env: team.acting("lucia"))
        try expectSuccess(backup)
        #expect(backup.stdout.contains("Removed 1 objects replaced by a re-encryption"))
        #expect(!FileManager.default.fileExists(atPath: objectPath(team, oldObject)))
        let after = try team.cli.run(["verify"])
        try expectSuccess(after)
        #expect(!after.stdout.contains("replaced by a re-encryption"))
        try expectSuccess(team.cli.run(["audit", "verify"]))
    }

    @Test("with the unlock agent: forty items, each one's entry signed through the agent")
    func throughTheAgent() throws {
        let team = try KeysCLITests.teamWithPedro()
        try FileManager.default.createDirectory(atPath: team.folder.file("many"), withIntermediateDirectories: false)
        for n in 1...40 { try team.folder.write("many/f\(n).txt", String(repeating: "x", count: n)) }
        try expectSuccess(
            team.cli.run(
                ["add", TeamVault.caseID, team.folder.file("many"), "--class", "legal"], env: team.acting("lucia")))
        try expectSuccess(team.cli.run(["unlock", "--for", "5m"], env: team.acting("lucia")))
        defer { _ = try? team.cli.run(["lock"], env: AgentCLITests.withoutPassphrase("lucia")) }
        let result = try team.cli.run(
            ["keys", "rotate", "--role", "lawyer", "--reencrypt", "--json"],
            env: AgentCLITests.withoutPassphrase("lucia"))
        try expectSuccess(result)
        #expect(
            try decodeJSON(RotateJSON.self, result.stdout).reencrypt
                == ReencryptJSON(items: 40, cases: 1, generation: 2))
        try expectSuccess(team.cli.run(["verify", "--deep"], env: AgentCLITests.withoutPassphrase("lucia")))
        try expectSuccess(team.cli.run(["audit", "verify"]))
    }
}
