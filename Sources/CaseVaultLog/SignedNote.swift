import CaseVaultCrypto

/// A C2SP signed note: UTF-8 text ending in a newline, a blank line, then one or more signature lines
/// `— <key name> <base64(4-byte big-endian key ID || signature)>` (em dash U+2014, space), each ending in a
/// newline. Signatures are over the text exactly, final newline included, blank line excluded.
public struct SignedNote: Sendable, Equatable {
    /// One signature line, verified or not.
    public struct Signature: Sendable, Equatable {
        public let keyName: String
        public let keyID: UInt32
        /// What follows the key ID: for Ed25519 the 64-byte signature; for a cosignature, the 8-byte
        /// timestamp and then the signature.
        public let signature: [UInt8]

        public init(keyName: String, keyID: UInt32, signature: [UInt8]) {
            self.keyName = keyName
            self.keyID = keyID
            self.signature = signature
        }

        /// The line as it appears in the note, newline included.
        public var line: String {
            let id = (0..<4).map { UInt8(truncatingIfNeeded: keyID >> (24 - 8 * $0)) }
            return "\u{2014} \(keyName) \(Base64.encode(id + signature))\n"
        }
    }

    /// A signature by a known key that verified, and, for a cosignature, the time it states.
    public struct Verified: Sendable, Equatable {
        public let key: NoteVerifierKey
        public let timestamp: UInt64?
    }

    /// Notes with more signature lines are refused before any is checked (the spec asks for at least 16).
    public static let maximumSignatures = 100

    /// The text, ending in a newline.
    public let text: String
    public let signatures: [Signature]

    /// A note with this text and signatures. Throws unless the text ends in a newline and is free of control
    /// characters other than newline, and each signature has a valid key name and at least one byte, so that
    /// `bytes` is always a note that parses back.
    public init(text: String, signatures: [Signature] = []) throws {
        try Self.checkCharacters(Array(text.utf8))
        guard text.utf8.last == 0x0A else { throw LogError.malformedNote(.textWithoutFinalNewline) }
        for signature in signatures {
            guard NoteKeyName.isValid(signature.keyName) else { throw LogError.malformedNote(.badKeyName) }
            guard !signature.signature.isEmpty else { throw LogError.malformedNote(.badSignatureEncoding) }
        }
        self.text = text
        self.signatures = signatures
    }

