import CaseVaultCrypto

/// The signature types of C2SP signed-note that CaseVault uses: the type byte goes into the key ID and the
/// key strings, so one Ed25519 key never produces a signature that passes for the other type.
public enum NoteSignatureType: UInt8, Sendable, CaseIterable {
    /// Ed25519 over the note text (signed-note, type 0x01).
    case ed25519 = 0x01
    /// Timestamped Ed25519 cosignature over "cosignature/v1", the time and the checkpoint (tlog-cosignature,
    /// type 0x04).
    case cosignatureV1 = 0x04
}

/// Names and key IDs as C2SP signed-note defines them.
public enum NoteKeyName {
    /// Whether `name` may name a key: non-empty, no Unicode white space, no plus sign (key strings use it as
    /// the separator), and no control characters (a note may not carry them).
    public static func isValid<Name: StringProtocol>(_ name: Name) -> Bool {
        !name.isEmpty
            && !name.unicodeScalars.contains {
                $0.properties.isWhitespace || $0 == "+" || $0.value < 0x20 || $0.value == 0x7F
            }
    }

    /// key ID = first four bytes, big-endian, of SHA-256(name || 0x0A || type || public key).
    public static func keyID(name: String, type: NoteSignatureType, publicKey: [UInt8]) throws -> UInt32 {
        let digest = try Digest.hash(.sha256, Array(name.utf8) + [0x0A, type.rawValue] + publicKey)
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// A verifier key: a key name, its key ID and an Ed25519 public key, with the standard text form
/// `<name>+<8 hex digits of key ID>+<base64(type byte || 32-byte public key)>` ("vkey").
public struct NoteVerifierKey: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let keyID: UInt32
    public let type: NoteSignatureType
    public let publicKey: Ed25519.PublicKey

    /// The key of `publicKey` under `name`, its key ID computed as the spec says.
    public init(name: String, publicKey: Ed25519.PublicKey, type: NoteSignatureType = .ed25519) throws {
        guard NoteKeyName.isValid(name) else { throw LogError.malformedKey(.badName) }
        self.name = name
        self.type = type
        self.publicKey = publicKey
        keyID = try NoteKeyName.keyID(name: name, type: type, publicKey: publicKey.rawRepresentation)
    }

    /// Parses a vkey string. The key ID in the text must be the one computed from the name and key, so a
    /// string cannot claim another key's ID.
    public init(_ text: String) throws {
        // The base64 key may itself hold a plus: only the first two separate fields.
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw LogError.malformedKey(.syntax) }
        guard NoteKeyName.isValid(parts[0]) else { throw LogError.malformedKey(.badName) }
        guard let claimedID = parseKeyID(parts[1]) else { throw LogError.malformedKey(.badKeyID) }
        guard let key = Base64.decode(parts[2]), !key.isEmpty else { throw LogError.malformedKey(.badEncoding) }
        guard let type = NoteSignatureType(rawValue: key[0]) else { throw LogError.malformedKey(.unknownAlgorithm) }
        guard key.count == 33 else { throw LogError.malformedKey(.wrongKeyLength) }
        let publicKey: Ed25519.PublicKey
        do {
            publicKey = try Ed25519.PublicKey(rawRepresentation: Array(key.dropFirst()))
        } catch {
            throw LogError.malformedKey(.badEncoding)
        }
        try self.init(name: String(parts[0]), publicKey: publicKey, type: type)
        guard keyID == claimedID else { throw LogError.malformedKey(.keyIDMismatch) }
    }

    /// The vkey string.
    public var text: String {
        "\(name)+\(keyIDHex(keyID))+\(Base64.encode([type.rawValue] + publicKey.rawRepresentation))"
    }

    public var description: String { text }

    public static func == (a: NoteVerifierKey, b: NoteVerifierKey) -> Bool {
        a.name == b.name && a.keyID == b.keyID && a.type == b.type && a.publicKey == b.publicKey
    }
}

/// A signer: a key name and an Ed25519 private key, for one signature type.
///
/// Its text form, `PRIVATE+KEY+<name>+<hex key ID>+<base64(type byte || 32-byte seed)>` as
/// golang.org/x/mod/sumdb/note writes it, is a secret and so is only ever held in `SecureBytes`.
public struct NoteSigner: Sendable {
    public let name: String
    public let type: NoteSignatureType
    public let privateKey: Ed25519.PrivateKey
    /// The matching verifier key (same name, type and key ID).
    public let verifierKey: NoteVerifierKey

    public var keyID: UInt32 { verifierKey.keyID }

    public init(name: String, privateKey: Ed25519.PrivateKey, type: NoteSignatureType = .ed25519) throws {
        self.name = name
        self.type = type
        self.privateKey = privateKey
        verifierKey = try NoteVerifierKey(name: name, publicKey: privateKey.publicKey, type: type)
    }

    /// Parses a signer key text (UTF-8 in secret storage). The key ID must match the derived public key.
    public init(signerKeyText text: SecureBytes) throws {
        let bytes = text.unsafeExportedBytes()
        defer {
            var wipe = bytes
            ConstantTime.wipe(&wipe)
        }
        let parts = bytes.split(separator: UInt8(ascii: "+"), maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].elementsEqual("PRIVATE".utf8), parts[1].elementsEqual("KEY".utf8)
        else { throw LogError.malformedKey(.syntax) }
        guard let name = String(validating: parts[2], as: UTF8.self), NoteKeyName.isValid(name) else {
            throw LogError.malformedKey(.badName)
        }
        guard let claimedID = String(validating: parts[3], as: UTF8.self).flatMap({ parseKeyID($0[...]) }) else {
            throw LogError.malformedKey(.badKeyID)
        }
        guard let encoded = String(validating: parts[4], as: UTF8.self), var key = Base64.decode(encoded),
            !key.isEmpty
        else { throw LogError.malformedKey(.badEncoding) }
        defer { ConstantTime.wipe(&key) }
        guard let type = NoteSignatureType(rawValue: key[0]) else { throw LogError.malformedKey(.unknownAlgorithm) }
        guard key.count == 33 else { throw LogError.malformedKey(.wrongKeyLength) }
        let privateKey = try Ed25519.PrivateKey(rawRepresentation: SecureBytes(copying: key.dropFirst()))
        try self.init(name: name, privateKey: privateKey, type: type)
        guard keyID == claimedID else { throw LogError.malformedKey(.keyIDMismatch) }
    }

    /// The signer key text, in secret storage.
    public func signerKeyText() -> SecureBytes {
        var seed = [type.rawValue] + privateKey.rawRepresentation.unsafeExportedBytes()
        defer { ConstantTime.wipe(&seed) }
        var text = Array("PRIVATE+KEY+\(name)+\(keyIDHex(keyID))+".utf8) + Array(Base64.encode(seed).utf8)
        defer { ConstantTime.wipe(&text) }
        return SecureBytes(copying: text)
    }

    /// The raw Ed25519 signature of `message`.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        try privateKey.signature(for: message)
    }
}

/// Exactly eight lower-case hex digits, as key strings write a key ID.
func parseKeyID(_ text: Substring) -> UInt32? {
    guard text.utf8.count == 8, let bytes = Hex.decode(String(text)) else { return nil }
    return bytes.reduce(0) { $0 << 8 | UInt32($1) }
}
