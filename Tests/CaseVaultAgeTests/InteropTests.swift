import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultAge

/// Both directions against the installed `age` 1.1.1: what we write, age opens; what age writes, we open.
@Suite("interop with the age CLI", .enabled(if: ExternalTools.ageAvailable, "SKIPPED: age/age-keygen not installed"))
struct InteropTests {
    static let sizes = [0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 5]

    static func identityFile(_ identity: X25519Identity, in folder: TemporaryFolder, name: String) throws -> String {
        var text = identity.encoded().unsafeExportedBytes()
        text.append(0x0A)
        return try folder.write(name, text)
    }

    @Test("age opens what we encrypt (X25519)", arguments: sizes)
    func weEncryptAgeDecrypts(size: Int) throws {
        let folder = try TemporaryFolder()
        let identity = try X25519Identity.generate()
        let keyPath = try Self.identityFile(identity, in: folder, name: "key.txt")
        let plaintext = randomBytes(size)
        let sink = MemorySink()
        try Age.encrypt(from: MemorySource(plaintext), to: sink, recipients: [identity.recipient])
        let file = try folder.write("file.age", sink.bytes)
        let result = try ProcessRunner.run(["age", "-d", "-i", keyPath, file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(sameBytes(result.stdout, plaintext))
    }

    @Test("we open what age encrypts (X25519)", arguments: sizes)
    func ageEncryptsWeDecrypt(size: Int) throws {
        let identity = try X25519Identity.generate()
        let plaintext = randomBytes(size)
        let result = try ProcessRunner.run(["age", "-e", "-r", identity.recipient.description], stdin: plaintext)
        #expect(result.status == 0, "\(result.stderr)")
        let sink = MemorySink()
        try Age.decrypt(from: MemorySource(result.stdout), to: sink, identities: [identity])
        #expect(sameBytes(sink.bytes, plaintext))
    }

    @Test("several recipients, armor, both directions")
    func severalRecipientsArmored() throws {
        let folder = try TemporaryFolder()
        let a = try X25519Identity.generate()
        let b = try X25519Identity.generate()
        let c = try X25519Identity.generate()
        let plaintext = randomBytes(200_000)
        let sink = MemorySink()
        try Age.encrypt(
            from: MemorySource(plaintext), to: sink, recipients: [a.recipient, b.recipient, c.recipient], armor: true)
        #expect(sink.bytes.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----\n".utf8)))
        let file = try folder.write("file.age", sink.bytes)
        for (i, id) in [a, b, c].enumerated() {
            let key = try Self.identityFile(id, in: folder, name: "k\(i)")
            let result = try ProcessRunner.run(["age", "-d", "-i", key, file])
            #expect(result.status == 0 && sameBytes(result.stdout, plaintext), "recipient \(i): \(result.stderr)")
        }
        let fromAge = try ProcessRunner.run(
            ["age", "-e", "-a", "-r", a.recipient.description, "-r", b.recipient.description], stdin: plaintext)
        #expect(fromAge.status == 0)
        let out = MemorySink()
        try Age.decrypt(from: MemorySource(fromAge.stdout), to: out, identities: [b])
        #expect(sameBytes(out.bytes, plaintext))
        // Someone who is not a recipient gets "no match", not garbage.
        #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(fromAge.stdout), to: MemorySink(), identities: [c])
        }
    }

    @Test("keys from age-keygen work here, and ours work in age")
    func keysInterchange() throws {
        let folder = try TemporaryFolder()
        let generated = try ProcessRunner.run(["age-keygen"])
        #expect(generated.status == 0)
        let identities = try IdentityFile.parse(SecureBytes(copying: generated.stdout))
        #expect(identities.count == 1)
        let publicLine = String(decoding: generated.stdout, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) }
        #expect(identities[0].recipient.description == publicLine)
        let ours = try X25519Identity.generate()
        let key = try Self.identityFile(ours, in: folder, name: "ours.key")
        let converted = try ProcessRunner.run(["age-keygen", "-y", key])
        #expect(String(decoding: converted.stdout, as: UTF8.self) == ours.recipient.description + "\n")
    }

    @Test(
        "passphrase files, both directions",
        .enabled(if: ProcessRunner.path(of: "python3") != nil, ExternalTools.python3Missing))
    func passphrase() throws {
        let folder = try TemporaryFolder()
        let plaintext = randomBytes(70_000)
        let secret = SecureBytes(copying: Array("correct horse battery staple".utf8))
        let sink = MemorySink()
        try Age.encrypt(
            from: MemorySource(plaintext), to: sink, recipients: [ScryptRecipient(passphrase: secret, workFactor: 10)])
        let ours = try folder.write("ours.age", sink.bytes)
        let opened = try ExternalTools.runWithTerminal(
            ["age", "-d", "-o", folder.file("ours.out"), ours], passphrase: "correct horse battery staple")
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(sameBytes(try folder.read("ours.out"), plaintext))

        let input = try folder.write("plain", plaintext)
        let made = try ExternalTools.runWithTerminal(
            ["age", "-p", "-o", folder.file("theirs.age"), input], passphrase: "correct horse battery staple", times: 2)
        #expect(made.status == 0, "\(made.stderr)")
        let out = MemorySink()
        try Age.decrypt(
            from: MemorySource(try folder.read("theirs.age")), to: out, identities: [ScryptIdentity(passphrase: secret)]
        )
        #expect(sameBytes(out.bytes, plaintext))
        #expect(throws: AgeError.self) {
            try Age.decrypt(
                from: MemorySource(try folder.read("theirs.age")), to: MemorySink(),
                identities: [ScryptIdentity(passphrase: SecureBytes(copying: Array("wrong".utf8)))])
        }
    }

    @Test(
        "age -d -i opens our passphrase-protected identity files",
        .enabled(if: ProcessRunner.path(of: "python3") != nil, ExternalTools.python3Missing))
    func protectedIdentityFile() throws {
        let folder = try TemporaryFolder()
        let identity = try X25519Identity.generate()
        var text = Array("# a test identity\n".utf8)
        text += identity.encoded().unsafeExportedBytes() + [0x0A]
        let sealed = try IdentityFile.seal(
            SecureBytes(copying: text), passphrase: SecureBytes(copying: Array("demo".utf8)), workFactor: 10)
        let keyPath = try folder.write("key.age", sealed)
        let plaintext = Array("evidence".utf8)
        let sink = MemorySink()
        try Age.encrypt(from: MemorySource(plaintext), to: sink, recipients: [identity.recipient])
        let file = try folder.write("file.age", sink.bytes)
        let result = try ExternalTools.runWithTerminal(
            ["age", "-d", "-i", keyPath, "-o", folder.file("out"), file], passphrase: "demo")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(sameBytes(try folder.read("out"), plaintext))
        // And we read it back the same way.
        let reopened = try IdentityFile.parse(
            IdentityFile.open(sealed, passphrase: SecureBytes(copying: Array("demo".utf8))))
        #expect(reopened.first?.recipient == identity.recipient)
    }
}
