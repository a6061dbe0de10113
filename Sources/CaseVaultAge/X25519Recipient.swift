import CaseVaultCrypto

/// An age X25519 recipient: a public key written `age1…` (Bech32).
public struct X25519Recipient: Recipient, Sendable, Equatable, CustomStringConvertible {
    public static let stanzaType = "X25519"
    static let label = Array("age-encryption.org/v1/X25519".utf8)

    public let publicKey: X25519.PublicKey

    public init(publicKey: X25519.PublicKey) { self.publicKey = publicKey }

    /// Parses an `age1…` string.
    public init(_ string: String) throws {
        let (hrp, data) = try Bech32.decode(string)
        guard hrp == "age", data.count == 32, string == string.lowercased() else {
            throw AgeError.invalidKey("\"\(string.prefix(12))…\" is not an age X25519 recipient (age1…)")
        }
        do { publicKey = try X25519.PublicKey(rawRepresentation: data) } catch {
            throw AgeError.invalidKey("the recipient's public key is invalid")
        }
    }

    /// The `age1…` form.
    public var description: String { Bech32.encode(hrp: "age", data: publicKey.rawRepresentation) }

    public func wrap(fileKey: SecureBytes) throws -> [Stanza] {
        let (share, shared) = try X25519.ephemeralAgreement(with: publicKey)
        let key = try HKDF.deriveKey(
            inputKey: shared, salt: share + publicKey.rawRepresentation, info: Self.label, outputByteCount: 32)
        let body = try StanzaAEAD.seal(fileKey, key: key)
        return [Stanza(type: Self.stanzaType, arguments: [Base64.encodeUnpadded(share)], body: body)]
    }
}

/// An age X25519 identity: a private key written `AGE-SECRET-KEY-1…` (upper-case Bech32).
public final class X25519Identity: Identity, @unchecked Sendable {
    // Sendable: immutable after init (a `let` key whose OpenSSL object is only read, never changed).
    public let privateKey: X25519.PrivateKey

    public init(privateKey: X25519.PrivateKey) { self.privateKey = privateKey }

    /// A fresh identity from the CSPRNG.
    public static func generate() throws -> X25519Identity { X25519Identity(privateKey: try X25519.PrivateKey()) }

    /// Parses `AGE-SECRET-KEY-1…`. The string is secret: it never appears in an error.
    public convenience init(_ string: String) throws {
        try self.init(encoded: Array(string.utf8))
    }

    /// Parses `AGE-SECRET-KEY-1…` given as ASCII bytes (a line of an identity file, in place).
    public convenience init(encoded: some Collection<UInt8>) throws {
        var decoded: (hrp: String, data: [UInt8])
        do { decoded = try Bech32.decode(ascii: encoded) } catch {
            throw AgeError.invalidKey("the secret key is not valid Bech32")
        }
        // Wiped where it is: a `var` copy would be a second buffer, and wiping it would leave this one.
        defer { ConstantTime.wipe(&decoded.data) }
        let upperCase = encoded.allSatisfy { !(UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        guard decoded.hrp == "age-secret-key-", decoded.data.count == 32, upperCase else {
            throw AgeError.invalidKey("not an age X25519 secret key (AGE-SECRET-KEY-1…)")
        }
        self.init(privateKey: try X25519.PrivateKey(rawRepresentation: SecureBytes(copying: decoded.data)))
    }

    /// The `AGE-SECRET-KEY-1…` form, in secret storage.
    public func encoded() -> SecureBytes {
        var raw = privateKey.rawRepresentation.unsafeExportedBytes()
        defer { ConstantTime.wipe(&raw) }
        var text = Array(Bech32.encode(hrp: "age-secret-key-", data: raw).uppercased().utf8)
        defer { ConstantTime.wipe(&text) }
        return SecureBytes(copying: text)
    }

    public var recipient: X25519Recipient { X25519Recipient(publicKey: privateKey.publicKey) }

    public func unwrap(stanzas: [Stanza]) throws -> SecureBytes? {
        for stanza in stanzas where stanza.type == X25519Recipient.stanzaType {
            guard stanza.arguments.count == 1 else {
                throw AgeError.header("an X25519 stanza must have exactly one argument")
            }
            let share = try Base64.decodeCanonicalUnpadded(stanza.arguments[0])
            guard share.count == 32 else { throw AgeError.header("an X25519 stanza's share is not 32 bytes") }
            guard stanza.body.count == FileKey.byteCount + ChaChaPoly.tagByteCount else {
                throw AgeError.header("an X25519 stanza's body is not 32 bytes")
            }
            let shared: SecureBytes
            do {
                shared = try privateKey.sharedSecret(withRawPeer: share)
            } catch {
                throw AgeError.header("an X25519 stanza's share is a low-order point")
            }
            let key = try HKDF.deriveKey(
                inputKey: shared, salt: share + privateKey.publicKey.rawRepresentation,
                info: X25519Recipient.label, outputByteCount: 32)
            if let fileKey = try StanzaAEAD.open(stanza.body, key: key) { return fileKey }
        }
        return nil
    }
}
