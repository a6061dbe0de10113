import CaseVaultTestSupport
import Foundation
import Testing

@Suite("casevault end to end: the daily workflow")
struct WorkflowTests {
    @Test("init, member add, case create, add, list --json, get: the file comes back byte for byte")
    func roundTrip() throws {
        let team = try TeamVault()
        let original = try team.folder.write("declaracion.bin", randomBytes(300_000))
        let added = try team.cli.run(
            [
                "add", TeamVault.caseID, original, "--class", "legal", "--note", "Declaración",
                "--collected-by", "lucia",
                "--collected-at", "2026-03-01T10:30", "--source", "Fiscalía, El Alto", "--sha512", "--json",
            ],
            env: team.acting("lucia"))
        try expectSuccess(added)

        let listed = try team.cli.run(["list", TeamVault.caseID, "--json"])
        try expectSuccess(listed)
        let items = try decodeJSON([ItemJSON].self, listed.stdout)
        let item = try #require(items.first)
        #expect(items.count == 1)
        #expect(item.caseID == TeamVault.caseID)
        #expect(item.size == 300_000)
        #expect(item.readers == ["lawyer", "mentor"])
        #expect(item.sha256 == (try sha256Hex(file: original)))

        let output = team.folder.file("retrieved.bin")
        let got = try team.cli.run(["get", item.id, "-o", output], env: team.acting("lucia"))
        try expectSuccess(got)
        #expect(got.stdout.contains("SHA-256 verified"))
        #expect(try sha256Hex(file: output) == (try sha256Hex(file: original)))
        let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Without -o, the original name in the current folder.
        try FileManager.default.createDirectory(
            atPath: team.folder.file("downloads"), withIntermediateDirectories: false)
        var inDownloads = team.cli
        inDownloads.workingDirectory = team.folder.file("downloads")
        let byName = try inDownloads.run(["get", item.id], env: team.acting("lucia"))
        try expectSuccess(byName)
        #expect(try sha256Hex(file: team.folder.file("downloads/declaracion.bin")) == item.sha256)
    }

    @Test("show prints the reader roles, and the decrypted description only to a reader")
    func showReaders() throws {
        let team = try TeamVault()
        let id = try team.add(
            "mensajes.txt", "Mensajes de amenaza (ficticios)\n",
            extra: ["--note", "Captura del teléfono"])
        let asLawyer = try team.cli.run(["show", id], env: team.acting("lucia"))
        try expectSuccess(asLawyer)
        #expect(asLawyer.stdout.contains("Readable by:"))
        #expect(asLawyer.stdout.contains("lawyer,mentor"))
        #expect(asLawyer.stdout.contains("mensajes.txt"))
        #expect(asLawyer.stdout.contains("Captura del teléfono"))

        let anonymous = try team.cli.run(["show", id])
        try expectSuccess(anonymous)
        #expect(anonymous.stdout.contains("lawyer,mentor"))
        #expect(!anonymous.stdout.contains("mensajes.txt"))

        let asPsychologist = try team.cli.run(
            ["show", id] + team.identity("sofia"), env: team.acting("sofia"))
        try expectSuccess(asPsychologist)
        #expect(!asPsychologist.stdout.contains("mensajes.txt"))
        #expect(asPsychologist.stdout.contains("encrypted"))

        let list = try team.cli.run(["list"])
        #expect(list.stdout.contains("READABLE BY") && list.stdout.contains("lawyer,mentor"))
    }

    @Test("a member without a reader role is refused with exit code 77 and no output file")
    func refusal() throws {
        let team = try TeamVault()
        let id = try team.add(
            "denuncia.txt", "Memorial de denuncia (ficticio)\n", extra: ["--class", "legal"])
        let output = team.folder.file("sofia-tried.txt")
        let result = try team.cli.run(
            ["get", id, "-o", output] + team.identity("sofia"), env: team.acting("sofia"))
        #expect(result.code == Code.notEntitled)
        #expect(result.errorLines.count == 1)
        #expect(result.stderr.contains("only lawyer, mentor can"))
        #expect(!FileManager.default.fileExists(atPath: output))

        // The admin reads no content either.
        let admin = try team.cli.run(["get", id, "-o", output], env: team.acting("ana"))
        #expect(admin.code == Code.notEntitled)
    }

