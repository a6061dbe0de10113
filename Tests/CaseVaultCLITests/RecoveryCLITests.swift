import CaseVaultTestSupport
import Foundation
import Testing

/// `casevault recovery …` as a user runs it: shares on files, a typo named, the drill end to end.
@Suite("Recovery CLI")
struct RecoveryCLITests {
    @Test("init writes 0600 share files outside the vault; a typo is named; K shares admit a new admin")
    func drill() throws {
        let team = try TeamVault()
        let cli = team.cli
        let item = try team.add("memo.txt", "memo before recovery\n")
        // A fresh vault warns that it has no recovery key.
        #expect(try cli.run(["role", "list"]).stderr.contains("no recovery key"))
        // Shares never go into the vault folder, and need a destination.
        let inside = try cli.run(
            ["recovery", "init", "--shares", "3", "--threshold", "2", "--out-dir", team.folder.file("vault/shares")],
            env: team.acting("ana"))
        #expect(inside.code == 64 && inside.stderr.contains("inside the vault folder"))
        #expect(
            try cli.run(["recovery", "init", "--shares", "3", "--threshold", "2"], env: team.acting("ana")).code == 64)
        try expectSuccess(
            cli.run(
                ["recovery", "init", "--shares", "3", "--threshold", "2", "--out-dir", team.folder.file("shares")],
                env: team.acting("ana")))
        let files = try FileManager.default.contentsOfDirectory(atPath: team.folder.file("shares")).sorted()
        #expect(files.count == 3)
        for file in files { #expect(FileSystemMode.of(team.folder.file("shares/\(file)")) == 0o600) }
        // lucia seals the lawyer key; the warning about it goes away.
        #expect(try cli.run(["recovery", "status"]).stderr.contains("of lawyer is not sealed"))
        try expectSuccess(cli.run(["recovery", "seal"], env: team.acting("lucia")))
        #expect(!(try cli.run(["recovery", "status"]).stderr.contains("of lawyer is not sealed")))

        // A keeper mistypes one character of data-2.
        let first = team.folder.file("shares/\(files[0])")
        let text = try String(contentsOfFile: first, encoding: .utf8)
        let data2 = try #require(text.split(separator: "\n").first { $0.hasPrefix("data-2") })
        var typo = Array(data2)
        typo[7] = typo[7] == "0" ? "1" : "0"
        let typed = try team.folder.write("typed.txt", text.replacingOccurrences(of: data2, with: String(typo)))
        try team.folder.write("nora.pass", "passphrase of nora\n")
        let restore = ["recovery", "restore", "--name", "nora", "--new-passphrase-file", team.folder.file("nora.pass")]
        let mistyped = try cli.run(
            restore + ["--share", typed, "--share", team.folder.file("shares/\(files[1])"), "--stdout"])
        #expect(mistyped.code == 65)
        #expect(mistyped.stderr.contains("Line 6 ('data-2') of the recovery share \(typed)"))
        // One share is not enough.
        let tooFew = try cli.run(restore + ["--share", first, "--stdout"])
        #expect(tooFew.code == 64 && tooFew.stderr.contains("needs 2"))

        // Two good shares: nora is admitted, reads the old memo, and new shares replace the old ones.
        let restored = try cli.run(
            restore + [
                "--share", first, "--share", team.folder.file("shares/\(files[2])"), "--out-dir",
                team.folder.file("new-shares"),
            ])
        try expectSuccess(restored)
        #expect(restored.stdout.contains("Admitted nora") && restored.stdout.contains("lawyer"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: team.folder.file("new-shares")).count == 3)
        try expectSuccess(cli.run(["get", item, "-o", team.folder.file("memo-out.txt")], env: team.acting("nora")))
        #expect(
            try String(contentsOfFile: team.folder.file("memo-out.txt"), encoding: .utf8) == "memo before recovery\n")
        let again = try cli.run(
            [
                "recovery", "restore", "--name", "omar", "--share", first, "--share",
                team.folder.file("shares/\(files[1])"),
                "--stdout",
            ])
        #expect(again.code == 65 && again.stderr.contains("was replaced"))
        try expectSuccess(cli.run(["audit", "verify"]))
    }
}

/// The permission bits of a file.
enum FileSystemMode {
    static func of(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? nil
    }
}
