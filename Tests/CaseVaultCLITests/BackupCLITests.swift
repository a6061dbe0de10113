import CaseVaultTestSupport
import Foundation
import Testing

/// `casevault backup`, `backup verify`, `verify`, `restore` and `audit accept-restore`, run as a user would:
/// a backup with a member whose key file lives outside the vault, damage named and repaired, a restore, and
/// the rollback it causes refused until accepted.
@Suite("casevault end to end: backups, verify and restore")
struct BackupCLITests {
    /// Every object file of the vault at `vault`.
    static func objectFiles(_ vault: String) throws -> [String] {
        let objects = vault + "/objects"
        return try FileManager.default.contentsOfDirectory(atPath: objects).flatMap { prefix in
            try FileManager.default.contentsOfDirectory(atPath: "\(objects)/\(prefix)").map {
                "\(objects)/\(prefix)/\($0)"
            }
        }
    }

    @Test("backup, verify, damage named with the backup that holds a good copy, repair, restore, rollback accepted")
    func workflow() throws {
        let team = try TeamVault()
        let first = try team.add("acta.txt", "acta de denuncia\n")
        let dest = team.folder.file("usb")
        let backup = try team.cli.run(["backup", dest], env: team.acting("lucia"))
        try expectSuccess(backup)
        #expect(backup.stdout.contains("Backed up to"))
        // sofia was added with a card: her key file is hers to keep, and she is told.
        #expect(backup.stderr.contains("sofia's key file is not in the vault"), "\(backup.stderr)")
        let verified = try team.cli.run(["backup", "verify", dest, "--json"])
        try expectSuccess(verified)
        #expect(verified.stdout.contains("\"problems\" : [\n\n  ]") || verified.stdout.contains("\"problems\" : []"))

        let object = try #require(try Self.objectFiles(team.folder.file("vault")).first)
        var bytes = try readFile(object)
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: object))
        let damaged = try team.cli.run(["verify"])
        #expect(damaged.code == 65, "\(damaged.stdout)\(damaged.stderr)")
        #expect(damaged.stdout.contains("item \(first)") && damaged.stdout.contains("A good copy is in: \(dest)"))
        let repaired = try team.cli.run(["verify", "--repair-from", dest])
        try expectSuccess(repaired)
        #expect(repaired.stdout.contains("Repaired object"))
        try expectSuccess(try team.cli.run(["verify", "--deep"], env: team.acting("lucia")))

        let later = try team.add("pericia.txt", "informe pericial\n")
        let target = team.folder.file("restored")
        try expectSuccess(try team.cli.run(["restore", dest, target]))
        let restored = ["CASEVAULT_DIR": target]
        // A client that has seen nothing of this vault (another HOME) verifies the restored vault at once.
        let freshClient = restored.merging(["HOME": team.folder.file("fresh-home")]) { $1 }
        try expectSuccess(try team.cli.run(["audit", "verify"], env: freshClient))
        // This client saw the later item's entries: the restored vault is a rollback, refused until accepted.
        let refused = try team.cli.run(["list"], env: restored)
        #expect(refused.code == 65 && refused.stderr.contains("rewritten"), "\(refused.stderr)")
        let listing = try team.cli.run(["audit", "accept-restore"], env: restored)
        try expectSuccess(listing)
        #expect(listing.stdout.contains("Items lacking: \(later)") && listing.stdout.contains("Nothing was changed"))
        #expect(try team.cli.run(["list"], env: restored).code == 65)
        let accepted = try team.cli.run(
            ["audit", "accept-restore", "--yes"], env: team.acting("mateo").merging(restored) { $1 })
        try expectSuccess(accepted)
        let list = try team.cli.run(["list"], env: restored)
        try expectSuccess(list)
        #expect(list.stdout.contains(first) && !list.stdout.contains(later))
        try expectSuccess(try team.cli.run(["audit", "verify"], env: restored))
        let log = try team.cli.run(["audit", "log"], env: restored)
        #expect(log.stdout.contains("restore"), "\(log.stdout)")
    }

    @Test("a folder of another vault is refused for backup and repair, a non-empty restore target is refused (64)")
    func refusals() throws {
        let team = try TeamVault()
        let other = try TeamVault()
        let dest = other.folder.file("usb")
        try expectSuccess(try other.cli.run(["backup", dest], env: other.acting("lucia")))
        let refused = try team.cli.run(["backup", dest], env: team.acting("lucia"))
        #expect(refused.code == 64 && refused.stderr.contains("another vault"), "\(refused.stderr)")
        let repair = try team.cli.run(["verify", "--repair-from", dest])
        #expect(repair.code == 64, "\(repair.stderr)")
        try FileManager.default.createDirectory(
            atPath: team.folder.file("occupied"), withIntermediateDirectories: false)
        try team.folder.write("occupied/file", "x")
        let restore = try team.cli.run(["restore", dest, team.folder.file("occupied")])
        #expect(restore.code == 64 && restore.stderr.contains("not empty"), "\(restore.stderr)")
    }
}
