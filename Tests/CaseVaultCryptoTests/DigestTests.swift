import CaseVaultTestSupport
import Testing

@testable import CaseVaultCrypto

/// SHA-256 and SHA-512 against the FIPS 180-4 example values (NIST "Cryptographic Standards and Guidelines:
/// Examples with Intermediate Values", the same messages FIPS 180-2 appendix B/C printed).
@Suite("SHA-2 digests")
struct DigestTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let algorithm: Digest.Algorithm
        let name: String
        let message: [UInt8]
        let digest: String
        var testDescription: String { "\(algorithm.rawValue) of \(name)" }
    }

    /// 448 bits: one block for SHA-512, two blocks for SHA-256 once padded.
    static let message448 = ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
    /// 896 bits: the SHA-512 two-block example.
    static let message896 = ascii(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
    )

    static let vectors: [Vector] = [
        Vector(
            algorithm: .sha256, name: "\"abc\"", message: ascii("abc"),
            digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(
            algorithm: .sha256, name: "the empty string", message: [],
            digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Vector(
            algorithm: .sha256, name: "the 448-bit message", message: message448,
            digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        Vector(
            algorithm: .sha512, name: "\"abc\"", message: ascii("abc"),
            digest: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        Vector(
            algorithm: .sha512, name: "the empty string", message: [],
            digest: "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        Vector(
            algorithm: .sha512, name: "the 448-bit message", message: message448,
            digest: "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
                + "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"),
        Vector(
            algorithm: .sha512, name: "the 896-bit message", message: message896,
            digest: "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
                + "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
    ]

    @Test("one-shot hash matches the FIPS example", arguments: vectors)
    func oneShot(_ vector: Vector) throws {
        let digest = try Digest.hash(vector.algorithm, vector.message)
        #expect(digest.count == vector.algorithm.outputByteCount)
        #expect(digest.hexString == vector.digest)
    }

    @Test("feeding one byte at a time gives the same digest", arguments: vectors)
    func byteAtATime(_ vector: Vector) throws {
        let digest = try Digest(vector.algorithm)
        for index in vector.message.indices {
            try digest.update(vector.message[index...index])
        }
        #expect(try digest.finalize().hexString == vector.digest)
    }

    @Test("raw-pointer update and empty updates are equivalent to the array path", arguments: vectors)
    func rawPointerUpdate(_ vector: Vector) throws {
        let digest = try Digest(vector.algorithm)
        try digest.update([UInt8]())
        try vector.message.withUnsafeBytes { try digest.update($0) }
        try digest.update([UInt8]())
        #expect(try digest.finalize().hexString == vector.digest)
    }

    static let millionA: [(Digest.Algorithm, String)] = [
        (.sha256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        (
            .sha512,
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                + "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"
        ),
    ]

    @Test("one million 'a' in uneven streaming pieces equals the one-shot value", arguments: millionA)
    func oneMillionA(_ algorithm: Digest.Algorithm, _ expected: String) throws {
        let message = [UInt8](repeating: 0x61, count: 1_000_000)
        let oneShot = try Digest.hash(algorithm, message)
        #expect(oneShot.hexString == expected)

        // Sizes straddle both block lengths (64 and 128) and include an empty piece, so every path through
        // the digest's partial-block buffering is taken many times.
        let pieceSizes = [1, 63, 64, 65, 0, 127, 128, 129, 7, 1000, 4093, 9973]
        let streaming = try Digest(algorithm)
        var offset = 0
        var piece = 0
        while offset < message.count {
            let count = min(pieceSizes[piece % pieceSizes.count], message.count - offset)
            try streaming.update(message[offset..<(offset + count)])
            offset += count
            piece += 1
        }
        #expect(piece > 100)
        #expect(try streaming.finalize() == oneShot)
    }

    @Test("a secret can be hashed in place without exporting it")
    func hashesSecureBytes() throws {
        let digest = try Digest.hash(.sha256, secret(ascii("abc")))
        #expect(digest.hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("separate instances do not share state")
    func independentInstances() throws {
        let a = try Digest(.sha256)
        let b = try Digest(.sha256)
        try a.update(ascii("ab"))
        try b.update(ascii("xyz"))
        try a.update(ascii("c"))
        #expect(try a.finalize().hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try b.finalize() == Digest.hash(.sha256, ascii("xyz")))
    }

    @Test("output lengths are those of FIPS 180-4")
    func outputLengths() {
        #expect(Digest.Algorithm.sha256.outputByteCount == 32)
        #expect(Digest.Algorithm.sha512.outputByteCount == 64)
        #expect(Digest.Algorithm.allCases.count == 2)
    }
}
