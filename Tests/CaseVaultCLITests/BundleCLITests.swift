import CaseVaultTestSupport
import Foundation
import Testing

/// `export ITEM… --bundle DIR` and `verify-bundle DIR`, checked the way a court's expert would: with
/// `sha256sum -c`, `sha512sum -c`, the PyPI `bagit` tool, `age` and `openssl`, without CaseVault.
@Suite("casevault end to end: evidence bundles")
struct BundleCLITests {
    /// A bundle of one item for a fresh age key, exported by lucia after a transfer to mateo.
    func makeBundle() throws -> (team: TeamVault, item: String, bundle: String, key: String) {
        let team = try TeamVault()
        let item = try team.add("foto.jpg", "bytes de la foto\n", extra: ["--origin", "survivor", "--sha512"])
        try expectSuccess(
            team.cli.run(
                ["custody", "transfer", item, "--to", "mateo", "--reason", "turno"], env: team.acting("lucia")))
        let key = team.folder.file("fiscalia.key")
        _ = try Tool.run("age-keygen", ["-o", key])
        let recipient = try Tool.run("age-keygen", ["-y", key]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bundle = team.folder.file("evidencia")
        try expectSuccess(
            team.cli.run(
                ["export", item, "--to", recipient, "--bundle", bundle, "--purpose", "para la Fiscalía"],
                env: team.acting("lucia")))
        return (team, item, bundle, key)
    }

    static let bagitTool =
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/bagit.py") } ?? false

    @Test("the bag checks with sha256sum -c and sha512sum -c, the age file opens, verify-bundle passes")
    func standardTools() throws {
        let (team, item, bundle, key) = try makeBundle()
        for manifest in ["manifest-sha256.txt", "tagmanifest-sha256.txt"] {
            let out = try Tool.run("bash", ["-c", "cd '\(bundle)' && sha256sum -c \(manifest)"])
            #expect(out.contains("OK") && !out.contains("FAILED"))
        }
        _ = try Tool.run("bash", ["-c", "cd '\(bundle)' && sha512sum -c manifest-sha512.txt tagmanifest-sha512.txt"])
        let plain = team.folder.file("foto.out")
        _ = try Tool.run("age", ["-d", "-i", key, "-o", plain, "\(bundle)/data/items/\(item)/\(item).age"])
        let custody = try #require(
            try JSONSerialization.jsonObject(with: Data(try readFile("\(bundle)/data/items/\(item)/custody.json")))
                as? [String: Any])
        #expect(try sha256Hex(file: plain) == custody["sha256"] as? String)
        let verified = try team.cli.run(["verify-bundle", bundle, "--json"])
        try expectSuccess(verified)
        #expect(verified.stdout.contains("\"payloadMatches\" : true"))
        // The bundle names no file, title or survivor: the remarks and the purpose stay in the vault.
        let everything = try Tool.run(
            "bash",
            [
                "-c",
                "cat -v \"$0\"/*.txt \"$0\"/data/*.md \"$0\"/data/*/*/* 2>/dev/null; cat \"$0\"/data/items/*/custody.json",
                bundle,
            ])
        for secret in ["foto.jpg", "Denuncia", "Rosa", "turno", "Fiscal\u{ED}a"] {
            #expect(!everything.contains(secret), "the bundle shows \(secret)")
        }
    }

    @Test("an event's signature checks with openssl alone, against the signer's key in the bundle")
    func opensslSignature() throws {
        let (team, item, bundle, _) = try makeBundle()
        let events = "\(bundle)/data/items/\(item)/events"
        let name = try #require(FileManager.default.contentsOfDirectory(atPath: events).sorted().last)
        let note = String(decoding: try readFile("\(events)/\(name)"), as: UTF8.self)
        let parts = note.components(separatedBy: "\n\n")
        let body = try team.folder.write("body", parts[0] + "\n")
        let line = try #require(parts.last?.split(separator: "\n").first?.split(separator: " "))
        let signature = try #require(Data(base64Encoded: String(line[2]))).dropFirst(4)
        let signatureFile = try team.folder.write("sig", [UInt8](signature))
        let result = try ProcessRunner.run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "\(bundle)/data/keys/\(line[1]).der", "-keyform",
            "DER", "-rawin", "-in", body, "-sigfile", signatureFile,
        ])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test(
        "the bag validates with the PyPI bagit tool",
        .enabled(if: bagitTool, "bagit.py is not on PATH: `pip install bagit` (.ci/run does) to run this check"))
    func pypiBagit() throws {
        let (team, _, bundle, _) = try makeBundle()
        defer { withExtendedLifetime(team) {} }
        let result = try ProcessRunner.run(["bagit.py", "--validate", bundle])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stderr.contains("is valid"))
    }

    @Test("one byte altered: verify-bundle and sha256sum -c both name the file (65)")
    func oneByteAltered() throws {
        let (team, item, bundle, _) = try makeBundle()
        let path = "\(bundle)/data/items/\(item)/custody.json"
        var bytes = try readFile(path)
        bytes[10] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try team.cli.run(["verify-bundle", bundle])
        #expect(result.code == 65)
        #expect(result.stdout.contains("data/items/\(item)/custody.json does not match its sha256"), "\(result.stdout)")
        let sums = try ProcessRunner.run(["bash", "-c", "cd '\(bundle)' && sha256sum -c manifest-sha256.txt"])
        #expect(sums.status != 0 && sums.stdoutText.contains("custody.json: FAILED"))
    }

    @Test("verify-bundle says whether auditors witnessed the events: none before diego cosigns, diego after")
    func witness() throws {
        let team = try AuditProofCLITests().teamWithAuditor()
        let item = try team.add("acta.txt", "acta\n")
        func bundle(_ name: String) throws -> String {
            let folder = team.folder.file(name)
            try expectSuccess(
                team.cli.run(["export", item, "--plaintext", "--bundle", folder], env: team.acting("lucia")))
            let verified = try team.cli.run(["verify-bundle", folder])
            try expectSuccess(verified)
            return verified.stdout
        }
        #expect(try bundle("before").contains("No auditor's cosignature: the checkpoint is only as trustworthy"))
        try expectSuccess(team.cli.run(["audit", "cosign"], env: team.acting("diego")))
        let after = try bundle("after")
        #expect(after.contains("Witnessed: auditors (diego) cosigned the tree of the first "), "\(after)")
    }
}
