import CaseVaultTestSupport
import Foundation
import Testing

/// `case hold`/`case release` and `custody hold`/`custody release`, as a user runs them: a disposal request
/// is refused (64) while the item or its case is held, and the hold shows in `show`, `case show` and
/// `custody show`.
@Suite("casevault end to end: legal hold")
struct LegalHoldCLITests {
    @Test("a held case or item refuses disposal (64); a non-reader may not hold (77); released, disposal goes on")
    func holdAndRelease() throws {
        let team = try TeamVault()
        let item = try team.add("acta.pdf", "acta\n")
        let lucia = team.acting("lucia")
        let caseID = TeamVault.caseID
        try expectSuccess(
            team.cli.run(["case", "hold", caseID, "--reason", "orden judicial", "--authority", "JI-77"], env: lucia))
        let refused = try team.cli.run(["custody", "dispose", item, "--reason", "archivado"], env: lucia)
        #expect(refused.code == 64 && refused.stderr.contains("Case \(caseID)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("under legal hold") && refused.stderr.contains("case release"))
        let caseShown = try team.cli.run(["case", "show", caseID], env: [:])
        #expect(caseShown.stdout.contains("Legal hold") && caseShown.stdout.contains("yes, since entry"))
        let shown = try team.cli.run(["show", item], env: [:])
        #expect(shown.stdout.contains("on its case (entry"), "\(shown.stdout)")
        let outsider = try team.cli.run(
            ["custody", "hold", item, "--reason", "x"] + team.identity("sofia"), env: team.acting("sofia"))
        #expect(outsider.code == 77 && outsider.stderr.contains("Only an admin or a holder of"), "\(outsider.stderr)")
        let twice = try team.cli.run(["case", "hold", caseID, "--reason", "otra"], env: team.acting("ana"))
        #expect(twice.code == 64 && twice.stderr.contains("already under legal hold"), "\(twice.stderr)")

        try expectSuccess(team.cli.run(["case", "release", caseID, "--reason", "sentencia"], env: team.acting("ana")))
        try expectSuccess(team.cli.run(["custody", "hold", item, "--reason", "pericia"], env: team.acting("mateo")))
        let custody = try team.cli.run(["custody", "show", item, "--json"], env: lucia)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(custody.stdout.utf8)) as? [String: Any])
        let hold = try #require(record["legalHold"] as? [String: Any])
        #expect(hold["item"] is Int && hold["caseHold"] == nil)
        let events = try #require(record["events"] as? [[String: Any]])
        #expect(events.last?["kind"] as? String == "hold")
        let itemRefused = try team.cli.run(["custody", "dispose", item, "--reason", "archivado"], env: lucia)
        #expect(itemRefused.code == 64 && itemRefused.stderr.contains("custody release \(item)"))
        try expectSuccess(team.cli.run(["custody", "release", item, "--reason", "fin"], env: lucia))
        try expectSuccess(team.cli.run(["custody", "dispose", item, "--reason", "archivado"], env: lucia))
        let released = try team.cli.run(["custody", "show", item], env: [:])
        #expect(released.stdout.contains("hold-released") && released.stdout.contains("Legal hold"))
        try expectSuccess(team.cli.run(["audit", "verify"], env: [:]))
    }
}
