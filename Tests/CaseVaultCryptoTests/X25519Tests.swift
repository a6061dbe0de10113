import CaseVaultTestSupport
import Testing

@testable import CaseVaultCrypto

/// X25519 against RFC 7748 §5.2 and §6.1, plus the small-order points that age and libsodium refuse.
@Suite("X25519")
struct X25519Tests {
    struct ScalarMult: Sendable, CustomTestStringConvertible {
        let name: String
        let scalar: String
        let u: String
        let output: String
        var testDescription: String { name }
    }

    static let scalarMultVectors: [ScalarMult] = [
        ScalarMult(
            name: "RFC 7748 §5.2 vector 1",
            scalar: "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            u: "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            output: "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
        // The u-coordinate has its top bit set: RFC 7748 says to ignore it, and this vector checks that we do.
        ScalarMult(
            name: "RFC 7748 §5.2 vector 2 (top bit of u set)",
            scalar: "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            u: "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            output: "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
    ]

    static func multiply(_ scalar: [UInt8], _ u: [UInt8]) throws -> [UInt8] {
        let key = try X25519.PrivateKey(rawRepresentation: secret(scalar))
        return try key.sharedSecret(with: X25519.PublicKey(rawRepresentation: u)).unsafeExportedBytes()
    }

    @Test("scalar multiplication matches", arguments: scalarMultVectors)
    func scalarMult(_ v: ScalarMult) throws {
        #expect(try Self.multiply(hex(v.scalar), hex(v.u)).hexString == v.output)
    }

    @Test("RFC 7748 §5.2 iterated function: 1 and 1000 iterations")
    func iterated() throws {
        var k = hex("0900000000000000000000000000000000000000000000000000000000000000")
        var u = k
        for iteration in 1...1000 {
            (k, u) = (try Self.multiply(k, u), k)
            if iteration == 1 {
                #expect(k.hexString == "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")
            }
        }
        #expect(k.hexString == "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")
    }

    // RFC 7748 §6.1.
    static let alicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
    static let alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    static let bobPrivate = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
    static let bobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    static let sharedSecret = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

    @Test("RFC 7748 §6.1: public keys derived from the private keys")
    func publicKeyDerivation() throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alicePrivate)))
        let bob = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.bobPrivate)))
        #expect(alice.publicKey.rawRepresentation.hexString == Self.alicePublic)
        #expect(bob.publicKey.rawRepresentation.hexString == Self.bobPublic)
        #expect(alice.rawRepresentation.hexString == Self.alicePrivate)
        #expect(alice.publicKey == (try X25519.PublicKey(rawRepresentation: hex(Self.alicePublic))))
        #expect(alice.publicKey != bob.publicKey)
    }

    @Test("RFC 7748 §6.1: both sides compute the same shared secret")
    func diffieHellman() throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alicePrivate)))
        let bob = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.bobPrivate)))
        let fromAlice = try alice.sharedSecret(with: X25519.PublicKey(rawRepresentation: hex(Self.bobPublic)))
        let fromBob = try bob.sharedSecret(with: X25519.PublicKey(rawRepresentation: hex(Self.alicePublic)))
        #expect(fromAlice.hexString == Self.sharedSecret)
        #expect(fromBob.hexString == Self.sharedSecret)
        #expect(fromAlice.constantTimeEquals(fromBob))
    }

    @Test("fresh keys agree with each other and differ from one another")
    func freshKeys() throws {
        let a = try X25519.PrivateKey()
        let b = try X25519.PrivateKey()
        #expect(a.publicKey != b.publicKey)
        #expect(!a.rawRepresentation.constantTimeEquals(b.rawRepresentation))
        #expect(try a.sharedSecret(with: b.publicKey).constantTimeEquals(b.sharedSecret(with: a.publicKey)))
    }

    @Test("an ephemeral agreement: the peer finds the same secret from the share, and every share is new")
    func ephemeralAgreement() throws {
        let recipient = try X25519.PrivateKey()
        var shares: Set<[UInt8]> = []
        for _ in 0..<20 {
            let (share, secret) = try X25519.ephemeralAgreement(with: recipient.publicKey)
            #expect(share.count == 32 && secret.count == 32)
            let fromRecipient = try recipient.sharedSecret(with: X25519.PublicKey(rawRepresentation: share))
            #expect(fromRecipient.constantTimeEquals(secret))
            shares.insert(share)
        }
        #expect(shares.count == 20)
    }

    @Test("an ephemeral agreement with a small-order point throws", arguments: lowOrderPoints)
    func ephemeralLowOrderRejected(_ point: String) throws {
        let peer = try X25519.PublicKey(rawRepresentation: hex(point))
        let error = #expect(throws: CryptoError.self) { try X25519.ephemeralAgreement(with: peer) }
        #expect(error?.code == .smallOrderPoint)
    }

    // MARK: Small-order points

    /// Points whose multiples by any clamped scalar are the identity, so the shared secret is all zeros: 0, 1,
    /// the two points of order 8 (libsodium's blocklist, which age relies on), p − 1, and the non-canonical
    /// encodings p and p + 1 of 0 and 1.
    static let lowOrderPoints: [String] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]

    @Test("a small-order peer point makes the key agreement throw", arguments: lowOrderPoints)
    func lowOrderPointRejected(_ point: String) throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alicePrivate)))
        let peer = try X25519.PublicKey(rawRepresentation: hex(point))
        #expect(throws: CryptoError.self) { try alice.sharedSecret(with: peer) }
        let random = try X25519.PrivateKey()
        #expect(throws: CryptoError.self) { try random.sharedSecret(with: peer) }
    }

    @Test("the small-order error says what went wrong, and leaves OpenSSL's error queue empty")
    func lowOrderErrorMessage() throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alicePrivate)))
        let peer = try X25519.PublicKey(rawRepresentation: hex(Self.lowOrderPoints[2]))
        let error = #expect(throws: CryptoError.self) { try alice.sharedSecret(with: peer) }
        #expect(error?.operation == "X25519 key agreement")
        #expect(error?.code == .smallOrderPoint)
        #expect(CryptoError.drainErrorQueue().isEmpty)
    }

    // MARK: Lengths

    @Test("private keys that are not 32 bytes are refused", arguments: [0, 1, 31, 33, 64])
    func privateKeyLength(_ count: Int) throws {
        let error = #expect(throws: CryptoError.self) {
            try X25519.PrivateKey(rawRepresentation: SecureBytes(zeroedCount: count))
        }
        #expect(error?.code == .wrongKeyLength(expected: 32, actual: count))
    }

    @Test("public keys that are not 32 bytes are refused", arguments: [0, 1, 31, 33, 64])
    func publicKeyLength(_ count: Int) throws {
        let error = #expect(throws: CryptoError.self) {
            try X25519.PublicKey(rawRepresentation: [UInt8](repeating: 9, count: count))
        }
        #expect(error?.code == .wrongKeyLength(expected: 32, actual: count))
    }
}
