import CaseVaultTestSupport
import Foundation
import Testing

/// `casevault audit`: an auditor verifies the log, keeps a checkpoint, checks its signature with openssl
/// alone, and later proves the vault still extends it; a change to the raw database is named.
@Suite("casevault end to end: the signed log")
struct AuditCLITests {
    @Test("audit verify passes on an honest vault and names the entry an attacker changed (65)")
    func verifyAndTamper() throws {
        let team = try TeamVault()
        _ = try team.add("acta.txt", "acta\n")
        let clean = try team.cli.run(["audit", "verify", "--json"], env: team.acting("diego"))
        #expect(clean.code == 0, "\(clean.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any]
        #expect((report?["problems"] as? [Any])?.isEmpty == true)
        #expect(report?["checkpointMatches"] as? Bool == true)
        let database = team.folder.file("vault/vault.sqlite")
        _ = try Tool.run(
            "sqlite3",
            [
                database,
                "DROP TRIGGER log_entries_append_only_update; UPDATE log_entries SET note = CAST(replace(CAST(note AS TEXT), 'type member.add', 'type member.add ') AS BLOB) WHERE idx = 2;",
            ])
        let tampered = try team.cli.run(["audit", "verify"], env: team.acting("diego"))
        #expect(tampered.code == 65, "\(tampered.stdout)\(tampered.stderr)")
        #expect((tampered.stdout + tampered.stderr).contains("Entry 2"))
    }

    @Test("a client with no saved state names a missing latest checkpoint as such, with 65, not rewritten history")
    func missingLatestCheckpoint() throws {
        let team = try TeamVault()
        _ = try team.add("acta.txt", "acta\n")
        try team.sql(
            "DROP TRIGGER IF EXISTS log_checkpoints_append_only_delete; "
                + "DELETE FROM log_checkpoints WHERE size = (SELECT max(size) FROM log_checkpoints);")
        let fresh = team.acting("diego").merging(["HOME": team.folder.file("fresh-home")]) { $1 }
        let refused = try team.cli.run(["audit", "verify"], env: fresh)
        let output = refused.stdout + refused.stderr
        #expect(refused.code == 65, "\(output)")
        #expect(output.contains("latest checkpoint signs only the first") && !output.contains("rewritten"), "\(output)")
    }

    @Test(
        "a checkpoint verifies with openssl pkeyutl against its signer's key, and audit verify --from proves it later")
    func checkpointWithOpenSSL() throws {
        let team = try TeamVault()
        _ = try team.add("acta.txt", "acta\n")
        let checkpoint = try team.cli.run(["audit", "checkpoint"], env: team.acting("diego"))
        #expect(checkpoint.code == 0, "\(checkpoint.stderr)")
        let kept = try team.folder.write("checkpoint.txt", checkpoint.stdout)
        // The note: body, blank line, "— lucia <base64(key id || signature)>".
        let parts = checkpoint.stdout.components(separatedBy: "\n\n")
        let body = parts[0] + "\n"
        let signatureLine = try #require(parts.last?.split(separator: "\n").first)
        let fields = signatureLine.split(separator: " ")
        #expect(fields.count == 3 && fields[1] == "lucia")
        let raw = try #require(Data(base64Encoded: String(fields[2])))
        let signature = raw.dropFirst(4)
        let member = try team.cli.run(["member", "show", "lucia", "--json"], env: team.acting("diego"))
        let signingKey = try #require(
            (try JSONSerialization.jsonObject(with: Data(member.stdout.utf8)) as? [String: Any])?["signingKey"]
                as? String)
        // An Ed25519 public key as DER: the fixed SubjectPublicKeyInfo prefix, then the 32 raw bytes.
        let der = [UInt8]([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]) + hex(signingKey)
        let keyFile = try team.folder.write("lucia.der", der)
        let bodyFile = try team.folder.write("body", body)
        let signatureFile = try team.folder.write("sig", [UInt8](signature))
        let good = try ProcessRunner.run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyFile, "-keyform", "DER", "-rawin", "-in", bodyFile,
            "-sigfile", signatureFile,
        ])
        #expect(good.status == 0, "\(good.output)")
        let forgedBody = try team.folder.write(
            "forged", body.replacingOccurrences(of: "\n", with: "\n ", options: [], range: nil))
        let bad = try ProcessRunner.run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyFile, "-keyform", "DER", "-rawin", "-in",
            forgedBody,
            "-sigfile", signatureFile,
        ])
        #expect(bad.status != 0)
        // Later, after more work, the vault still extends the kept checkpoint.
        _ = try team.add("foto.jpg", "foto\n")
        let later = try team.cli.run(["audit", "verify", "--from", kept], env: team.acting("diego"))
        #expect(later.code == 0, "\(later.stdout)\(later.stderr)")
        #expect(later.stdout.contains("extends the checkpoint"))
    }

    @Test("audit log lists who did what, without content")
    func fingerprintAndLog() throws {
        let team = try TeamVault()
        _ = try team.add("nombre-de-la-victima.txt", "acta\n")
        let log = try team.cli.run(["audit", "log", "--json"], env: team.acting("diego"))
        #expect(log.code == 0, "\(log.stderr)")
        let entries = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]] ?? []
        let types = entries.compactMap { $0["type"] as? String }
        #expect(types.first == "genesis" && types.contains("item.add"))
        #expect(!log.stdout.contains("nombre-de-la-victima"))
    }
}

