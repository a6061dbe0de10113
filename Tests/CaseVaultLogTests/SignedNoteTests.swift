import CaseVaultCrypto
import CaseVaultLog
import Testing

/// C2SP signed notes, against the known answers of golang.org/x/mod/sumdb/note (note_test.go).
@Suite("signed note (C2SP signed-note)")
struct SignedNoteTests {
    static let peterVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let peterSKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let enochVKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
    static let text =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterSig =
        "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    static let enochSig =
        "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func peterSigner() throws -> NoteSigner {
        try NoteSigner(signerKeyText: SecureBytes(copying: Array(peterSKey.utf8)))
    }

    @Test("the example verifier key parses and prints back the same")
    func verifierKey() throws {
        let key = try NoteVerifierKey(Self.peterVKey)
        #expect(key.name == "PeterNeumann")
        #expect(key.keyID == 0xc74f_20a3)
        #expect(key.type == .ed25519)
        #expect(key.text == Self.peterVKey)
    }

    @Test("the example signer key derives the example verifier key and prints back the same")
    func signerKey() throws {
        let signer = try Self.peterSigner()
        #expect(signer.verifierKey.text == Self.peterVKey)
        #expect(signer.signerKeyText().unsafeExportedBytes() == Self.bytes(Self.peterSKey))
    }

    @Test("every substring and every one-byte change of the verifier key is refused")
    func verifierKeyManglings() throws {
        let b = Self.bytes(Self.peterVKey)
        for i in 0...b.count {
            for j in (i + 1)..<(b.count + 1) where !(i == 0 && j == b.count) {
                #expect(throws: LogError.self) { try NoteVerifierKey(String(decoding: b[i..<j], as: UTF8.self)) }
            }
        }
        for i in b.indices {
            var m = b
            m[i] &+= 1
            #expect(throws: LogError.self) { try NoteVerifierKey(String(decoding: m, as: UTF8.self)) }
        }
        // Go's wrong-length and unknown-algorithm keys, each with a key ID adjusted to match. The first ends in
        // non-canonical base64 (padding bits set), which the strict decoder refuses before the length.
        #expect(throws: LogError.malformedKey(.badEncoding)) {
            try NoteVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
        }
        #expect(throws: LogError.malformedKey(.unknownAlgorithm)) {
            try NoteVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        }
    }

    @Test("every substring and every one-byte change of the signer key is refused")
    func signerKeyManglings() throws {
        let b = Self.bytes(Self.peterSKey)
        for i in 0...b.count {
            for j in (i + 1)..<(b.count + 1) where !(i == 0 && j == b.count) {
                #expect(throws: (any Error).self) { try NoteSigner(signerKeyText: SecureBytes(copying: b[i..<j])) }
            }
        }
        for i in b.indices {
            var m = b
            m[i] &+= 1
            #expect(throws: (any Error).self) { try NoteSigner(signerKeyText: SecureBytes(copying: m)) }
        }
    }

    @Test("signing the example text gives exactly the example note")
    func sign() throws {
        let note = try SignedNote(text: Self.text).signed(by: [Self.peterSigner()])
        #expect(note.bytes == Self.bytes(Self.text + "\n" + Self.peterSig))
        // Re-signing replaces the key's signature instead of adding a second.
        #expect(try note.signed(by: [Self.peterSigner()]).bytes == note.bytes)
        #expect(throws: LogError.malformedNote(.textWithoutFinalNewline)) { try SignedNote(text: "abc") }
        let badName = SignedNote.Signature(keyName: "a b", keyID: 1, signature: [1])
        #expect(throws: LogError.malformedNote(.badKeyName)) { try SignedNote(text: Self.text, signatures: [badName]) }
        let empty = SignedNote.Signature(keyName: "a", keyID: 1, signature: [])
        #expect(throws: LogError.malformedNote(.badSignatureEncoding)) {
            try SignedNote(text: Self.text, signatures: [empty])
        }
    }

    @Test("one-byte changes: what parses is canonical, and the one-signature parse agrees with the general one")
    func singleSignatureParse() throws {
        let note = Self.bytes(Self.text + "\n" + Self.peterSig)
        let sound = try #require(SignedNote.singleSignature(in: note))
        let general = try SignedNote(parsing: note)
        #expect(Array(note.prefix(sound.textCount)) == Self.bytes(general.text))
        #expect([sound.signature] == general.signatures)
        var variants: [[UInt8]] = []
        for i in note.indices {
            var deleted = note
            deleted.remove(at: i)
            variants.append(deleted)
            for byte: UInt8 in [0x00, 0x0A, 0x20, 0x2B, 0x2F, 0x3D, 0x41, 0x61, 0x7F, 0x80, 0xE2] where byte != note[i]
            {
                var changed = note
                changed[i] = byte
                variants.append(changed)
            }
        }
        var accepted = 0
        for variant in variants {
            let fast = SignedNote.singleSignature(in: variant)
            let parsed = try? SignedNote(parsing: variant)
            // Whatever the general parser accepts is the one text its fields give back.
            if let parsed { #expect(parsed.bytes == variant) }
            // The fast parse leaves the text's characters to its caller (a log entry's parser, which takes
            // printable ASCII lines only): compare the two where the text is such.
            let textIsASCIILines = { (count: Int) in
                variant.prefix(count).allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A }
            }
            if let fast, textIsASCIILines(fast.textCount) {
                let general = try #require(parsed, "the general parser refuses what the fast one accepted")
                #expect(Array(variant.prefix(fast.textCount)) == Self.bytes(general.text))
                #expect([fast.signature] == general.signatures)
                accepted += 1
            }
            if let parsed, parsed.signatures.count == 1, textIsASCIILines(Self.bytes(parsed.text).count) {
                #expect(fast != nil, "the fast parser refuses a one-signature note the general one accepts")
            }
        }
        // Changes inside the text leave a note both accept (its signature no longer verifies, which is
        // checked elsewhere); the check above is not vacuous.
        #expect(accepted > 100)
    }

    @Test("known keys verify, unknown keys are ignored, and a note with no known key is refused")
    func open() throws {
        let peter = try NoteVerifierKey(Self.peterVKey)
        let enoch = try NoteVerifierKey(Self.enochVKey)
        let note = try SignedNote(parsing: Self.bytes(Self.text + "\n" + Self.peterSig + Self.enochSig))
        #expect(note.text == Self.text)
        #expect(note.signatures.map(\.keyName) == ["PeterNeumann", "EnochRoot"])
        #expect(try note.verify(knownKeys: [peter]).map(\.key) == [peter])
        #expect(try note.verify(knownKeys: [peter, enoch]).map(\.key) == [peter, enoch])
        #expect(throws: LogError.noKnownSignature) { try note.verify(knownKeys: []) }
        // Same name, other key ID; same key ID, other name: both are other keys, so ignored.
        let other = try NoteVerifierKey(name: "PeterNeumann", publicKey: Ed25519.PrivateKey().publicKey)
        #expect(throws: LogError.noKnownSignature) { try note.verify(knownKeys: [other]) }
        #expect(throws: LogError.ambiguousKey(keyName: "EnochRoot", keyID: 0xaf0c_fe78)) {
            try note.verify(knownKeys: [enoch, peter, enoch])
        }
    }

    @Test("a known key's bad signature rejects the whole note")
    func invalidSignature() throws {
        let peter = try NoteVerifierKey(Self.peterVKey)
        let sig = Array(Self.peterSig)
        let bad = String(sig[..<60]) + "ABCD" + String(sig[60...])
        let note = try SignedNote(parsing: Self.bytes(Self.text + "\n" + bad))
        #expect(throws: LogError.invalidSignature(keyName: "PeterNeumann", keyID: 0xc74f_20a3)) {
            try note.verify(knownKeys: [peter])
        }
        let otherText = try SignedNote(parsing: Self.bytes("Other text.\n\n" + Self.peterSig))
        #expect(throws: LogError.invalidSignature(keyName: "PeterNeumann", keyID: 0xc74f_20a3)) {
            try otherText.verify(knownKeys: [peter])
        }
    }

    static let malformed: [(String, LogError)] = [
        (text, .malformedNote(.missingBlankLine)),
        (text + "\n", .malformedNote(.noSignatures)),
        (text + "\n" + String(peterSig.dropLast()), .malformedNote(.signatureLineWithoutNewline)),
        ("\u{01}" + text + "\n" + peterSig, .malformedNote(.controlCharacter)),
        (
            text + "\n" + peterSig.replacingOccurrences("PeterNeumann", "Bad Name"),
            .malformedNote(.badSignatureEncoding)
        ),
        (text + "\n" + peterSig + "Unexpected line.\n", .malformedNote(.signatureLineSyntax)),
        (text + "\n" + peterSig.replacingOccurrences("\u{2014}", "-"), .malformedNote(.signatureLineSyntax)),
        (text + "\n" + peterSig.replacingOccurrences("PeterNeumann", "Peter+Neumann"), .malformedNote(.badKeyName)),
        (text + "\n" + peterSig.replacingOccurrences("AM=", "AM"), .malformedNote(.badSignatureEncoding)),
        (text + "\n" + peterSig.replacingOccurrences(" x08", "  x08"), .malformedNote(.badSignatureEncoding)),
        (text + "\n" + "\u{2014} PeterNeumann AAAAAA==\n", .malformedNote(.badSignatureEncoding)),
        (text + "\r\n" + peterSig, .malformedNote(.controlCharacter)),
        (text + "\n" + peterSig + peterSig, .duplicateSignature(keyName: "PeterNeumann", keyID: 0xc74f_20a3)),
        (text + "\n" + enochSig + peterSig + enochSig, .duplicateSignature(keyName: "EnochRoot", keyID: 0xaf0c_fe78)),
    ]

    @Test("malformed notes are refused with the defect named", arguments: malformed.indices)
    func malformedNotes(_ i: Int) throws {
        let (text, error) = Self.malformed[i]
        #expect(throws: error) { try SignedNote(parsing: Self.bytes(text)) }
    }

    @Test("bytes that are not UTF-8 are refused")
    func notUTF8() throws {
        #expect(throws: LogError.malformedNote(.notUTF8)) {
            try SignedNote(parsing: [0xFF] + Self.bytes(Self.text + "\n" + Self.peterSig))
        }
    }

    @Test("more than 100 signatures are refused before any is checked; 100 distinct unknown ones are fine")
    func tooMany() throws {
        let signers = try (0..<101).map { try NoteSigner(name: "k\($0)", privateKey: Ed25519.PrivateKey()) }
        let hundred = try SignedNote(text: Self.text).signed(by: Array(signers.prefix(100)))
        #expect(try SignedNote(parsing: hundred.bytes).signatures.count == 100)
        let over = try SignedNote(text: Self.text).signed(by: signers)
        #expect(throws: LogError.tooManySignatures(101)) { try SignedNote(parsing: over.bytes) }
    }

    @Test("the signed-note spec's example note parses")
    func specExample() throws {
        let example =
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned \u{e8} subito sera.\n\n"
            + "\u{2014} quasimodo.example/salvatore "
            + "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
        let note = try SignedNote(parsing: Self.bytes(example))
        // The text keeps its own empty line: the note splits at the last blank line.
        #expect(note.text.hasSuffix("\n\ned \u{e8} subito sera.\n"))
        #expect(note.signatures.first?.keyID == 0x367b_a04b)
        #expect(note.bytes == Self.bytes(example))
    }

    @Test("a verifier key one byte too long is refused for its length")
    func wrongLength() throws {
        let key = try Ed25519.PrivateKey().publicKey.rawRepresentation
        let long = [NoteSignatureType.ed25519.rawValue] + key + [0]
        let name = "k"
        let id = try NoteKeyName.keyID(name: name, type: .ed25519, publicKey: Array(long.dropFirst()))
        let text = "\(name)+\(keyIDText(id))+\(base64(long))"
        #expect(throws: LogError.malformedKey(.wrongKeyLength)) { try NoteVerifierKey(text) }
    }

    @Test("a key name with white space or a plus is refused when making keys")
    func keyNames() throws {
        let key = try Ed25519.PrivateKey()
        for name in ["", "a b", "a+b", "a\u{00A0}b", "a\u{3000}b", "a\tb"] {
            #expect(throws: LogError.malformedKey(.badName)) { try NoteSigner(name: name, privateKey: key) }
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
