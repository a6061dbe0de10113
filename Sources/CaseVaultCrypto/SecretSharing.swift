/// Shamir's K-of-N secret sharing over GF(256), byte by byte: each byte of the secret is the constant term
/// of its own random polynomial of degree K-1, and share i holds every polynomial's value at x = i
/// (1…255). Any K shares give the secret back by Lagrange interpolation at x = 0; fewer reveal nothing
/// about it. The field is AES's: GF(2)[x] modulo x^8 + x^4 + x^3 + x + 1 (0x11B).
///
/// This is the scheme itself, not a cipher: its only randomness is the polynomial coefficients, which come
/// from OpenSSL's RAND (`SecureBytes.random`). The arithmetic on secret values neither branches on them nor
/// indexes a table with them (multiplication is shift-and-xor under masks), and every buffer that holds a
/// coefficient, a share value or the secret is zeroizing secret storage.
public enum SecretSharing {
    /// One share: its x coordinate (1…255, not secret) and the polynomials' values there (secret).
    public struct Share: Sendable {
        public let index: UInt8
        public let value: SecureBytes

        public init(index: UInt8, value: SecureBytes) {
            self.index = index
            self.value = value
        }
    }

    /// Splits `secret` into `count` shares, any `threshold` of which recover it (2 ≤ threshold ≤ count ≤ 255).
    public static func split(_ secret: SecureBytes, threshold: Int, count: Int) throws -> [Share] {
        guard threshold >= 2, threshold <= 255 else {
            throw CryptoError.rejected("secret sharing", .outOfRange(value: threshold, allowed: 2...255))
        }
        guard count >= threshold, count <= 255 else {
            throw CryptoError.rejected("secret sharing", .outOfRange(value: count, allowed: threshold...255))
        }
        let length = secret.count
        // Coefficients 1…K-1 of every byte's polynomial, byte-major: coefficients[j * (K-1) + (d-1)].
        let coefficients = try SecureBytes.random(count: length * (threshold - 1))
        return (1...count).map { x in
            let value = SecureBytes(zeroedCount: length)
            secret.withUnsafeBytes { s in
                coefficients.withUnsafeBytes { c in
                    value.withUnsafeMutableBytes { out in
                        for j in 0..<length {
                            // Horner from the highest coefficient down to the secret byte.
                            var y: UInt8 = 0
                            for d in stride(from: threshold - 1, through: 1, by: -1) {
                                y = GF256.multiply(y, UInt8(x)) ^ c[j * (threshold - 1) + d - 1]
                            }
                            out[j] = GF256.multiply(y, UInt8(x)) ^ s[j]
                        }
                    }
                }
            }
            return Share(index: UInt8(x), value: value)
        }
    }

    /// The secret that `shares` (at least the threshold, all of one split) interpolate at x = 0. Shares must
    /// have distinct non-zero indexes and values of one length. Shares of different splits, or too few, give
    /// a wrong value, not an error: the caller checks the result against something public (a key).
    public static func combine(_ shares: [Share]) throws -> SecureBytes {
        guard let length = shares.first?.value.count, shares.count >= 2 else {
            throw CryptoError.rejected("secret sharing", .outOfRange(value: shares.count, allowed: 2...255))
        }
        let indexes = shares.map(\.index)
        guard !indexes.contains(0), Set(indexes).count == indexes.count, shares.allSatisfy({ $0.value.count == length })
        else { throw CryptoError.rejected("secret sharing", .unsupportedParameters("share indexes or lengths")) }
        // The Lagrange basis at 0 depends on the indexes only, which are public.
        let basis = indexes.indices.map { i in
            indexes.indices.reduce(UInt8(1)) { product, j in
                i == j ? product : GF256.multiply(product, GF256.divide(indexes[j], indexes[j] ^ indexes[i]))
            }
        }
        let secret = SecureBytes(zeroedCount: length)
        secret.withUnsafeMutableBytes { out in
            for (share, weight) in zip(shares, basis) {
                share.value.withUnsafeBytes { y in
                    for j in 0..<length { out[j] ^= GF256.multiply(y[j], weight) }
                }
            }
        }
        return secret
    }
}

/// Arithmetic in GF(2^8) modulo 0x11B, in constant time.
public enum GF256 {
    /// a·b: eight rounds of shift-and-xor; which of them add `a`, and whether a shift reduces, is decided by
    /// masks, never by a branch.
    @inline(__always)
    public static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a
        var b = b
        var product: UInt8 = 0
        for _ in 0..<8 {
            product ^= a & (0 &- (b & 1))
            let carry = 0 &- (a >> 7)
            a = (a << 1) ^ (0x1B & carry)
            b >>= 1
        }
        return product
    }

    /// a^-1 = a^254 (0 for 0), by a fixed chain of squarings and multiplications.
    public static func inverse(_ a: UInt8) -> UInt8 {
        var result: UInt8 = 1
        var power = a
        // 254 = 0b11111110: every power a^2, a^4, …, a^128 is multiplied in.
        for _ in 0..<7 {
            power = multiply(power, power)
            result = multiply(result, power)
        }
        return result
    }

    public static func divide(_ a: UInt8, _ b: UInt8) -> UInt8 { multiply(a, inverse(b)) }
}