/// Proofs and cosignatures: an auditor proves an item's entry offline, countersigns checkpoints, and is
/// refused a vault that later shows a shorter history.
@Suite("casevault end to end: proofs and cosignatures")
struct AuditProofCLITests {
    func teamWithAuditor() throws -> TeamVault {
        let team = try TeamVault()
        try team.folder.write("diego.pass", "passphrase of diego\n")
        let added = try team.cli.run(
            ["member", "add", "diego", "--role", "auditor", "--new-passphrase-file", team.folder.file("diego.pass")],
            env: team.acting("ana"))
        #expect(added.code == 0, "\(added.stderr)")
        return team
    }

    @Test("audit prove gives a C2SP tlog-proof of an item's entry, against the latest checkpoint")
    func prove() throws {
        let team = try teamWithAuditor()
        let item = try team.add("acta.txt", "acta\n")
        let proof = try team.cli.run(["audit", "prove", item], env: team.acting("diego"))
        #expect(proof.code == 0, "\(proof.stderr)")
        let lines = proof.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "c2sp.org/tlog-proof@v1")
        #expect(lines.contains { $0.hasPrefix("index ") })
        #expect(proof.stdout.contains("\n\ncasevault/"))
        let missing = try team.cli.run(["audit", "prove", "99999"], env: team.acting("diego"))
        #expect(missing.code == Code.inputMissing, "\(missing.stderr)")
    }

    @Test("an auditor cosigns; a non-auditor may not; a vault that then shows a shorter history is refused")
    func cosign() throws {
        let team = try teamWithAuditor()
        _ = try team.add("acta.txt", "acta\n")
        let cosigned = try team.cli.run(["audit", "cosign"], env: team.acting("diego"))
        #expect(cosigned.code == 0, "\(cosigned.stderr)")
        let checkpoint = try team.cli.run(["audit", "checkpoint"], env: team.acting("diego"))
        #expect(checkpoint.stdout.contains("\n— diego ") && checkpoint.stdout.contains("\n— lucia "))
        let refused = try team.cli.run(["audit", "cosign"], env: team.acting("lucia"))
        #expect(refused.code == Code.notEntitled, "\(refused.stderr)")
        // More work, a second cosignature: the vault extends what diego cosigned.
        _ = try team.add("foto.jpg", "foto\n")
        #expect(try team.cli.run(["audit", "cosign"], env: team.acting("diego")).code == 0)
        // Someone cuts the last entry from the folder: diego's client refuses to go on.
        let database = team.folder.file("vault/vault.sqlite")
        _ = try Tool.run(
            "sqlite3",
            [
                database,
                """
                DROP TRIGGER log_entries_append_only_delete;
                DELETE FROM log_cosignatures WHERE size = (SELECT max(size) FROM log_checkpoints);
                DELETE FROM log_entries WHERE idx = (SELECT max(idx) FROM log_entries);
                DELETE FROM log_checkpoints WHERE size = (SELECT max(size) FROM log_checkpoints);
                """,
            ])
        let cut = try team.cli.run(["audit", "cosign"], env: team.acting("diego"))
        #expect(cut.code == 65, "\(cut.stderr)")
        #expect(cut.stderr.contains("History was rewritten"), "\(cut.stderr)")
    }
}
