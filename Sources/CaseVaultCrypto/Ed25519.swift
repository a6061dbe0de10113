internal import COpenSSL

/// Ed25519 (RFC 8032) one-shot signatures (PureEdDSA: the whole message, no pre-hash).
public enum Ed25519 {
    public static let signatureByteCount = 64

    // Sendable: immutable after init; OpenSSL allows concurrent use of one EVP_PKEY when every call makes
    // its own context, as these do.
    public final class PrivateKey: @unchecked Sendable {
        let key: PKey
        /// The 32-byte seed.
        public let rawRepresentation: SecureBytes
        public let publicKey: PublicKey

        public convenience init() throws {
            try self.init(rawRepresentation: SecureBytes.random(count: 32))
        }

        public init(rawRepresentation: SecureBytes) throws {
            key = try PKey.privateKey(.ed25519, raw: rawRepresentation)
            self.rawRepresentation = rawRepresentation
            publicKey = try PublicKey(rawRepresentation: key.rawPublicKey(.ed25519))
        }

        public func signature<Message: ContiguousBytes>(for message: Message) throws -> [UInt8] {
            let operation = "Ed25519 signing"
            guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL(operation) }
            defer { EVP_MD_CTX_free(ctx) }
            try check(EVP_DigestSignInit(ctx, nil, nil, nil, key.pointer), operation)
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureByteCount)
            var len = signature.count
            let rc = message.withUnsafeBytes { m in
                EVP_DigestSign(ctx, &signature, &len, m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count)
            }
            try check(rc, operation)
            return signature
        }
    }

    // Sendable: immutable after init; OpenSSL allows concurrent use of one EVP_PKEY when every call makes
    // its own context, as these do.
    public final class PublicKey: @unchecked Sendable, Equatable {
        let key: PKey
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation: [UInt8]) throws {
            key = try PKey.publicKey(.ed25519, raw: rawRepresentation)
            self.rawRepresentation = rawRepresentation
        }

        /// True only for a valid signature of exactly `message` by this key.
        public func isValidSignature<Message: ContiguousBytes>(_ signature: [UInt8], for message: Message) -> Bool {
            guard signature.count == Ed25519.signatureByteCount, let ctx = EVP_MD_CTX_new() else { return false }
            defer {
                EVP_MD_CTX_free(ctx)
                ERR_clear_error()
            }
            guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key.pointer) == 1 else { return false }
            let rc = message.withUnsafeBytes { m in
                EVP_DigestVerify(
                    ctx, signature, signature.count, m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count)
            }
            return rc == 1
        }

        public static func == (a: PublicKey, b: PublicKey) -> Bool { a.rawRepresentation == b.rawRepresentation }
    }

    /// A verification context for one key, set up once and used for many signatures, as `openssl speed`
    /// measures them: an auditor's replay checks thousands of signatures by a handful of members, and
    /// setting up a context (`EVP_DigestVerifyInit` fetches the algorithm) for each one was a tenth of the
    /// work. Not `Sendable`: each thread keeps its own.
    public final class Verifier {
        private let ctx: OpaquePointer
        private let key: PublicKey

        public init(_ key: PublicKey) throws {
            guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("Ed25519 verification") }
            guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key.key.pointer) == 1 else {
                EVP_MD_CTX_free(ctx)
                throw CryptoError.openSSL("Ed25519 verification")
            }
            self.ctx = ctx
            self.key = key
        }

        deinit { EVP_MD_CTX_free(ctx) }

        /// True only for a valid signature of exactly `message` by the key.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            isValidSignature(signature, for: message[...])
        }

        /// The same, for a message that is part of a larger buffer (a signed note's text), not copied.
        public func isValidSignature(_ signature: [UInt8], for message: ArraySlice<UInt8>) -> Bool {
            guard signature.count == Ed25519.signatureByteCount else { return false }
            defer { ERR_clear_error() }
            return message.withUnsafeBufferPointer { m in
                EVP_DigestVerify(ctx, signature, signature.count, m.baseAddress, m.count) == 1
            }
        }
    }
}
