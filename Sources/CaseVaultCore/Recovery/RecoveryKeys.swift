import CaseVaultAge
import CaseVaultCrypto

/// The organisation recovery key: an age X25519 identity (role generation keys are sealed to it) and an
/// Ed25519 key (it signs the `recovery.restore` entry), both derived from one 32-byte secret with
/// HKDF-SHA-256 (salt `casevault-recovery-v1`, info `x25519` or `ed25519`). The secret is what is shared:
/// K of its shares give back the secret, and so both keys.
final class RecoveryKeys: @unchecked Sendable {
    // Sendable: immutable after init (keys in immutable key classes and SecureBytes).
    static let salt = Array("casevault-recovery-v1".utf8)

    let secret: SecureBytes
    let identity: X25519Identity
    let signingKey: Ed25519.PrivateKey

    init(secret: SecureBytes) throws {
        guard secret.count == RecoveryShare.valueByteCount else {
            throw VaultError.recoveryRefused(.sharesDoNotMatch)
        }
        self.secret = secret
        let x25519 = try HKDF.deriveKey(
            inputKey: secret, salt: Self.salt, info: Array("x25519".utf8), outputByteCount: 32)
        identity = X25519Identity(privateKey: try X25519.PrivateKey(rawRepresentation: x25519))
        let ed25519 = try HKDF.deriveKey(
            inputKey: secret, salt: Self.salt, info: Array("ed25519".utf8), outputByteCount: 32)
        signingKey = try Ed25519.PrivateKey(rawRepresentation: ed25519)
    }

    static func generate() throws -> RecoveryKeys {
        try RecoveryKeys(secret: SecureBytes.random(count: RecoveryShare.valueByteCount))
    }

    var recipient: String { identity.recipient.description }
    var signingPublicKeyHex: String { Hex.encode(signingKey.publicKey.rawRepresentation) }
    func keyID() throws -> String { try Self.keyID(recipient: recipient) }

    /// A recovery key's id: the first 8 bytes of SHA-256 of its `age1…` recipient, hex.
    static func keyID(recipient: String) throws -> String {
        Hex.encode(try Digest.hash(.sha256, Array(recipient.utf8)).prefix(8))
    }

    /// The recovery key as a member key pair, to sign through the usual `LogAuthor`.
    var asMemberKeys: MemberKeys { MemberKeys(identity: identity, signingKey: signingKey) }

    /// K-of-N shares of the secret, for the vault `vaultID`.
    func shares(vaultID: String, threshold: Int, count: Int) throws -> [RecoveryShare] {
        let keyID = try keyID()
        return try SecretSharing.split(secret, threshold: threshold, count: count).map {
            RecoveryShare(
                vaultID: vaultID, keyID: keyID, index: Int($0.index), threshold: threshold, count: count,
                value: $0.value)
        }
    }

    /// The keys K shares give back. Refused before combining: fewer shares than their threshold, shares of
    /// different keys or vaults, the same share twice. Refused after: a result whose public keys are not the
    /// logged ones (a share altered so that its checksums still match, or with a changed index).
    static func combine(
        _ shares: [RecoveryShare], vaultID: String, logged: (keyID: String, recipient: String, signingKey: String)
    ) throws -> RecoveryKeys {
        guard let first = shares.first else { throw VaultError.recoveryRefused(.tooFewShares(have: 0, need: 2)) }
        if let other = shares.first(where: { $0.vaultID != vaultID }) {
            throw VaultError.recoveryRefused(.otherVault(other.vaultID))
        }
        guard
            shares.allSatisfy({ $0.keyID == first.keyID && $0.threshold == first.threshold && $0.count == first.count })
        else { throw VaultError.recoveryRefused(.mixedShares) }
        var seen: Set<Int> = []
        for share in shares where !seen.insert(share.index).inserted {
            throw VaultError.recoveryRefused(.duplicateShare(index: share.index))
        }
        guard first.keyID == logged.keyID else { throw VaultError.recoveryRefused(.replacedKey(keyID: first.keyID)) }
        guard shares.count >= first.threshold else {
            throw VaultError.recoveryRefused(.tooFewShares(have: shares.count, need: first.threshold))
        }
        let secret = try SecretSharing.combine(
            shares.map { SecretSharing.Share(index: UInt8($0.index), value: $0.value) })
        let keys = try RecoveryKeys(secret: secret)
        guard keys.recipient == logged.recipient, keys.signingPublicKeyHex == logged.signingKey else {
            throw VaultError.recoveryRefused(.sharesDoNotMatch)
        }
        return keys
    }
}
