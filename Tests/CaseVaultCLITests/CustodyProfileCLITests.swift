import CaseVaultTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `member profile` and `custody transfer --to-name …`, run the way a user would: who received an item and
/// to whom it was handed, by full name, position and institution, in `custody show` and every report format.
@Suite("casevault end to end: positions, institutions and transfers outside the team")
struct CustodyProfileCLITests {
    @Test("an admin states lucia's profile; she hands the item to the prosecutor; show and reports name both")
    func profileAndHandover() throws {
        let team = try TeamVault()
        try expectSuccess(
            team.cli.run(
                [
                    "member", "profile", "lucia", "--full-name", "Lucía Mamani", "--position", "Abogada",
                    "--institution", "Fundación Voces Libres",
                ], env: team.acting("ana")))
        let refused = try team.cli.run(
            ["member", "profile", "mateo", "--full-name", "Mateo", "--position", "Jefe", "--institution", "X"],
            env: team.acting("lucia"))
        #expect(refused.code != 0 && refused.stderr.contains("Only members with the admin role"), "\(refused.stderr)")
        let item = try team.add("acta.pdf", "bytes del acta\n")
        let partial = try team.cli.run(
            ["custody", "transfer", item, "--to-name", "Ana Quispe", "--reason", "x"], env: team.acting("lucia"))
        #expect(partial.code == 64 && partial.stderr.contains("--to-institution"), "\(partial.stderr)")
        try expectSuccess(
            team.cli.run(
                [
                    "custody", "transfer", item, "--purpose", "prosecutor", "--to-name", "Ana Quispe",
                    "--to-position", "Fiscal de materia", "--to-institution", "Fiscalía Departamental de La Paz",
                    "--reason", "requerimiento", "--authority", "REQ-2026-114",
                ], env: team.acting("lucia")))
        let shown = try team.cli.run(["custody", "show", item], env: team.acting("lucia"))
        try expectSuccess(shown)
        for text in [
            "received by Lucía Mamani (lucia), Abogada, Fundación Voces Libres", "key fingerprint ",
            "Custodian:  Ana Quispe (outside the team), Fiscal de materia",
            "from Lucía Mamani (lucia), Abogada, Fundación Voces Libres to Ana Quispe (outside the team), "
                + "Fiscal de materia, Fiscalía Departamental de La Paz",
        ] {
            #expect(shown.stdout.contains(text), "show lacks \(text): \(shown.stdout)")
        }
        let spanish = try team.cli.run(
            ["custody", "report", item, "--format", "md", "--lang", "es"], env: team.acting("ana"))
        try expectSuccess(spanish)
        #expect(spanish.stdout.contains("recibido por Lucía Mamani (lucia), Abogada, Fundación Voces Libres"))
        #expect(spanish.stdout.contains("a Ana Quispe (externo al equipo), Fiscal de materia"))
        let html = try team.cli.run(["custody", "report", item, "--format", "html"], env: team.acting("ana"))
        try expectSuccess(html)
        let document = try XMLDocument(data: Data(html.stdout.utf8), options: [])
        let text = document.rootElement()?.stringValue ?? ""
        #expect(text.contains("Fiscalía Departamental de La Paz") && text.contains("Fundación Voces Libres"))
        let json = try team.cli.run(["custody", "report", item, "--format", "json"], env: team.acting("ana"))
        try expectSuccess(json)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let events = try #require((report["items"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])
        let intake = try #require(events.first?["actor"] as? [String: Any])
        #expect(intake["position"] as? String == "Abogada" && (intake["fingerprint"] as? String)?.count == 64)
        let to = try #require(events.last?["to"] as? [String: Any])
        #expect(to["institution"] as? String == "Fiscalía Departamental de La Paz" && to["member"] == nil)
    }
}
