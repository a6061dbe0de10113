import CaseVaultTestSupport
import Foundation
import Testing

/// `keys rotate`, `role revoke` with and without rotation, and `member remove`, driven as a user would.
@Suite("CLI: rotation and offboarding")
struct KeysCLITests {
    struct RotationJSON: Decodable {
        let role: String
        let generation: Int
        let sealedTo: [String]
    }

    struct RotateJSON: Decodable {
        let rotation: RotationJSON
    }

    struct RewrapJSON: Decodable, Equatable {
        let items: Int
        let cases: Int
        let generation: Int
    }

    struct RemovalJSON: Decodable {
        let member: String
        let revokedRoles: [String]
        let rotations: [RotationJSON]
    }

    struct RoleJSON: Decodable {
        let name: String
        let generations: Int
        let holders: [String]
    }

    /// The team with pedro, a second lawyer (granted by lucia) and a second mentor (granted by mateo).
    static func teamWithPedro() throws -> TeamVault {
        let team = try TeamVault()
        try team.folder.write("pedro.pass", "passphrase of pedro\n")
        try expectSuccess(
            team.cli.run(
                ["member", "add", "pedro", "--new-passphrase-file", team.folder.file("pedro.pass")],
                env: team.acting("ana")))
        try expectSuccess(team.cli.run(["role", "grant", "lawyer", "pedro"], env: team.acting("lucia")))
        try expectSuccess(team.cli.run(["role", "grant", "mentor", "pedro"], env: team.acting("mateo")))
        return team
    }

    func generations(_ team: TeamVault, _ role: String) throws -> Int {
        let roles = try decodeJSON([RoleJSON].self, try team.cli.run(["role", "list", "--json"]).stdout)
        return try #require(roles.first { $0.name == role }).generations
    }

    @Test("keys rotate: a holder or an admin makes the next generation for the holders; others are refused")
    func rotate() throws {
        let team = try Self.teamWithPedro()
        let result = try team.cli.run(["keys", "rotate", "--role", "lawyer", "--json"], env: team.acting("ana"))
        try expectSuccess(result)
        let rotation = try decodeJSON(RotateJSON.self, result.stdout).rotation
        #expect(rotation.role == "lawyer" && rotation.generation == 2 && rotation.sealedTo == ["lucia", "pedro"])
        let refused = try team.cli.run(["keys", "rotate", "--role", "lawyer"], env: team.acting("mateo"))
        #expect(refused.code == 77)
        #expect(refused.stderr.contains("Only an admin or a holder of lawyer can"))
        #expect(try generations(team, "lawyer") == 2)
        // A single holder is one lost passphrase from losing the role: said on every rotation.
        let single = try team.cli.run(["keys", "rotate", "--role", "psychologist"], env: team.acting("ana"))
        try expectSuccess(single)
        #expect(single.stdout.contains("Rotated psychologist to generation 2"))
        #expect(single.stderr.contains("sofia is the only holder of psychologist"))
        #expect(try team.cli.run(["role", "list"]).stderr.contains("sofia is the only holder of psychologist"))
        // New items go to the new generation, and the old holders still read the old ones.
        let item = try team.add("nota.txt", "nota")
        try expectSuccess(team.cli.run(["get", item, "-o", team.folder.file("nota.out")], env: team.acting("pedro")))
    }

    @Test("role revoke rotates; --no-rotate keeps the key and says what stays readable")
    func revoke() throws {
        let team = try Self.teamWithPedro()
        let rotated = try team.cli.run(["role", "revoke", "lawyer", "pedro"], env: team.acting("ana"))
        try expectSuccess(rotated)
        #expect(rotated.stdout.contains("Rotated lawyer to generation 2 ("))
        #expect(try generations(team, "lawyer") == 2)
        let kept = try team.cli.run(["role", "revoke", "mentor", "pedro", "--no-rotate"], env: team.acting("ana"))
        try expectSuccess(kept)
        #expect(kept.stderr.contains("warning: the key of mentor was not rotated"))
        #expect(kept.stderr.contains("keys rotate --role mentor"))
        #expect(try generations(team, "mentor") == 1)
    }

