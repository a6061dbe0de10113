internal import COpenSSL

/// ChaCha20-Poly1305 (RFC 8439) with a fixed key and a per-message nonce. One instance owns one
/// `EVP_CIPHER_CTX`; the key schedule is set once, and each message only resets the nonce, which is what
/// makes STREAM over thousands of 64 KiB chunks fast.
public final class ChaChaPoly {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    private let ctx: OpaquePointer
    private var mode: Int32 = -1

    private let key: SecureBytes

    public init(key: SecureBytes) throws {
        guard key.count == Self.keyByteCount else {
            throw CryptoError.rejected("ChaCha20-Poly1305 key setup", .wrongKeyLength(expected: 32, actual: key.count))
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("ChaCha20-Poly1305 context allocation") }
        self.ctx = ctx
        self.key = key
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    private func start(encrypt: Bool, nonce: UnsafeRawBufferPointer) throws {
        guard nonce.count == Self.nonceByteCount else {
            throw CryptoError.rejected("ChaCha20-Poly1305", .wrongNonceLength(expected: 12, actual: nonce.count))
        }
        let enc: Int32 = encrypt ? 1 : 0
        let iv = nonce.baseAddress?.assumingMemoryBound(to: UInt8.self)
        if mode != enc {
            let rc = key.withUnsafeBytes {
                EVP_CipherInit_ex2(
                    ctx, FetchedCipher.chaCha20Poly1305?.pointer ?? EVP_chacha20_poly1305(),
                    $0.baseAddress?.assumingMemoryBound(to: UInt8.self), iv, enc, nil)
            }
            try check(rc, "ChaCha20-Poly1305 initialisation")
            mode = enc
        } else {
            try check(EVP_CipherInit_ex2(ctx, nil, nil, iv, enc, nil), "ChaCha20-Poly1305 nonce setup")
        }
    }

    /// Encrypts `plaintext` into `output`, which must hold `plaintext.count + 16` bytes (ciphertext || tag).
    /// `output` may alias `plaintext` exactly (in-place encryption).
    public func seal(
        _ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(output.count >= plaintext.count + Self.tagByteCount)
        guard plaintext.count <= Int(Int32.max) else {
            throw CryptoError.rejected("ChaCha20-Poly1305", .messageTooLong)
        }
        try start(encrypt: true, nonce: nonce)
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var len: Int32 = 0
        if plaintext.count > 0 {
            try check(
                EVP_EncryptUpdate(
                    ctx, out, &len, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)),
                "ChaCha20-Poly1305 encryption")
        }
        var tail: Int32 = 0
        try check(EVP_EncryptFinal_ex(ctx, out + Int(len), &tail), "ChaCha20-Poly1305 encryption")
        try check(cv_aead_get_tag(ctx, out + plaintext.count, Int32(Self.tagByteCount)), "ChaCha20-Poly1305 tag")
    }

    /// Decrypts `ciphertext` (which ends with its 16-byte tag) into `output` (at least `ciphertext.count - 16`
    /// bytes). Returns false, and wipes `output`, when the tag does not verify: the caller must treat the
    /// output as absent then. `output` may alias the start of `ciphertext`.
    public func open(
        _ ciphertext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws -> Bool {
        guard nonce.count == Self.nonceByteCount else {
            throw CryptoError.rejected("ChaCha20-Poly1305", .wrongNonceLength(expected: 12, actual: nonce.count))
        }
        // Too short to hold a tag: it cannot verify, which is the same answer as a bad tag.
        guard ciphertext.count >= Self.tagByteCount else { return false }
        let bodyCount = ciphertext.count - Self.tagByteCount
        precondition(output.count >= bodyCount)
        guard bodyCount <= Int(Int32.max) else { throw CryptoError.rejected("ChaCha20-Poly1305", .messageTooLong) }
        try start(encrypt: false, nonce: nonce)
        // The tag is copied out first so that decrypting in place can never overwrite it before it is set.
        var tag = [UInt8](repeating: 0, count: Self.tagByteCount)
        tag.withUnsafeMutableBytes {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: ciphertext[bodyCount...]))
        }
        try check(cv_aead_set_tag(ctx, tag, Int32(Self.tagByteCount)), "ChaCha20-Poly1305 tag")
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var len: Int32 = 0
        if bodyCount > 0 {
            try check(
                EVP_DecryptUpdate(
                    ctx, out, &len, ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(bodyCount)),
                "ChaCha20-Poly1305 decryption")
        }
        var tail: Int32 = 0
        let ok = EVP_DecryptFinal_ex(ctx, out + Int(len), &tail) == 1
        if !ok {
            ERR_clear_error()
            ConstantTime.wipe(UnsafeMutableRawBufferPointer(rebasing: output[0..<bodyCount]))
        }
        return ok
    }

    /// One-shot seal of a small message (age stanza bodies): ciphertext || tag.
    public func seal(_ plaintext: SecureBytes, nonce: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + Self.tagByteCount)
        try plaintext.withUnsafeBytes { p in
            try nonce.withUnsafeBytes { n in try out.withUnsafeMutableBytes { o in try seal(p, nonce: n, into: o) } }
        }
        return out
    }

    /// One-shot open of a small message into secret storage; nil when the tag does not verify.
    public func open(_ ciphertext: [UInt8], nonce: [UInt8]) throws -> SecureBytes? {
        guard ciphertext.count >= Self.tagByteCount else { return nil }
        let out = SecureBytes(zeroedCount: ciphertext.count - Self.tagByteCount)
        let ok = try ciphertext.withUnsafeBytes { c in
            try nonce.withUnsafeBytes { n in try out.withUnsafeMutableBytes { o in try open(c, nonce: n, into: o) } }
        }
        return ok ? out : nil
    }
}

/// The ChaCha20-Poly1305 `EVP_CIPHER`, fetched once per process: the legacy `EVP_chacha20_poly1305()` is looked
/// up again at every initialisation (an implicit fetch, with locks), and an age header opens or seals a stanza
/// body with a fresh context each time.
private final class FetchedCipher: Sendable {
    // Sendable: a fetched EVP_CIPHER is immutable and OpenSSL allows sharing it between threads.
    nonisolated(unsafe) let pointer: OpaquePointer

    static let chaCha20Poly1305 = FetchedCipher("ChaCha20-Poly1305")

    private init?(_ name: String) {
        guard let fetched = EVP_CIPHER_fetch(nil, name, nil) else { return nil }
        pointer = fetched
    }

    deinit { EVP_CIPHER_free(pointer) }
}
