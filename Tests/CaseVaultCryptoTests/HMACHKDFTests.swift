import CaseVaultTestSupport
import Testing

@testable import CaseVaultCrypto

/// HMAC-SHA-256 against RFC 4231 §4 (test cases 1–7).
@Suite("HMAC-SHA-256")
struct HMACTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let testCase: Int
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var testDescription: String { "RFC 4231 test case \(testCase)" }
    }

    static let vectors: [Vector] = [
        Vector(
            testCase: 1, key: [UInt8](repeating: 0x0b, count: 20), data: ascii("Hi There"),
            mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(
            testCase: 2, key: ascii("Jefe"), data: ascii("what do ya want for nothing?"),
            mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(
            testCase: 3, key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
            mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(
            testCase: 4, key: hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
            data: [UInt8](repeating: 0xcd, count: 50),
            mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(
            testCase: 6, key: [UInt8](repeating: 0xaa, count: 131),
            data: ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
            mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(
            testCase: 7, key: [UInt8](repeating: 0xaa, count: 131),
            data: ascii(
                "This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm."),
            mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test("one-shot MAC matches", arguments: vectors)
    func oneShot(_ vector: Vector) throws {
        let mac = try HMACSHA256.authenticate(vector.data, key: secret(vector.key))
        #expect(mac.count == HMACSHA256.outputByteCount)
        #expect(mac.hexString == vector.mac)
    }

    @Test("streaming byte by byte matches", arguments: vectors)
    func streaming(_ vector: Vector) throws {
        let mac = try HMACSHA256(key: secret(vector.key))
        for index in vector.data.indices {
            try mac.update(vector.data[index...index])
        }
        #expect(try mac.finalize().hexString == vector.mac)
    }

    @Test("test case 5: the output truncated to 128 bits")
    func truncation() throws {
        let mac = try HMACSHA256.authenticate(
            ascii("Test With Truncation"), key: secret([UInt8](repeating: 0x0c, count: 20)))
        #expect(Array(mac.prefix(16)).hexString == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test("an empty key and empty message give the standard value, not an error")
    func emptyKey() throws {
        let mac = try HMACSHA256.authenticate([UInt8](), key: SecureBytes(zeroedCount: 0))
        #expect(mac.hexString == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("a one-bit change to key or message changes the MAC")
    func sensitivity() throws {
        let vector = Self.vectors[1]
        let good = try HMACSHA256.authenticate(vector.data, key: secret(vector.key))
        let otherKey = try HMACSHA256.authenticate(vector.data, key: secret(flippingBit(vector.key, at: 0)))
        let otherData = try HMACSHA256.authenticate(
            flippingBit(vector.data, at: vector.data.count - 1), key: secret(vector.key))
        #expect(good != otherKey)
        #expect(good != otherData)
    }
}

/// HKDF-SHA-256 against RFC 5869 appendix A.1–A.3.
@Suite("HKDF-SHA-256")
struct HKDFTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let testCase: Int
        let ikm: [UInt8]
        let salt: [UInt8]
        let info: [UInt8]
        let okm: String
        var testDescription: String { "RFC 5869 test case \(testCase)" }
    }

    static let vectors: [Vector] = [
        Vector(
            testCase: 1, ikm: [UInt8](repeating: 0x0b, count: 22), salt: hex("000102030405060708090a0b0c"),
            info: hex("f0f1f2f3f4f5f6f7f8f9"),
            okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Vector(
            testCase: 2, ikm: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff),
            okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        // Zero-length salt and info: the salt must become HashLen zero bytes, not be "absent".
        Vector(
            testCase: 3, ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [],
            okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ]

    @Test("derived key matches", arguments: vectors)
    func derive(_ vector: Vector) throws {
        let okm = try HKDF.deriveKey(
            inputKey: secret(vector.ikm), salt: vector.salt, info: vector.info, outputByteCount: vector.okm.count / 2)
        #expect(okm.count == vector.okm.count / 2)
        #expect(okm.hexString == vector.okm)
    }

    @Test("a shorter output is a prefix of the longer one", arguments: vectors)
    func prefix(_ vector: Vector) throws {
        let short = try HKDF.deriveKey(
            inputKey: secret(vector.ikm), salt: vector.salt, info: vector.info, outputByteCount: 1)
        #expect(short.hexString == String(vector.okm.prefix(2)))
    }

    @Test("a SecureBytes salt is accepted like an array salt")
    func secureSalt() throws {
        let vector = Self.vectors[0]
        let okm = try HKDF.deriveKey(
            inputKey: secret(vector.ikm), salt: secret(vector.salt), info: vector.info, outputByteCount: 42)
        #expect(okm.hexString == vector.okm)
    }

    @Test("empty input key material is valid input (RFC 5869 puts no lower bound on it)")
    func emptyIKM() throws {
        let okm = try HKDF.deriveKey(
            inputKey: SecureBytes(zeroedCount: 0), salt: [UInt8](), info: [UInt8](), outputByteCount: 32)
        #expect(okm.hexString == "eb70f01dede9afafa449eee1b1286504e1f62388b3f7dd4f956697b0e828fe18")
    }

    @Test("output lengths outside 1...255·HashLen are refused with the range in the message", arguments: [0, -1, 8161])
    func lengthLimits(_ length: Int) throws {
        let error = #expect(throws: CryptoError.self) {
            try HKDF.deriveKey(inputKey: secret([1, 2, 3]), salt: [UInt8](), info: [UInt8](), outputByteCount: length)
        }
        #expect(error?.operation == "HKDF-SHA-256")
        #expect(error?.code == .outOfRange(value: length, allowed: 1...8160))
    }

    @Test("the largest allowed output, 255·HashLen bytes, is produced")
    func maximumLength() throws {
        let okm = try HKDF.deriveKey(
            inputKey: secret([1, 2, 3]), salt: [UInt8](), info: [UInt8](), outputByteCount: 8160)
        #expect(okm.count == 8160)
        #expect(!okm.constantTimeEquals(SecureBytes(zeroedCount: 8160)))
    }
}
