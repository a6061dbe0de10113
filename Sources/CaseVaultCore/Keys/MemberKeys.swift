import CaseVaultAge
import CaseVaultCrypto

/// A member's two private keys: the age X25519 identity that opens role key envelopes, and the Ed25519
/// key that signs (public cards now; custody events and the audit log next).
///
/// Their plaintext form is an age identity file, so `age -d -i` accepts it as it is:
///
///     # CaseVault member key: alice
///     # public key: age1…
///     # CASEVAULT-SIGNING-KEY-1…
///     AGE-SECRET-KEY-1…
///
/// The signing seed sits in a comment line (Bech32, HRP `casevault-signing-key-`, upper case), which age
/// ignores.
final class MemberKeys: @unchecked Sendable {
    // Sendable: immutable after init (keys in immutable key classes and SecureBytes).
    static let signingKeyHRP = "casevault-signing-key-"
    static let signingKeyTag = "CASEVAULT-SIGNING-KEY-1"

    let identity: X25519Identity
    let signingKey: Ed25519.PrivateKey

    init(identity: X25519Identity, signingKey: Ed25519.PrivateKey) {
        self.identity = identity
        self.signingKey = signingKey
    }

    static func generate() throws -> MemberKeys {
        MemberKeys(identity: try X25519Identity.generate(), signingKey: try Ed25519.PrivateKey())
    }

    var recipient: String { identity.recipient.description }
    var signingPublicKeyHex: String { Hex.encode(signingKey.publicKey.rawRepresentation) }

    /// The identity-file text, in secret storage.
    func identityText(member: String) -> SecureBytes {
        var text: [UInt8] = []
        defer { ConstantTime.wipe(&text) }
        text += Array("# CaseVault member key: \(member)\n# public key: \(recipient)\n# ".utf8)
        var seed = signingKey.rawRepresentation.unsafeExportedBytes()
        defer { ConstantTime.wipe(&seed) }
        var encodedSeed = Array(Bech32.encode(hrp: Self.signingKeyHRP, data: seed).uppercased().utf8)
        defer { ConstantTime.wipe(&encodedSeed) }
        text += encodedSeed
        text.append(0x0A)
        let secret = identity.encoded()
        secret.withUnsafeBytes { text += $0 }
        text.append(0x0A)
        return SecureBytes(copying: text)
    }

    /// Reads the keys back from identity-file text. Throws when the text is not a CaseVault key file.
    static func parse(_ text: SecureBytes) throws -> MemberKeys {
        let identities = try IdentityFile.parse(text)
        guard identities.count == 1, let tagged = IdentityFile.taggedComment(text, tag: signingKeyTag) else {
            throw AgeError.invalidKey("not a CaseVault member key file")
        }
        // Decoded in place from secret storage: no String (which cannot be wiped) and no second buffer.
        var decoded = try tagged.withUnsafeBytes { text in
            // The token ends at the first space, if a comment follows it.
            let end = text.firstIndex(of: 0x20) ?? text.count
            return try Bech32.decode(ascii: UnsafeRawBufferPointer(rebasing: text[0..<end]))
        }
        defer { ConstantTime.wipe(&decoded.data) }
        guard decoded.hrp == signingKeyHRP, decoded.data.count == 32 else {
            throw AgeError.invalidKey("the signing key line is malformed")
        }
        return MemberKeys(
            identity: identities[0],
            signingKey: try Ed25519.PrivateKey(rawRepresentation: SecureBytes(copying: decoded.data)))
    }

    /// The passphrase-protected key file: an armored age file with one scrypt stanza.
    func sealedKeyFile(member: String, passphrase: SecureBytes, workFactor: Int) throws -> [UInt8] {
        guard passphrase.count > 0 else {
            throw VaultError.emptyPassphrase
        }
        return try IdentityFile.seal(identityText(member: member), passphrase: passphrase, workFactor: workFactor)
    }

    /// Opens a key file with its passphrase. A wrong passphrase is `VaultError.wrongPassphrase`.
    static func open(keyFile bytes: [UInt8], path: String, member: String, passphrase: SecureBytes) throws -> MemberKeys
    {
        let text: SecureBytes
        do { text = try IdentityFile.open(bytes, passphrase: passphrase) } catch let error as AgeError {
            if case .noMatch = error { throw VaultError.wrongPassphrase(member: member) }
            throw VaultError.keyFileMismatch(member: member, path: path)
        }
        do { return try parse(text) } catch {
            throw VaultError.keyFileMismatch(member: member, path: path)
        }
    }
}
