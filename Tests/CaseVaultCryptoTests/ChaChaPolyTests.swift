import CaseVaultTestSupport
import Testing

@testable import CaseVaultCrypto

/// ChaCha20-Poly1305 (RFC 8439). Our API has no associated data, so the RFC's own AEAD vectors (which all
/// carry AAD) do not apply; the known answers are Wycheproof `chacha20_poly1305_test.json` cases whose
/// `aad` is empty, covering the empty message, sub-block, exactly-one-block, block-plus-one and
/// multi-block lengths.
@Suite("ChaCha20-Poly1305")
struct ChaChaPolyTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let tcId: Int
        let key: [UInt8]
        let nonce: [UInt8]
        let message: [UInt8]
        let ciphertext: [UInt8]
        let tag: [UInt8]
        var sealed: [UInt8] { ciphertext + tag }
        var testDescription: String { "Wycheproof tcId \(tcId) (\(message.count)-byte message)" }

        init(_ tcId: Int, key: String, iv: String, msg: String, ct: String, tag: String) {
            self.tcId = tcId
            self.key = hex(key)
            self.nonce = hex(iv)
            self.message = hex(msg)
            self.ciphertext = hex(ct)
            self.tag = hex(tag)
        }
    }

    static let vectors: [Vector] = [
        Vector(
            2, key: "80ba3192c803ce965ea371d5ff073cf0f43b6a2ab576b208426e11409c09b9b0", iv: "4da5bf8dfd5852c1ea12379d",
            msg: "", ct: "", tag: "76acb342cf3166a5b63c0c0ea1383c8d"),
        Vector(
            4, key: "cc56b680552eb75008f5484b4cb803fa5063ebd6eab91f6ab6aef4916a766273", iv: "99e23ec48985bccdeeab60f1",
            msg: "2a", ct: "3a", tag: "cac27dec0968801e9f6eded69d807522"),
        Vector(
            34, key: "59d4eafb4de0cfc7d3db99a8f54b15d7b39f0acc8da69763b019c1699f87674a", iv: "2fcb1b38a99e71b84740ad9b",
            msg: "549b365af913f3b081131ccb6b825588", ct: "e9110e9f56ab3ca483500ceabab67a13",
            tag: "836ccabf15a6a22a51c1071cfa68fa0c"),
        Vector(
            68, key: "5155dee9aade1cc61ee7e3f92660f7590f5e5ba82f1b59b850e3fa453d2fa6b3", iv: "c26c4b3bfdb97ee6b0f63ca1",
            msg: "2734e08eff8f5c4f84fa0c207f49c7fd78af1ad5123ff81f83f500edf4eda09edf",
            ct: "f5982b601c7a18fc72a65b218c44974dc564d8314cbe6f87fcf6c6cfbe618b34b1",
            tag: "c43632f55760b5d1ed37556a94d049b5"),
        Vector(
            72, key: "5b1d1035c0b17ee0b0444767f80a25b8c1b741f4b50a4d3052226baa1c6fb701", iv: "d61040a313ed492823cc065b",
            msg: """
                d096803181beef9e008ff85d5ddc38ddacf0f09ee5f7e07f1e4079cb64d0dc8f
                5e6711cd4921a7887de76e2678fdc67618f1185586bfea9d4c685d50e4bb9a82
                """,
            ct: """
                9a4ef22b181677b5755c08f747c0f8d8e8d4c18a9cc2405c12bb51bb1872c8e8
                b877678bec442cfcbb0ff464a64b74332cf072898c7e0eddf6232ea6e27efe50
                """,
            tag: "9ff3427a0f32fa566d9ca0a78aefc013"),
        Vector(
            76, key: "d7addd3889fadf8c893eee14ba2b7ea5bf56b449904869615bd05d5f114cf377", iv: "8a3ad26b28cd13ba6504e260",
            msg: """
                c877a76bf595560772167c6e3bcc705305db9c6fcbeb90f4fea85116038bc53c
                3fa5b4b4ea0de5cc534fbe1cf9ae44824c6c2c0a5c885bd8c3cdc906f1267573
                7e434b983e1e231a52a275db5fb1a0cac6a07b3b7dcb19482a5d3b06a9317a54
                826cea6b36fce452fa9b5475e2aaf25499499d8a8932a19eb987c903bd8502fe
                """,
            ct: """
                294a764c03353f5f4f6e93cd7e977480d6c343071db0b7c1f0db1e95b85e6053
                f0423168a9c7533268db9a194e7665359d14489bc47172a9f21370e89b0bd0e5
                ef9661738de282572bcc3e541247626e57e75dec0f91ac5c530bd1a532718429
                96dcd04d865321b1ecb6e7630114fe780291b8dc3e5d0abc8e65b1c5493e9af0
                """,
            tag: "f2b974ca0f14fb9f92014bff18573cff"),
    ]

    // MARK: Known answers

    @Test("seal produces the vector's ciphertext and tag", arguments: vectors)
    func sealKnownAnswer(_ v: Vector) throws {
        let box = try ChaChaPoly(key: secret(v.key))
        let sealed = try box.seal(secret(v.message), nonce: v.nonce)
        #expect(sealed.count == v.message.count + ChaChaPoly.tagByteCount)
        #expect(sealed.hexString == v.sealed.hexString)
    }

    @Test("open recovers the vector's message", arguments: vectors)
    func openKnownAnswer(_ v: Vector) throws {
        let box = try ChaChaPoly(key: secret(v.key))
        let opened = try #require(try box.open(v.sealed, nonce: v.nonce))
        #expect(opened.unsafeExportedBytes() == v.message)
    }

    @Test("sealing in place (output aliases input) gives the vector", arguments: vectors)
    func sealInPlace(_ v: Vector) throws {
        let box = try ChaChaPoly(key: secret(v.key))
        var buffer = v.message + [UInt8](repeating: 0, count: ChaChaPoly.tagByteCount)
        try v.nonce.withUnsafeBytes { nonce in
            try buffer.withUnsafeMutableBytes { io in
                let plaintext = UnsafeRawBufferPointer(rebasing: io[0..<v.message.count])
                try box.seal(plaintext, nonce: nonce, into: io)
            }
        }
        #expect(buffer == v.sealed)
    }

    @Test("opening in place (output aliases the ciphertext) gives the message", arguments: vectors)
    func openInPlace(_ v: Vector) throws {
        let box = try ChaChaPoly(key: secret(v.key))
        var buffer = v.sealed
        let ok = try v.nonce.withUnsafeBytes { nonce in
            try buffer.withUnsafeMutableBytes { io in try box.open(UnsafeRawBufferPointer(io), nonce: nonce, into: io) }
        }
        #expect(ok)
        #expect(Array(buffer.prefix(v.message.count)) == v.message)
    }

    // MARK: Rejection

    /// The 128-byte vector: every byte of its ciphertext and tag gets a flipped bit.
    static let tamperVector = vectors[5]

    @Test("a flipped bit anywhere in ciphertext or tag is rejected", arguments: 0..<(128 + 16))
    func tamperEveryPosition(_ position: Int) throws {
        let v = Self.tamperVector
        let box = try ChaChaPoly(key: secret(v.key))
        for bit in [UInt8(0x01), 0x80] {
            #expect(try box.open(flippingBit(v.sealed, at: position, bit: bit), nonce: v.nonce) == nil)
        }
    }

    @Test("a tampered tag on the empty message is rejected in every byte position", arguments: 0..<16)
    func tamperEmptyMessageTag(_ position: Int) throws {
        let v = Self.vectors[0]
        let box = try ChaChaPoly(key: secret(v.key))
        #expect(try box.open(flippingBit(v.sealed, at: position), nonce: v.nonce) == nil)
    }

    @Test("the wrong nonce or the wrong key is rejected")
    func wrongNonceOrKey() throws {
        let v = Self.vectors[3]
        let box = try ChaChaPoly(key: secret(v.key))
        #expect(try box.open(v.sealed, nonce: flippingBit(v.nonce, at: 11)) == nil)
        #expect(try box.open(v.sealed, nonce: [UInt8](repeating: 0, count: 12)) == nil)
        let other = try ChaChaPoly(key: secret(flippingBit(v.key, at: 0)))
        #expect(try other.open(v.sealed, nonce: v.nonce) == nil)
    }

    @Test("truncated or extended ciphertexts are rejected")
    func truncation() throws {
        let v = Self.vectors[4]
        let box = try ChaChaPoly(key: secret(v.key))
        #expect(try box.open(Array(v.sealed.dropLast()), nonce: v.nonce) == nil)
        #expect(try box.open(Array(v.sealed.dropFirst()), nonce: v.nonce) == nil)
        #expect(try box.open(Array(v.sealed.prefix(16)), nonce: v.nonce) == nil)
        #expect(try box.open(Array(v.sealed.prefix(15)), nonce: v.nonce) == nil)
        #expect(try box.open([], nonce: v.nonce) == nil)
        #expect(try box.open(v.sealed + [0], nonce: v.nonce) == nil)
    }

    @Test("a failed open wipes whatever was decrypted into the output")
    func outputWipedOnFailure() throws {
        let v = Self.vectors[5]
        let box = try ChaChaPoly(key: secret(v.key))
        let forged = flippingBit(v.sealed, at: v.sealed.count - 1)
        var output = [UInt8](repeating: 0xAA, count: v.message.count)
        let ok = try forged.withUnsafeBytes { c in
            try v.nonce.withUnsafeBytes { n in try output.withUnsafeMutableBytes { try box.open(c, nonce: n, into: $0) }
            }
        }
        #expect(!ok)
        #expect(output == [UInt8](repeating: 0, count: v.message.count))

        // In place: the buffer held ciphertext, was overwritten with plaintext, and must end up zero.
        var buffer = forged
        let okInPlace = try v.nonce.withUnsafeBytes { n in
            try buffer.withUnsafeMutableBytes { io in try box.open(UnsafeRawBufferPointer(io), nonce: n, into: io) }
        }
        #expect(!okInPlace)
        #expect(buffer.prefix(v.message.count).allSatisfy { $0 == 0 })
    }

    @Test("keys and nonces of the wrong length are refused with the expected length in the message")
    func lengthChecks() throws {
        for count in [0, 16, 31, 33] {
            let error = #expect(throws: CryptoError.self) { try ChaChaPoly(key: SecureBytes(zeroedCount: count)) }
            #expect(error?.code == .wrongKeyLength(expected: 32, actual: count))
        }
        let box = try ChaChaPoly(key: SecureBytes(zeroedCount: 32))
        for count in [0, 8, 11, 13, 24] {
            let nonce = [UInt8](repeating: 0, count: count)
            let sealError = #expect(throws: CryptoError.self) { try box.seal(secret([1, 2, 3]), nonce: nonce) }
            #expect(sealError?.code == .wrongNonceLength(expected: 12, actual: nonce.count))
            #expect(throws: CryptoError.self) { try box.open([UInt8](repeating: 0, count: 20), nonce: nonce) }
        }
    }

    // MARK: Reuse of one context

    @Test("one instance keeps working after a rejected message")
    func reuseAfterFailure() throws {
        let v = Self.vectors[3]
        let box = try ChaChaPoly(key: secret(v.key))
        #expect(try box.open(flippingBit(v.sealed, at: 0), nonce: v.nonce) == nil)
        #expect(try box.open(v.sealed, nonce: v.nonce)?.unsafeExportedBytes() == v.message)
        #expect(try box.seal(secret(v.message), nonce: v.nonce) == v.sealed)
        #expect(try box.open(v.sealed, nonce: v.nonce)?.unsafeExportedBytes() == v.message)
    }

    @Test("many nonces on one instance match a fresh instance per message (STREAM pattern)")
    func nonceResetMatchesFreshContext() throws {
        let key = try SecureBytes.random(count: 32)
        let shared = try ChaChaPoly(key: key)
        var previous: [UInt8] = []
        for counter in 0..<300 {
            var nonce = [UInt8](repeating: 0, count: 12)
            nonce[9] = UInt8(counter >> 8)
            nonce[10] = UInt8(counter & 0xFF)
            nonce[11] = counter == 299 ? 1 : 0
            let chunk = secret([UInt8](repeating: UInt8(counter & 0xFF), count: counter % 70))
            let sealed = try shared.seal(chunk, nonce: nonce)
            #expect(sealed == (try ChaChaPoly(key: key).seal(chunk, nonce: nonce)))
            #expect(sealed != previous)
            previous = sealed
            if counter % 3 == 0 {
                #expect(try shared.open(sealed, nonce: nonce)?.constantTimeEquals(chunk) == true)
            }
        }
    }

    @Test("random round trips, including the empty message")
    func roundTrips() throws {
        let box = try ChaChaPoly(key: SecureBytes.random(count: 32))
        for length in [0, 1, 15, 16, 17, 63, 64, 65, 1000, 65536] {
            let message = try SecureBytes.random(count: length)
            let nonce = try SystemRandom.bytes(count: 12)
            let sealed = try box.seal(message, nonce: nonce)
            #expect(sealed.count == length + 16)
            let opened = try #require(try box.open(sealed, nonce: nonce))
            #expect(opened.constantTimeEquals(message))
        }
    }
}
