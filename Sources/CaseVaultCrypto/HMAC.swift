internal import COpenSSL

/// Streaming HMAC-SHA-256 (RFC 2104) over OpenSSL's EVP_MAC. One instance owns one `EVP_MAC_CTX`.
public final class HMACSHA256 {
    public static let outputByteCount = 32
    private let ctx: OpaquePointer

    public init(key: SecureBytes) throws {
        let made = key.withUnsafeBytes { k in
            let bytes = k.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return FetchedHMAC.sha256.map { cv_hmac_sha256_from($0.pointer, bytes, k.count) }
                ?? cv_hmac_sha256_new(bytes, k.count)
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
                        let ikmBytes = ikm.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        let saltBytes = s.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        let infoBytes = i.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        let outBytes = o.baseAddress?.assumingMemoryBound(to: UInt8.self)
                        guard let kdf = FetchedHKDF.algorithm else {
                            return cv_hkdf_sha256(
                                ikmBytes, ikm.count, saltBytes, s.count, infoBytes, i.count, outBytes, o.count)
                        }
                        return cv_hkdf_sha256_with(
                            kdf.pointer, ikmBytes, ikm.count, saltBytes, s.count, infoBytes, i.count, outBytes, o.count)
                    }
                }
            }
        }
        try check(rc, "HKDF-SHA-256")
        return out
    }
}

/// An HMAC-SHA-256 context without a key, set up once per process and copied for each MAC.
private final class FetchedHMAC: Sendable {
    // Sendable: only ever copied (EVP_MAC_CTX_dup reads it), never changed after init.
    nonisolated(unsafe) let pointer: OpaquePointer

    static let sha256 = FetchedHMAC()

    private init?() {
        guard let made = cv_hmac_sha256_template() else { return nil }
        pointer = made
    }

    deinit { EVP_MAC_CTX_free(pointer) }
}

/// The HKDF `EVP_KDF`, fetched once per process.
private final class FetchedHKDF: Sendable {
    // Sendable: a fetched EVP_KDF is immutable and OpenSSL allows sharing it between threads.
    nonisolated(unsafe) let pointer: OpaquePointer

    static let algorithm = FetchedHKDF()

    private init?() {
        guard let fetched = EVP_KDF_fetch(nil, "HKDF", nil) else { return nil }
        pointer = fetched
    }

    deinit { EVP_KDF_free(pointer) }
}