    @Test("member remove: every role revoked and rotated; the removed member is locked out; refusals change nothing")
    func remove() throws {
        let team = try Self.teamWithPedro()
        let lastHolder = try team.snapshot()
        let refused = try team.cli.run(["member", "remove", "sofia"], env: team.acting("ana"))
        #expect(refused.code == 64 && refused.stderr.contains("sofia is the last holder of psychologist"))
        let byNonAdmin = try team.cli.run(["member", "remove", "pedro"], env: team.acting("lucia"))
        #expect(byNonAdmin.code == 77 && byNonAdmin.stderr.contains("You may not remove members"))
        let selfRemoval = try team.cli.run(["member", "remove", "ana"], env: team.acting("ana"))
        #expect(selfRemoval.code == 77)
        #expect(try team.snapshot() == lastHolder)

        let result = try team.cli.run(["member", "remove", "pedro", "--json"], env: team.acting("ana"))
        try expectSuccess(result)
        let removal = try decodeJSON(RemovalJSON.self, result.stdout)
        #expect(removal.member == "pedro" && removal.revokedRoles == ["lawyer", "mentor"])
        #expect(removal.rotations.map(\.generation) == [2, 2])
        #expect(removal.rotations.map(\.sealedTo) == [["lucia"], ["mateo"]])
        let locked = try team.cli.run(["case", "list"], env: team.acting("pedro"))
        #expect(locked.code == 77 && locked.stderr.contains("pedro has been removed"))
        let shown = try team.cli.run(["member", "show", "pedro"])
        #expect(shown.stdout.contains("removed 20"))
        try expectSuccess(team.cli.run(["audit", "verify"]))
    }

    @Test(
        "keys rotate --rewrap moves what is stored; keys rewrap finishes (here: nothing left); a non-holder is refused first"
    )
    func rewrap() throws {
        let team = try Self.teamWithPedro()
        let item = try team.add("acta.txt", "acta", extra: ["--class", "legal"])
        let refused = try team.cli.run(["keys", "rotate", "--role", "lawyer", "--rewrap"], env: team.acting("ana"))
        #expect(refused.code == 77 && refused.stderr.contains("Only a holder of lawyer can"))
        #expect(try generations(team, "lawyer") == 1)
        let result = try team.cli.run(["keys", "rotate", "--role", "lawyer", "--rewrap"], env: team.acting("lucia"))
        try expectSuccess(result)
        #expect(result.stdout.contains("Rotated lawyer to generation 2"))
        #expect(result.stdout.contains("Rewrapped 1 items and 1 case titles of lawyer to generation 2."))
        let again = try team.cli.run(["keys", "rewrap", "--role", "lawyer", "--json"], env: team.acting("pedro"))
        try expectSuccess(again)
        #expect(try decodeJSON(RewrapJSON.self, again.stdout) == RewrapJSON(items: 0, cases: 0, generation: 2))
        try expectSuccess(team.cli.run(["get", item, "-o", team.folder.file("acta.out")], env: team.acting("pedro")))
        try expectSuccess(team.cli.run(["audit", "verify"]))
    }

    @Test("member passwd and member rekey: the member keeps working with the new passphrase and keys")
    func passwdAndRekey() throws {
        let team = try TeamVault()
        let item = try team.add("acta.txt", "acta")
        try team.folder.write("new.pass", "the new passphrase of lucia\n")
        try team.folder.write("newer.pass", "an even newer passphrase\n")
        let changed = try team.cli.run(
            ["member", "passwd", "--new-passphrase-file", team.folder.file("new.pass")], env: team.acting("lucia"))
        try expectSuccess(changed)
        let withNew = ["CASEVAULT_AS": "lucia", "CASEVAULT_PASSPHRASE_FILE": team.folder.file("new.pass")]
        #expect(try team.cli.run(["case", "list"], env: team.acting("lucia")).code == 77)
        try expectSuccess(team.cli.run(["case", "list"], env: withNew))
        let before = try team.cli.run(["member", "show", "lucia", "--json"]).stdout
        let rekeyed = try team.cli.run(
            ["member", "rekey", "--new-passphrase-file", team.folder.file("newer.pass")], env: withNew)
        try expectSuccess(rekeyed)
        #expect(rekeyed.stdout.contains("Roles resealed: lawyer."))
        #expect(try team.cli.run(["member", "show", "lucia", "--json"]).stdout != before)
        let withNewer = ["CASEVAULT_AS": "lucia", "CASEVAULT_PASSPHRASE_FILE": team.folder.file("newer.pass")]
        try expectSuccess(team.cli.run(["get", item, "-o", team.folder.file("acta.out")], env: withNewer))
        try expectSuccess(team.cli.run(["audit", "verify"]))
    }
}
