internal import COpenSSL

/// Streaming HMAC-SHA-256 (RFC 2104) over OpenSSL's EVP_MAC. One instance owns one `EVP_MAC_CTX`.
public final class HMACSHA256 {
    public static let outputByteCount = 32
    private let ctx: OpaquePointer

    public init(key: SecureBytes) throws {
        let made = key.withUnsafeBytes {
            cv_hmac_sha256_new($0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count)
        }
        guard let made else { throw CryptoError.openSSL("HMAC-SHA-256 initialisation") }
        ctx = made
    }

    deinit { EVP_MAC_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try check(
            EVP_MAC_update(ctx, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count),
            "HMAC-SHA-256 update")
    }

    public func update<Bytes: ContiguousBytes>(_ bytes: Bytes) throws {
        try bytes.withUnsafeBytes { (b: UnsafeRawBufferPointer) in try update(b) }
    }

    public func finalize() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.outputByteCount)
        var len = 0
        try check(EVP_MAC_final(ctx, &out, &len, out.count), "HMAC-SHA-256 finalisation")
        return out
    }

    public static func authenticate<Bytes: ContiguousBytes>(_ bytes: Bytes, key: SecureBytes) throws
        -> [UInt8]
    {
        let mac = try HMACSHA256(key: key)
        try mac.update(bytes)
        return try mac.finalize()
    }
}

/// HKDF-SHA-256 (RFC 5869).
public enum HKDF {
    public static func deriveKey<Salt: ContiguousBytes, Info: ContiguousBytes>(
        inputKey: SecureBytes, salt: Salt, info: Info, outputByteCount: Int
    ) throws -> SecureBytes {
        guard outputByteCount > 0, outputByteCount <= 255 * 32 else {
            throw CryptoError.rejected("HKDF-SHA-256", .outOfRange(value: outputByteCount, allowed: 1...255 * 32))
        }
        let out = SecureBytes(zeroedCount: outputByteCount)
        let rc: Int32 = inputKey.withUnsafeBytes { ikm in
            salt.withUnsafeBytes { s in
                info.withUnsafeBytes { i in
                    out.withUnsafeMutableBytes { o in
                        cv_hkdf_sha256(
                            ikm.baseAddress?.assumingMemoryBound(to: UInt8.self), ikm.count,
                            s.baseAddress?.assumingMemoryBound(to: UInt8.self), s.count,
                            i.baseAddress?.assumingMemoryBound(to: UInt8.self), i.count,
                            o.baseAddress?.assumingMemoryBound(to: UInt8.self), o.count)
                    }
                }
            }
        }
        try check(rc, "HKDF-SHA-256")
        return out
    }
}
