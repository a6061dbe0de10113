internal import COpenSSL

/// X25519 (RFC 7748) key agreement.
public enum X25519 {
    /// A private scalar; the secret bytes stay in a `SecureBytes`, the key object in an `EVP_PKEY`.
    // Sendable: immutable after init but for `derivers`, behind its Mutex; OpenSSL allows concurrent use of
    // one EVP_PKEY when every thread uses its own context, as these do.
    public final class PrivateKey: @unchecked Sendable {
        let key: PKey
        /// Derivation contexts of this key, reused across agreements (a rewrap makes thousands).
        private let derivers = DeriverPool()
        /// The 32 raw private bytes, as stored in an identity.
        public let rawRepresentation: SecureBytes
        /// The matching public key.
        public let publicKey: PublicKey

        /// A fresh key from the CSPRNG.
        public convenience init() throws {
            try self.init(rawRepresentation: SecureBytes.random(count: 32))
        }

        public init(rawRepresentation: SecureBytes) throws {
            key = try PKey.privateKey(.x25519, raw: rawRepresentation)
            self.rawRepresentation = rawRepresentation
            publicKey = try PublicKey(rawRepresentation: key.rawPublicKey(.x25519))
        }

        /// Refuses an all-zero shared secret (a small-order peer point). OpenSSL 3 refuses it too, inside the
        /// derivation; this check keeps the guarantee ours rather than a library detail, and is tested alone
        /// because OpenSSL's refusal would otherwise hide its absence.
        static func rejectSmallOrder(_ secret: SecureBytes, operation: String) throws {
            if secret.constantTimeEquals(SecureBytes(zeroedCount: secret.count)) {
                throw CryptoError.rejected(operation, .smallOrderPoint)
            }
        }

        /// The shared secret with `peer`. Throws if it is all zeros, which happens exactly when the peer's
        /// point has small order: such a secret carries no contribution from us and must not be used.
        public func sharedSecret(with peer: PublicKey) throws -> SecureBytes {
            try sharedSecret(withRawPeer: peer.rawRepresentation)
        }

        /// The shared secret with the peer whose public key is the 32 bytes `peer` (an age stanza's share),
        /// without making a `PublicKey` for it. Throws as `sharedSecret(with:)` does.
        public func sharedSecret(withRawPeer peer: [UInt8]) throws -> SecureBytes {
            try derivers.withDeriver(of: key) { deriver in
                try peer.withUnsafeBytes { try deriver.sharedSecret(with: $0) }
            }
        }

        /// The shared secret of the private `key` with `peer`, in a context made for this one call (an
        /// ephemeral key, used once).
        static func sharedSecret(of key: PKey, with peer: PublicKey) throws -> SecureBytes {
            let operation = "X25519 key agreement"
            guard let ctx = EVP_PKEY_CTX_new(key.pointer, nil) else { throw CryptoError.openSSL(operation) }
            defer { EVP_PKEY_CTX_free(ctx) }
            try check(EVP_PKEY_derive_init(ctx), operation)
            // Without OpenSSL's separate peer check (a context of its own, and for X25519 it only asks whether a
            // public key is present): the all-zero check below is the one that matters.
            try check(EVP_PKEY_derive_set_peer_ex(ctx, peer.key.pointer, 0), operation)
            return try derive(ctx)
        }

        /// The secret of a context set up for derivation with its peer. Throws if it is all zeros.
        static func derive(_ ctx: OpaquePointer) throws -> SecureBytes {
            let operation = "X25519 key agreement"
            let out = SecureBytes(zeroedCount: 32)
            var len = 32
            let rc = out.withUnsafeMutableBytes {
                EVP_PKEY_derive(ctx, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), &len)
            }
            // OpenSSL 3 refuses an all-zero result itself but only says "failed during derivation"; with two
            // well-formed 32-byte keys that is the one way this call fails, so name the cause first and keep
            // OpenSSL's words after it. The explicit check below keeps the guarantee ours, not a library detail.
            guard rc == 1 else {
                throw CryptoError(
                    operation: operation, code: .smallOrderPoint, openSSLCodes: CryptoError.drainErrorQueue())
            }
            guard len == 32 else { throw CryptoError.rejected(operation, .unexpectedOutputLength) }
            try Self.rejectSmallOrder(out, operation: operation)
            return out
        }
    }

    /// A public point, as 32 raw bytes (u-coordinate, little-endian).
    // Sendable: immutable after init; OpenSSL allows concurrent use of one EVP_PKEY when every call makes
    // its own context, as these do.
    public final class PublicKey: @unchecked Sendable, Equatable {
        let key: PKey
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation: [UInt8]) throws {
            key = try PKey.publicKey(.x25519, raw: rawRepresentation)
            self.rawRepresentation = rawRepresentation
        }

        public static func == (a: PublicKey, b: PublicKey) -> Bool { a.rawRepresentation == b.rawRepresentation }
    }
}
