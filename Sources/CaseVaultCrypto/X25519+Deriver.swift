internal import COpenSSL
import Synchronization

/// Owns one `EVP_PKEY_CTX` set up for X25519 derivation with one private key, reused for agreements with
/// many peers. Setting up a context in OpenSSL 3.0 (`EVP_PKEY_CTX_new`, `EVP_PKEY_derive_init`, and the
/// peer check `EVP_PKEY_derive_set_peer` makes in a context of its own) looks the key exchange and key
/// management up by name each time; importing each peer with `EVP_PKEY_new_raw_public_key` does it again.
/// Here the context is set up once, and the peer is one `EVP_PKEY` (`peer`) whose public key is replaced
/// for each agreement. A deriver is not for concurrent use: `X25519.PrivateKey` lends one to a thread at a
/// time.
final class Deriver {
    private let context: OpaquePointer
    /// The peer slot: its public key is overwritten by each agreement, so it never outlives one call's use.
    private let peer: PKey
    private static let operation = "X25519 key agreement"

    init(key: PKey) throws {
        guard let context = EVP_PKEY_CTX_new(key.pointer, nil) else { throw CryptoError.openSSL(Self.operation) }
        self.context = context
        // The base point: any valid public key will do until the first agreement replaces it.
        peer = try PKey.publicKey(.x25519, raw: [9] + [UInt8](repeating: 0, count: 31))
        try check(EVP_PKEY_derive_init(context), Self.operation)
    }

    deinit { EVP_PKEY_CTX_free(context) }

    /// The shared secret with the peer whose 32-byte public key is `peerKey`. Throws on an all-zero secret
    /// (a peer of small order), as `X25519.PrivateKey.sharedSecret` does.
    func sharedSecret(with peerKey: UnsafeRawBufferPointer) throws -> SecureBytes {
        guard peerKey.count == 32 else {
            throw CryptoError.rejected(
                "X25519 public key import", .wrongKeyLength(expected: 32, actual: peerKey.count))
        }
        try check(
            EVP_PKEY_set1_encoded_public_key(
                peer.pointer, peerKey.baseAddress?.assumingMemoryBound(to: UInt8.self), 32),
            "X25519 public key import")
        // Set again after each change rather than trusting the context to see the new key through the one it
        // was given: that it would is a detail of the provider. Without the separate peer check, which for
        // X25519 only asks whether a public key is present: the all-zero check in `derive` is what matters.
        try check(EVP_PKEY_derive_set_peer_ex(context, peer.pointer, 0), Self.operation)
        return try X25519.PrivateKey.derive(context)
    }
}

/// Idle derivers of one private key, at most one per thread that has used the key at once.
final class DeriverPool: Sendable {
    // Sendable: a deriver in the pool is used by nobody; the Mutex hands each to one thread at a time.
    private struct Idle: @unchecked Sendable { var derivers: [Deriver] = [] }
    private let idle = Mutex(Idle())

    /// `body` with a deriver of `key` that no other thread uses meanwhile.
    func withDeriver<T>(of key: PKey, _ body: (Deriver) throws -> T) throws -> T {
        let deriver = try idle.withLock({ $0.derivers.popLast() }) ?? Deriver(key: key)
        defer { idle.withLock { $0.derivers.append(deriver) } }
        return try body(deriver)
    }
}
