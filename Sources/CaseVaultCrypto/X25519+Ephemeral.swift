internal import COpenSSL
import Synchronization

extension X25519 {
    /// A fresh ephemeral key's public share and its shared secret with `peer`, as an age X25519 stanza
    /// needs them. The private key is made by OpenSSL's key generator and never leaves its `EVP_PKEY`
    /// (freed, and wiped by OpenSSL, on return); it is never imported from raw bytes, which in OpenSSL 3
    /// looks up the key type's implementation on every call: for a batch of small files, each with two
    /// stanzas, that lookup was 7% of the CPU. Throws, as `PrivateKey.sharedSecret` does, on an all-zero
    /// secret (`peer` of small order).
    public static func ephemeralAgreement(with peer: PublicKey) throws -> (share: [UInt8], secret: SecureBytes) {
        let generator = try KeyGenerator.take()
        defer { KeyGenerator.giveBack(generator) }
        let key = try generator.generate()
        return (try key.rawPublicKey(.x25519), try PrivateKey.sharedSecret(of: key, with: peer))
    }
}

/// Owns one `EVP_PKEY_CTX` initialised for X25519 key generation, reused for many keys. A context is not
/// for concurrent use: each thread takes one from the pool, and puts it back after one key.
final class KeyGenerator {
    private let context: OpaquePointer

    private init() throws {
        let operation = "X25519 key generation"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "X25519", nil) else {
            throw CryptoError.openSSL(operation)
        }
        self.context = context
        try check(EVP_PKEY_keygen_init(context), operation)
    }

    deinit { EVP_PKEY_CTX_free(context) }

    /// A new key pair from OpenSSL's CSPRNG.
    func generate() throws -> PKey {
        var made: OpaquePointer?
        try check(EVP_PKEY_keygen(context, &made), "X25519 key generation")
        guard let made else { throw CryptoError.openSSL("X25519 key generation") }
        return PKey(made)
    }

    /// Idle contexts, at most one per thread that has made a key at once (two per core at most in practice).
    // Sendable: a context in the pool is used by nobody; the Mutex hands each to one thread at a time.
    private struct Idle: @unchecked Sendable { var contexts: [KeyGenerator] = [] }
    private static let pool = Mutex(Idle())

    static func take() throws -> KeyGenerator {
        if let idle = pool.withLock({ $0.contexts.popLast() }) { return idle }
        return try KeyGenerator()
    }

    static func giveBack(_ generator: KeyGenerator) { pool.withLock { $0.contexts.append(generator) } }
}
