internal import COpenSSL

/// scrypt (RFC 7914), with the cost checked before any memory is committed.
public enum Scrypt {
    /// The largest log2(N) we will ever derive with. At r = 8 scrypt needs 128·r·N bytes, so 22 means
    /// 4 GiB; age caps decryption at the same value, so every file age makes still opens here.
    public static let maximumLogN = 22

    /// Derives `outputByteCount` bytes. `logN` must be in 1...maximumLogN (or a lower caller cap).
    public static func deriveKey<Salt: ContiguousBytes>(
        password: SecureBytes, salt: Salt, logN: Int, r: UInt32 = 8, p: UInt32 = 1, outputByteCount: Int = 32,
        maximumLogN cap: Int = Scrypt.maximumLogN
    ) throws -> SecureBytes {
        let operation = "scrypt key derivation"
        guard logN >= 1, logN <= min(cap, Scrypt.maximumLogN) else {
            throw CryptoError.rejected(operation, .outOfRange(value: logN, allowed: 1...min(cap, Scrypt.maximumLogN)))
        }
        guard r >= 1, p >= 1, r <= 32, p <= 16 else {
            throw CryptoError.rejected(operation, .unsupportedParameters("r=\(r), p=\(p)"))
        }
        let n = UInt64(1) << UInt64(logN)
        // OpenSSL needs 128·r·(N+2) bytes for V plus 128·r·p for B; allow exactly that plus slack, so the
        // library's own ceiling matches the cap we checked above.
        let maxmem = 128 * UInt64(r) * (n + 2) + 128 * UInt64(r) * UInt64(p) + (1 << 20)
        let out = SecureBytes(zeroedCount: outputByteCount)
        let rc: Int32 = password.withUnsafeBytes { pw in
            salt.withUnsafeBytes { s in
                out.withUnsafeMutableBytes { o in
                    cv_scrypt(
                        pw.baseAddress?.assumingMemoryBound(to: UInt8.self), pw.count,
                        s.baseAddress?.assumingMemoryBound(to: UInt8.self), s.count,
                        n, r, p, maxmem,
                        o.baseAddress?.assumingMemoryBound(to: UInt8.self), o.count)
                }
            }
        }
        try check(rc, operation)
        return out
    }
}
