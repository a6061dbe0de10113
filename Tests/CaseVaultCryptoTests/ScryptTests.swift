import CaseVaultTestSupport
import Testing

@testable import CaseVaultCrypto

/// scrypt against RFC 7914 §12, and the work-factor limits that stop a hostile file from exhausting memory.
@Suite("scrypt")
struct ScryptTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let password: String
        let salt: String
        let logN: Int
        let r: UInt32
        let p: UInt32
        let output: String
        var testDescription: String { "RFC 7914 (\"\(password)\", \"\(salt)\", N=2^\(logN), r=\(r), p=\(p))" }
    }

    // The third and fourth RFC vectors (N = 16384 and 2^20) are left out to keep the suite fast; the second
    // already exercises r = 8 and p = 16.
    static let vectors: [Vector] = [
        Vector(
            password: "", salt: "", logN: 4, r: 1, p: 1,
            output: "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"),
        Vector(
            password: "password", salt: "NaCl", logN: 10, r: 8, p: 16,
            output: "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"),
    ]

    @Test("derived key matches", arguments: vectors)
    func knownAnswer(_ v: Vector) throws {
        let key = try Scrypt.deriveKey(
            password: secret(ascii(v.password)), salt: ascii(v.salt), logN: v.logN, r: v.r, p: v.p,
            outputByteCount: 64)
        #expect(key.count == 64)
        #expect(key.hexString == v.output)
    }

    @Test("a shorter output is a prefix of the longer one (PBKDF2 output stage)")
    func shorterOutput() throws {
        let v = Self.vectors[0]
        let key = try Scrypt.deriveKey(password: secret([]), salt: [UInt8](), logN: 4, r: 1, p: 1, outputByteCount: 32)
        #expect(key.hexString == String(v.output.prefix(64)))
    }

    @Test("age's parameters (r = 8, p = 1, 32 bytes) are the defaults")
    func defaults() throws {
        let password = secret(ascii("password"))
        let salt = ascii("NaCl")
        let implicit = try Scrypt.deriveKey(password: password, salt: salt, logN: 5)
        let explicit = try Scrypt.deriveKey(password: password, salt: salt, logN: 5, r: 8, p: 1, outputByteCount: 32)
        #expect(implicit.count == 32)
        #expect(implicit.constantTimeEquals(explicit))
        let otherSalt = try Scrypt.deriveKey(password: password, salt: ascii("NaCm"), logN: 5)
        #expect(!implicit.constantTimeEquals(otherSalt))
    }

    // MARK: Work-factor limits

    @Test("the built-in ceiling is 22, as in age")
    func ceiling() {
        #expect(Scrypt.maximumLogN == 22)
    }

    /// Each of these would need gigabytes (or wrap the shift) if it reached OpenSSL; all must be refused
    /// before any memory is committed, so the call returns at once.
    @Test("a work factor above the ceiling throws before deriving", arguments: [23, 24, 40, 63, 64, Int.max])
    func aboveCeiling(_ logN: Int) throws {
        let clock = ContinuousClock()
        var error: CryptoError?
        let elapsed = clock.measure {
            error = #expect(throws: CryptoError.self) {
                try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: logN)
            }
        }
        #expect(elapsed < .milliseconds(500))
        #expect(error?.code == .outOfRange(value: logN, allowed: 1...22))
    }

    @Test("a caller's lower cap is honoured and reported")
    func callerCap() throws {
        let clock = ContinuousClock()
        var error: CryptoError?
        let elapsed = clock.measure {
            error = #expect(throws: CryptoError.self) {
                try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 18, maximumLogN: 16)
            }
        }
        #expect(elapsed < .milliseconds(500))
        #expect(error?.code == .outOfRange(value: 18, allowed: 1...16))
        // At the cap itself the derivation runs.
        let key = try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 4, maximumLogN: 4)
        #expect(key.count == 32)
    }

    @Test("a caller's cap cannot raise the ceiling")
    func capCannotRaiseCeiling() throws {
        let error = #expect(throws: CryptoError.self) {
            try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 23, maximumLogN: 30)
        }
        #expect(error?.code == .outOfRange(value: 23, allowed: 1...22))
    }

    @Test("work factors below 1 are refused", arguments: [0, -1, Int.min])
    func belowOne(_ logN: Int) throws {
        #expect(throws: CryptoError.self) {
            try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: logN)
        }
    }

    static let outOfRangeBlockSizeAndParallelism: [(UInt32, UInt32)] = [
        (0, 1), (1, 0), (33, 1), (1, 17), (.max, 1), (1, .max),
    ]

    @Test("r and p outside the supported range are refused", arguments: outOfRangeBlockSizeAndParallelism)
    func blockSizeAndParallelism(_ r: UInt32, _ p: UInt32) throws {
        let error = #expect(throws: CryptoError.self) {
            try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 4, r: r, p: p)
        }
        #expect(error?.code == .unsupportedParameters("r=\(r), p=\(p)"))
    }

    @Test("the largest r and p accepted still derive")
    func largestBlockSizeAndParallelism() throws {
        let key = try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 1, r: 32, p: 16)
        #expect(key.count == 32)
    }

    @Test("a refusal leaves OpenSSL's error queue empty for the next call")
    func queueDrained() throws {
        #expect(throws: CryptoError.self) {
            try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 0)
        }
        #expect(CryptoError.drainErrorQueue().isEmpty)
    }
}
