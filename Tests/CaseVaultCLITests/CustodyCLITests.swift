import CaseVaultTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `casevault custody …` and `custody report`, run the way a user would: a chain made by lucia and mateo,
/// read by diego, an auditor who holds no reader role and must see no content, title or file name.
@Suite("casevault end to end: chain of custody")
struct CustodyCLITests {
    /// The team plus diego (auditor), and an evidence item with intake fields, named after the survivor.
    func setUp() throws -> (TeamVault, String) {
        let team = try TeamVault()
        try team.folder.write("diego.pass", "passphrase of diego\n")
        try expectSuccess(
            team.cli.run(
                [
                    "member", "add", "diego", "--role", "auditor", "--new-passphrase-file",
                    team.folder.file("diego.pass"),
                ],
                env: team.acting("ana")))
        let item = try team.add(
            "foto-Rosa-Quispe.jpg", "bytes de la foto\n",
            extra: ["--origin", "survivor", "--method", "original", "--sha512"])
        return (team, item)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Words that would identify the survivor or the content: none may reach an auditor.
    let secrets = ["Rosa", "Quispe", "foto-", "Denuncia", "El Alto", "calle 5", "REQ-77"]

    @Test("transfer, note, verify, seal; a transfer after the seal is refused (64); show links every event")
    func chainThroughTheCLI() throws {
        let (team, item) = try setUp()
        let verify = try team.cli.run(["custody", "verify", item, "--json"], env: team.acting("lucia"))
        try expectSuccess(verify)
        #expect(try json(verify.stdout)["plaintextChecked"] as? Bool == true)
        try expectSuccess(
            team.cli.run(
                ["custody", "transfer", item, "--to", "mateo", "--reason", "Rosa, calle 5", "--authority", "REQ-77"],
                env: team.acting("lucia")))
        try expectSuccess(team.cli.run(["custody", "note", item, "precinto intacto"], env: team.acting("mateo")))
        let outsider = try team.cli.run(
            ["custody", "note", "--json", item, "x"] + team.identity("sofia"), env: team.acting("sofia"))
        #expect(outsider.code == 77 && outsider.stderr.contains("custodian"), "\(outsider.stderr)")
        try expectSuccess(team.cli.run(["custody", "seal", item, "--reason", "juicio"], env: team.acting("lucia")))
        let refused = try team.cli.run(
            ["custody", "transfer", item, "--to", "lucia", "--reason", "x"], env: team.acting("mateo"))
        #expect(refused.code == 64 && refused.stderr.contains("sealed for court"), "\(refused.stderr)")

        let shown = try team.cli.run(["custody", "show", item, "--json"], env: team.acting("lucia"))
        try expectSuccess(shown)
        let record = try json(shown.stdout)
        let events = try #require(record["events"] as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["intake", "verified", "transfer", "annotated", "sealed"])
        #expect((record["gaps"] as? [Any])?.isEmpty == true && record["custodian"] as? String == "mateo")
        let transfer = try #require(events[2]["remarks"] as? [String: Any])
        #expect(transfer["text"] as? String == "Rosa, calle 5" && transfer["authority"] as? String == "REQ-77")
        let table = try team.cli.run(["custody", "show", item], env: team.acting("lucia"))
        #expect(table.stdout.contains("Unbroken chain") && table.stdout.contains("-04:00"))
    }

    @Test("the auditor verifies the object, and shows and reports the chain without content, titles or names")
    func auditorSeesNoContent() throws {
        let (team, item) = try setUp()
        try expectSuccess(
            team.cli.run(
                ["custody", "transfer", item, "--to", "mateo", "--reason", "Rosa, calle 5", "--authority", "REQ-77"],
                env: team.acting("lucia")))
        let verify = try team.cli.run(["custody", "verify", item, "--json"], env: team.acting("diego"))
        try expectSuccess(verify)
        let result = try json(verify.stdout)
        #expect(result["plaintextChecked"] as? Bool == false && result["plaintextComputed"] == nil)
        for arguments in [
            ["custody", "show", item, "--json"], ["custody", "show", item],
            ["custody", "report", TeamVault.caseID, "--format", "json"],
            ["custody", "report", item, "--format", "md", "--lang", "en"],
            ["custody", "report", TeamVault.caseID, "--format", "html"],
        ] {
            let run = try team.cli.run(arguments, env: team.acting("diego"))
            try expectSuccess(run)
            for secret in secrets {
                #expect(!run.stdout.contains(secret), "\(arguments.joined(separator: " ")) shows \(secret)")
            }
        }
    }

    @Test("the HTML report is one well-formed XHTML file with every event, hash and proof, and no script")
    func htmlReport() throws {
        let (team, item) = try setUp()
        try expectSuccess(team.cli.run(["custody", "verify", item], env: team.acting("lucia")))
        let path = team.folder.file("informe.html")
        try expectSuccess(
            team.cli.run(
                ["custody", "report", TeamVault.caseID, "--lang", "es", "--format", "html", "-o", path],
                env: team.acting("diego")))
        let html = String(decoding: try readFile(path), as: UTF8.self)
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        let text = document.rootElement()?.stringValue ?? ""
        let report = try json(
            try team.cli.run(["custody", "report", item, "--format", "json"], env: team.acting("diego")).stdout)
        let items = try #require(report["items"] as? [[String: Any]])
        let record = try #require(items.first)
        for key in ["sha256", "sha512", "original"] {
            let value = try #require(record[key] as? String)
            #expect(text.contains(value), "the HTML lacks the \(key)")
        }
        let events = try #require(record["events"] as? [[String: Any]])
        #expect(events.count == 2)
        for event in events {
            #expect(text.contains(try #require(event["leafHash"] as? String)))
            #expect(text.contains("Entrada \(try #require(event["entry"] as? Int))"))
        }
        for required in [
            "Cadena sin interrupciones", "certutil -hashfile", "Get-FileHash", "sha256sum", "firma electrónica",
            "Ley 164", "America/La_Paz", "c2sp.org/tlog-proof@v1",
        ] {
            #expect(text.contains(required), "the report does not say \(required)")
        }
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
    }
}