    @Test("a key file other users can read still opens, with a warning that says how to fix it")
    func looseKeyFileWarns() throws {
        let team = try TeamVault()
        let key = team.folder.file("sofia-keys/sofia.key")
        let tight = try team.cli.run(["case", "list"] + team.identity("sofia"), env: team.acting("sofia"))
        try expectSuccess(tight)
        #expect(!tight.stderr.contains("other users can read"))

        #expect(chmod(key, 0o644) == 0)
        let loose = try team.cli.run(["case", "list"] + team.identity("sofia"), env: team.acting("sofia"))
        try expectSuccess(loose)
        #expect(loose.stderr.contains("warning: other users can read the key file \(key)"))
        #expect(loose.stderr.contains("chmod 600"))
    }

    @Test("case titles are decrypted for case readers and stay encrypted for others")
    func caseTitles() throws {
        let team = try TeamVault()
        let lawyer = try team.cli.run(["case", "list", "--json"], env: team.acting("lucia"))
        try expectSuccess(lawyer)
        #expect(lawyer.stdout.contains("Denuncia, El Alto"))
        let anonymous = try team.cli.run(["case", "show", TeamVault.caseID])
        try expectSuccess(anonymous)
        #expect(anonymous.stdout.contains("(encrypted)"))
        #expect(!anonymous.stdout.contains("Rosa"))
    }

    @Test("roles: grant by a holder, revoke by an admin, list shows holders")
    func roles() throws {
        let team = try TeamVault()
        try expectSuccess(team.cli.run(["role", "grant", "lawyer", "mateo"], env: team.acting("lucia")))
        let roles = try team.cli.run(["role", "list", "--json"])
        #expect(roles.stdout.contains("\"mateo\""))
        try expectSuccess(team.cli.run(["role", "revoke", "lawyer", "mateo"], env: team.acting("ana")))
        let mateo = try team.cli.run(["member", "show", "mateo", "--json"])
        #expect(mateo.stdout.contains("\"mentor\"") && !mateo.stdout.contains("\"lawyer\""))
        // Granting shares a role's keys, so a non-holder cannot.
        let refused = try team.cli.run(["role", "grant", "lawyer", "sofia"], env: team.acting("ana"))
        #expect(refused.code == Code.notEntitled)
    }

    @Test("export --passphrase writes a standard age file that decrypts to the original")
    func exportWithPassphrase() throws {
        let team = try TeamVault()
        let text = "Informe pericial (ficticio)\n"
        let id = try team.add("informe.txt", text)
        let exported = team.folder.file("informe.txt.age")
        try team.folder.write("export.pass", "a passphrase for the prosecutor\n")
        try expectSuccess(
            team.cli.run(
                [
                    "export", id, "--passphrase", "--new-passphrase-file", team.folder.file("export.pass"),
                    "-o", exported,
                ],
                env: team.acting("lucia")))
        let decrypted = team.folder.file("informe-decrypted.txt")
        try expectSuccess(
            team.cli.run([
                "age", "decrypt", "--passphrase-file", team.folder.file("export.pass"), "-o", decrypted,
                exported,
            ]))
        #expect(
            String(decoding: FileManager.default.contents(atPath: decrypted) ?? Data(), as: UTF8.self)
                == text)
    }

    @Test("two add processes on the same vault at once both succeed")
    func concurrentAdds() throws {
        let team = try TeamVault()
        let first = try team.folder.write("a.bin", randomBytes(2_000_000))
        let second = try team.folder.write("b.bin", randomBytes(2_000_000))
        let runs = try [first, second].map {
            try team.cli.start(["add", TeamVault.caseID, $0], env: team.acting("lucia"))
        }
        let results = try runs.map { try $0.finish() }
        for result in results { #expect(result.code == 0, "\(result.stderr)") }
        let items = try decodeJSON([ItemJSON].self, try team.cli.run(["list", "--json"]).stdout)
        #expect(items.count == 2)
        #expect(Set(items.map(\.sha256)) == Set([try sha256Hex(file: first), try sha256Hex(file: second)]))
    }
}
