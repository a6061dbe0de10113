import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Testing

/// Signatures checked by the reference `openssl pkeyutl -rawin` over the exact note text, both ways.
@Suite(
    "signed notes with the openssl CLI",
    .enabled(if: ProcessRunner.path(of: "openssl") != nil, "SKIPPED: openssl CLI not installed"))
struct OpenSSLInteropTests {
    /// SubjectPublicKeyInfo DER prefix of an Ed25519 key (RFC 8410): the 32-byte key follows.
    static let spkiPrefix = hex("302a300506032b6570032100")

    static func pem(_ der: [UInt8]) -> String {
        let body = base64(der)
        var lines: [String] = []
        var rest = Substring(body)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        return "-----BEGIN PUBLIC KEY-----\n" + lines.joined(separator: "\n") + "\n-----END PUBLIC KEY-----\n"
    }

    @Test("a checkpoint note signed here verifies with openssl against the published key")
    func opensslVerifiesOurs() throws {
        let folder = try TemporaryFolder()
        let signer = try NoteSigner(name: "casevault.example/v", privateKey: Ed25519.PrivateKey())
        let checkpoint = try Checkpoint(origin: "casevault.example/v", size: 42, rootHash: leafHashes(1)[0])
        let note = try SignedNote(parsing: SignedNote(text: checkpoint.text).signed(by: [signer]).bytes)
        // The published key is the vkey; openssl gets the same 32 bytes as a PEM public key.
        let published = try NoteVerifierKey(signer.verifierKey.text)
        let keyPath = try folder.write("key.pem", Self.pem(Self.spkiPrefix + published.publicKey.rawRepresentation))
        let message = try folder.write("body", Array(note.text.utf8))
        let signature = try folder.write("sig", note.signatures[0].signature)
        let ok = try ProcessRunner.run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyPath, "-rawin", "-in", message, "-sigfile",
            signature,
        ])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.stdoutText.contains("Signature Verified Successfully"))

        // One changed byte of the body and openssl refuses it too: the check is over exactly those bytes.
        var altered = Array(note.text.utf8)
        altered[altered.count - 2] ^= 1
        let alteredPath = try folder.write("altered", altered)
        let bad = try ProcessRunner.run([
            "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyPath, "-rawin", "-in", alteredPath,
            "-sigfile", signature,
        ])
        #expect(bad.status != 0)
    }

    @Test("a note signed by openssl over the text verifies here")
    func weVerifyOpenSSLs() throws {
        let folder = try TemporaryFolder()
        let keyPath = folder.file("key.pem")
        let gen = try ProcessRunner.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", keyPath])
        #expect(gen.status == 0, "\(gen.output)")
        let der = try ProcessRunner.run(["openssl", "pkey", "-in", keyPath, "-pubout", "-outform", "DER"])
        #expect(der.status == 0 && der.stdout.count == 44 && Array(der.stdout.prefix(12)) == Self.spkiPrefix)
        let publicKey = try Ed25519.PublicKey(rawRepresentation: Array(der.stdout.suffix(32)))
        let key = try NoteVerifierKey(name: "openssl.example/k", publicKey: publicKey)

        let text = "openssl.example/k\n7\n\(base64(leafHashes(1)[0]))\n"
        let message = try folder.write("body", Array(text.utf8))
        let sig = try ProcessRunner.run(["openssl", "pkeyutl", "-sign", "-inkey", keyPath, "-rawin", "-in", message])
        #expect(sig.status == 0 && sig.stdout.count == 64, "\(sig.output)")
        let line = SignedNote.Signature(keyName: key.name, keyID: key.keyID, signature: sig.stdout)
        let note = try SignedNote(parsing: SignedNote(text: text, signatures: [line]).bytes)
        #expect(try note.verify(knownKeys: [key]).map(\.key) == [key])
    }
}