    /// Parses a signed note strictly: valid UTF-8, no control characters but newline, the text split off at
    /// the last blank line, at least one signature, every line well formed and ending in a newline, no key
    /// (name and key ID) twice, at most `maximumSignatures`.
    public init(parsing bytes: [UInt8]) throws {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw LogError.malformedNote(.notUTF8) }
        try Self.checkCharacters(bytes)
        guard let split = Self.lastBlankLine(bytes) else { throw LogError.malformedNote(.missingBlankLine) }
        let textBytes = bytes[..<(split + 1)]
        let block = bytes[(split + 2)...]
        guard !block.isEmpty else { throw LogError.malformedNote(.noSignatures) }
        guard block.last == 0x0A else { throw LogError.malformedNote(.signatureLineWithoutNewline) }
        let lines = block.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count <= Self.maximumSignatures else { throw LogError.tooManySignatures(lines.count) }
        var signatures: [Signature] = []
        var seen = Set<String>()
        for line in lines {
            let signature = try Self.parseLine(line)
            guard seen.insert("\(signature.keyName)+\(signature.keyID)").inserted else {
                throw LogError.duplicateSignature(keyName: signature.keyName, keyID: signature.keyID)
            }
            signatures.append(signature)
        }
        self.text = String(decoding: textBytes, as: UTF8.self)
        self.signatures = signatures
    }

    /// The length of the text and the one signature of a note with exactly one signature line, parsed with
    /// no copy of the text: a log's replay reads 100,000 such notes. Nil for anything else (the caller then
    /// uses `init(parsing:)`, which says what is wrong).
    ///
    /// The text's characters are not checked here: the caller must go on only with a text it parses strictly
    /// as printable ASCII lines, as a log entry is. With such a text, what this accepts is exactly what
    /// `init(parsing:)` accepts with one signature line, with the same text and signature: the signature line
    /// is printable ASCII after the em dash, its key name has no space or plus sign, and its base64 is
    /// canonical.
    public static func singleSignature(in bytes: [UInt8]) -> (textCount: Int, signature: Signature)? {
        let end = bytes.count - 1  // the signature line's newline
        guard end >= 2, bytes[end] == 0x0A else { return nil }
        var start = end
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        // "text\n" + "\n" + line: the text is non-empty and ends in a newline, the blank line follows.
        guard start >= 3, bytes[start - 2] == 0x0A else { return nil }
        let line = bytes[start..<end]
        // Printable ASCII after the em dash, so the line is valid UTF-8 without checking the whole note.
        guard line.starts(with: prefix), line.dropFirst(prefix.count).allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
            let signature = try? parseLine(line)
        else { return nil }
        return (start - 1, signature)
    }

    /// The note's bytes: text, blank line, signature lines.
    public var bytes: [UInt8] {
        Array(text.utf8) + [0x0A] + signatures.flatMap { Array($0.line.utf8) }
    }

    /// This note with an Ed25519 signature by each signer added after the existing ones. A signature already
    /// present by the same key is replaced, so re-signing never makes a duplicate.
    public func signed(by signers: [NoteSigner]) throws -> SignedNote {
        var added: [Signature] = []
        for signer in signers {
            // A cosigner signs another message; that goes through `Cosignature.sign`.
            guard signer.type == .ed25519 else { throw LogError.malformedKey(.unknownAlgorithm) }
            added.append(
                Signature(keyName: signer.name, keyID: signer.keyID, signature: try signer.sign(Array(text.utf8))))
        }
        let kept = signatures.filter { old in !added.contains { $0.keyName == old.keyName && $0.keyID == old.keyID } }
        return try SignedNote(text: text, signatures: kept + added)
    }

    /// Verifies the signatures by known keys and returns them, in note order.
    ///
    /// As C2SP signed-note says: a signature whose key name and key ID do not both match a known key is
    /// ignored; one that matches must verify, or the whole note is refused (`invalidSignature`); and a note
    /// with no verified signature is refused (`noKnownSignature`). Known keys of type `cosignatureV1` are
    /// checked as tlog-cosignature says, over the text taken as a checkpoint body.
    public func verify(knownKeys: [NoteVerifierKey]) throws -> [Verified] {
        var verified: [Verified] = []
        for signature in signatures {
            let matches = knownKeys.filter { $0.name == signature.keyName && $0.keyID == signature.keyID }
            guard let key = matches.first else { continue }
            guard matches.count == 1 else {
                throw LogError.ambiguousKey(keyName: signature.keyName, keyID: signature.keyID)
            }
            switch key.type {
            case .ed25519:
                guard key.publicKey.isValidSignature(signature.signature, for: Array(text.utf8)) else {
                    throw LogError.invalidSignature(keyName: key.name, keyID: key.keyID)
                }
                verified.append(Verified(key: key, timestamp: nil))
            case .cosignatureV1:
                let cosignature = try Cosignature(signature)
                guard cosignature.isValid(forCheckpointText: text, key: key) else {
                    throw LogError.invalidSignature(keyName: key.name, keyID: key.keyID)
                }
                verified.append(Verified(key: key, timestamp: cosignature.timestamp))
            }
        }
        guard !verified.isEmpty else { throw LogError.noKnownSignature }
        return verified
    }

    private static func checkCharacters<Bytes: Sequence>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        // UTF-8 continuation and lead bytes are all >= 0x80, so a byte below 0x20 is always the character.
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw LogError.malformedNote(.controlCharacter)
        }
    }

    /// The index of the first newline of the last "\n\n".
    private static func lastBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0A && bytes[i + 1] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    private static let prefix: [UInt8] = Array("\u{2014} ".utf8)

    private static func parseLine(_ line: ArraySlice<UInt8>) throws -> Signature {
        guard line.starts(with: prefix) else { throw LogError.malformedNote(.signatureLineSyntax) }
        let rest = line.dropFirst(prefix.count)
        let parts = rest.split(separator: 0x20, maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw LogError.malformedNote(.signatureLineSyntax) }
        let name = String(decoding: parts[0], as: UTF8.self)
        guard NoteKeyName.isValid(name) else { throw LogError.malformedNote(.badKeyName) }
        guard let raw = Base64.decode(String(decoding: parts[1], as: UTF8.self)), raw.count >= 5 else {
            throw LogError.malformedNote(.badSignatureEncoding)
        }
        let keyID = raw.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
        return Signature(keyName: name, keyID: keyID, signature: Array(raw.dropFirst(4)))
    }
}
