import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// Docs/RECOVERY.md's script, taken from the page as printed and run with `sh`, `sqlite3`, `age` and
/// `sha256sum` only (python3 stands in for the archivist at the terminal, typing the passphrase at age's
/// prompt). It must give back every item the member can read, byte for byte, from a copy of the vault taken
/// while CaseVault was running, including an empty item and one whose member keeps the key file elsewhere.
@Suite("Docs/RECOVERY.md, followed literally")
struct RecoveryProcedureTests {
    /// The fenced block after the `recover-all.sh` marker in Docs/RECOVERY.md.
    static func script() throws -> String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let page = try String(contentsOf: url.appendingPathComponent("Docs/RECOVERY.md"), encoding: .utf8)
        let marker = try #require(page.range(of: "<!-- recover-all.sh"))
        let rest = page[marker.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "\n```\n"))
        return String(rest[start.upperBound..<end.lowerBound]) + "\n"
    }

    @Test(
        "every item the member can read comes back intact; what they cannot read is skipped, not half-written",
        .enabled(if: haveAgeAndSQLite, "needs the age, sqlite3 and python3 tools"))
    func recoverEverything() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", title: "Denuncia", by: team.lawyer)
        let contents: [String: [UInt8]] = [
            "acta.pdf": randomBytes(150_000), "vacio.txt": [], "nota.txt": Array("n".utf8),
        ]
        var items: [String: String] = [:]
        for (name, bytes) in contents.sorted(by: { $0.key < $1.key }) {
            items[try team.addItem(bytes, name: name).id] = name
        }
        // Readable by the psychologist only: the lawyer's recovery must skip it.
        let clinical = try team.addItem(Array("clinical".utf8), itemClass: .clinical, name: "clinica.txt")
        // The archive: a copy of the folder taken while the vault is open (its last commits in the WAL),
        // with the lawyer's key file kept apart, as a member added from a card keeps theirs.
        let archive = team.folder.file("archive")
        try FileManager.default.copyItem(atPath: team.vaultPath, toPath: archive)
        let wal = try FileManager.default.attributesOfItem(atPath: "\(archive)/vault.sqlite-wal")[.size] as? Int
        #expect((wal ?? 0) > 0, "the archive should hold commits in its write-ahead log")
        let keyFile = team.folder.file("luis.age")
        try FileManager.default.moveItem(atPath: "\(archive)/keys/luis.age", toPath: keyFile)
        try team.folder.write("pty_age.py", Array(ptyDriver.utf8))
        try team.folder.write("recover-all.sh", Array(try Self.script().utf8))
        let out = team.folder.file("out")
        let result = try ProcessRunner.run(
            [
                "env", "CV_PASSPHRASE=luis passphrase", "python3", "pty_age.py", "sh", "recover-all.sh", archive,
                "luis",
                out, keyFile,
            ],
            workingDirectory: team.folder.path)
        #expect(result.status == 0, "\(result.output)")
        for (id, name) in items {
            #expect(try readFile("\(out)/C-1/\(id).bin") == contents[name], "\(name)")
            #expect(String(decoding: try readFile("\(out)/C-1/\(id).json"), as: UTF8.self).contains(name))
        }
        #expect(!FileManager.default.fileExists(atPath: "\(out)/C-1/\(clinical.id).bin"))
        #expect(result.output.contains("skipped \(clinical.id)"))
        #expect(String(decoding: try readFile("\(out)/C-1/case.json"), as: UTF8.self).contains("Denuncia"))
        #expect(result.output.contains("recovered 3 items"))
    }

    @Test(
        "a damaged object is named and the run fails; the other items still come back",
        .enabled(if: haveAgeAndSQLite, "needs the age, sqlite3 and python3 tools"))
    func damagedObject() throws {
        let team = try Team()
        let good = try team.addItem(Array("bueno".utf8), name: "bueno.txt")
        let bad = try team.addItem(randomBytes(5000), name: "malo.bin")
        try team.flipObjectByte(of: bad, at: { $0 / 2 }, bit: 0x08)
        try team.folder.write("pty_age.py", Array(ptyDriver.utf8))
        try team.folder.write("recover-all.sh", Array(try Self.script().utf8))
        let out = team.folder.file("out")
        let result = try ProcessRunner.run(
            [
                "env", "CV_PASSPHRASE=luis passphrase", "python3", "pty_age.py", "sh", "recover-all.sh", team.vaultPath,
                "luis", out,
            ],
            workingDirectory: team.folder.path)
        #expect(result.status != 0)
        #expect(result.output.contains("damaged object \(bad.object)"))
        #expect(try readFile("\(out)/C-1/\(good.id).bin") == Array("bueno".utf8))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/C-1/\(bad.id).bin"))
    }
}
