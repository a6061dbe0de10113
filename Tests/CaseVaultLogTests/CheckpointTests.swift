import CaseVaultCrypto
import CaseVaultLog
import Testing

/// C2SP tlog-checkpoint bodies, and cosignatures on them (C2SP tlog-cosignature, Ed25519 cosignature/v1).
@Suite("checkpoint and cosignature (C2SP tlog-checkpoint, tlog-cosignature)")
struct CheckpointTests {
    static let specBody = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

    @Test("the spec's example body parses and prints back byte for byte")
    func specExample() throws {
        let checkpoint = try Checkpoint(parsing: Self.specBody)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.rootHash.count == 32)
        #expect(checkpoint.extensions.isEmpty)
        #expect(checkpoint.text == Self.specBody)
    }

    @Test("extension lines and the empty tree round-trip")
    func roundTrip() throws {
        let root = try Merkle.emptyRoot()
        let checkpoint = try Checkpoint(
            origin: "casevault.example/v", size: 0, rootHash: root, extensions: ["a", "b c"])
        #expect(checkpoint.text == "casevault.example/v\n0\n\(base64(root))\na\nb c\n")
        #expect(try Checkpoint(parsing: checkpoint.text) == checkpoint)
        let max = try Checkpoint(parsing: "o\n18446744073709551615\n\(base64(root))\n")
        #expect(max.size == UInt64.max)
    }

    static let root = base64([UInt8](repeating: 7, count: 32))
    static let malformed: [(String, LogError.CheckpointDefect)] = [
        ("o\n1\n\(root)", .textWithoutFinalNewline),
        ("o\n1\n", .tooFewLines),
        ("\n1\n\(root)\n", .emptyOrigin),
        ("o\n01\n\(root)\n", .badTreeSize),
        ("o\n00\n\(root)\n", .badTreeSize),
        ("o\n+1\n\(root)\n", .badTreeSize),
        ("o\n-1\n\(root)\n", .badTreeSize),
        ("o\n 1\n\(root)\n", .badTreeSize),
        ("o\n1 \n\(root)\n", .badTreeSize),
        ("o\n\n\(root)\n", .badTreeSize),
        ("o\n0x10\n\(root)\n", .badTreeSize),
        ("o\n18446744073709551616\n\(root)\n", .badTreeSize),
        ("o\n1\n\(String(root.dropLast()))\n", .badRootHash),
        ("o\n1\n\(base64([UInt8](repeating: 7, count: 31)))\n", .badRootHash),
        ("o\n1\n\(base64([UInt8](repeating: 7, count: 33)))\n", .badRootHash),
        ("o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwd=\n", .badRootHash),
        ("o\n1\n-\(root.dropFirst())\n", .badRootHash),
        ("o\n1\n\(root)\n\n", .emptyExtensionLine),
        ("o\n1\n\(root)\next\n\nmore\n", .emptyExtensionLine),
    ]

    @Test("malformed bodies are refused with the defect named", arguments: malformed.indices)
    func malformedBodies(_ i: Int) {
        let (text, defect) = Self.malformed[i]
        #expect(throws: LogError.malformedCheckpoint(defect)) { try Checkpoint(parsing: text) }
    }

    @Test("a signed checkpoint opens for the expected origin and known key only")
    func open() throws {
        let signer = try NoteSigner(name: "casevault.example/v", privateKey: Ed25519.PrivateKey())
        let checkpoint = try Checkpoint(origin: "casevault.example/v", size: 3, rootHash: leafHashes(3)[0])
        let note = try SignedNote(text: checkpoint.text).signed(by: [signer])
        let opened = try Checkpoint.open(note.bytes, knownKeys: [signer.verifierKey], origin: "casevault.example/v")
        #expect(opened.checkpoint == checkpoint)
        #expect(opened.verified.map(\.key) == [signer.verifierKey])
        #expect(throws: LogError.originMismatch(expected: "other", actual: "casevault.example/v")) {
            try Checkpoint.open(note.bytes, knownKeys: [signer.verifierKey], origin: "other")
        }
        let stranger = try NoteSigner(name: "casevault.example/v", privateKey: Ed25519.PrivateKey())
        #expect(throws: LogError.noKnownSignature) {
            try Checkpoint.open(note.bytes, knownKeys: [stranger.verifierKey], origin: "casevault.example/v")
        }
    }

    @Test("the spec's example cosignature line carries the spec's example time")
    func specCosignature() throws {
        let line =
            "\u{2014} witness.example.com/w1 "
            + "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
        let note = try SignedNote(parsing: Array((Self.specBody + "\n" + line).utf8))
        let cosignature = try Cosignature(note.signatures[0])
        #expect(cosignature.keyName == "witness.example.com/w1")
        #expect(cosignature.keyID == 0x8d66_cf3f)
        #expect(cosignature.timestamp == 1_679_315_147)
        #expect(
            Cosignature.signedMessage(checkpointText: Self.specBody, timestamp: 1_679_315_147)
                == Array(("cosignature/v1\ntime 1679315147\n" + Self.specBody).utf8))
    }

    @Test("a cosignature verifies under its cosigner key, and through the note verifier with its time")
    func cosign() throws {
        let key = try Ed25519.PrivateKey()
        let cosigner = try NoteSigner(name: "auditor.example/ana", privateKey: key, type: .cosignatureV1)
        let logSigner = try NoteSigner(name: "casevault.example/v", privateKey: Ed25519.PrivateKey())
        let checkpoint = try Checkpoint(origin: "casevault.example/v", size: 9, rootHash: leafHashes(1)[0])
        let line = try Cosignature.sign(checkpoint, timestamp: 1_700_000_000, signer: cosigner)
        let cosignature = try Cosignature(line)
        #expect(cosignature.timestamp == 1_700_000_000)
        #expect(cosignature.isValid(for: checkpoint, key: cosigner.verifierKey))

        // The key ID differs from an ordinary Ed25519 note key's of the same name and key (type byte 0x04).
        let plain = try NoteVerifierKey(name: cosigner.name, publicKey: key.publicKey)
        #expect(plain.keyID != cosigner.keyID)
        #expect(cosigner.verifierKey.text.hasSuffix(base64([0x04] + key.publicKey.rawRepresentation)))
        #expect(try NoteVerifierKey(cosigner.verifierKey.text) == cosigner.verifierKey)

        let signed = try SignedNote(text: checkpoint.text).signed(by: [logSigner])
        let note = try SignedNote(text: signed.text, signatures: signed.signatures + [line])
        let reparsed = try SignedNote(parsing: note.bytes)
        let verified = try reparsed.verify(knownKeys: [logSigner.verifierKey, cosigner.verifierKey])
        #expect(verified.map(\.timestamp) == [nil, 1_700_000_000])

        // Another time, another checkpoint, or the plain key: no longer valid.
        var tampered = line.signature
        tampered[7] ^= 1
        let moved = try Cosignature(SignedNote.Signature(keyName: line.keyName, keyID: line.keyID, signature: tampered))
        #expect(!moved.isValid(for: checkpoint, key: cosigner.verifierKey))
        let other = try Checkpoint(origin: "casevault.example/v", size: 10, rootHash: leafHashes(1)[0])
        #expect(!cosignature.isValid(for: other, key: cosigner.verifierKey))
        #expect(!cosignature.isValid(for: checkpoint, key: plain))
        let forged = try SignedNote(
            text: checkpoint.text,
            signatures: [
                SignedNote.Signature(keyName: line.keyName, keyID: line.keyID, signature: tampered)
            ])
        #expect(throws: LogError.invalidSignature(keyName: cosigner.name, keyID: cosigner.keyID)) {
            try forged.verify(knownKeys: [cosigner.verifierKey])
        }
    }

    @Test("cosignatures of the wrong length or with a time past 2^63 - 1 are refused")
    func malformedCosignatures() throws {
        let short = SignedNote.Signature(keyName: "w", keyID: 1, signature: [UInt8](repeating: 0, count: 71))
        #expect(throws: LogError.malformedCosignature) { try Cosignature(short) }
        let late = SignedNote.Signature(keyName: "w", keyID: 1, signature: [0x80] + [UInt8](repeating: 0, count: 71))
        #expect(throws: LogError.malformedCosignature) { try Cosignature(late) }
        let cosigner = try NoteSigner(name: "w", privateKey: Ed25519.PrivateKey(), type: .cosignatureV1)
        let checkpoint = try Checkpoint(origin: "o", size: 1, rootHash: leafHashes(1)[0])
        #expect(throws: LogError.malformedCosignature) {
            try Cosignature.sign(checkpoint, timestamp: UInt64(Int64.max) + 1, signer: cosigner)
        }
    }
}
