import Testing

@testable import CaseVaultCrypto

/// Errors must say what failed and why, in words a person can act on, and must not leave OpenSSL's
/// thread-local error queue dirty for the next, unrelated call.
@Suite("CryptoError")
struct CryptoErrorTests {
    @Test("description names the operation and joins the reasons")
    func description() {
        #expect(CryptoError(operation: "X", reasons: []).description == "X failed")
        #expect(CryptoError(operation: "X", reasons: ["a"]).description == "X failed: a")
        #expect(CryptoError(operation: "X", reasons: ["a", "b"]).description == "X failed: a; b")
    }

    @Test("errors compare by operation and reasons")
    func equality() {
        #expect(CryptoError(operation: "X", reasons: ["a"]) == CryptoError(operation: "X", reasons: ["a"]))
        #expect(CryptoError(operation: "X", reasons: ["a"]) != CryptoError(operation: "Y", reasons: ["a"]))
        #expect(CryptoError(operation: "X", reasons: ["a"]) != CryptoError(operation: "X", reasons: ["b"]))
    }

    @Test("a rejected input says what was expected and what was given")
    func rejectedInput() {
        let error = #expect(throws: CryptoError.self) { try ChaChaPoly(key: SecureBytes(zeroedCount: 16)) }
        #expect(error?.operation == "ChaCha20-Poly1305 key setup")
        #expect(error?.reasons == ["expected a 32-byte key, got 16"])
    }

    @Test("the X25519 small-order failure mentions small order")
    func smallOrderMessage() throws {
        let key = try X25519.PrivateKey()
        let zero = try X25519.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        let error = #expect(throws: CryptoError.self) { try key.sharedSecret(with: zero) }
        #expect(error?.description.contains("small order") == true)
    }

    /// r = 1 with N = 2^16 passes our own checks but not OpenSSL's (it needs N < 2^(16·r)), so the failure
    /// comes from inside the library: it must still surface as a CryptoError naming the operation.
    @Test("a failure inside OpenSSL surfaces as a CryptoError and drains the queue")
    func openSSLFailure() {
        let error = #expect(throws: CryptoError.self) {
            try Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 16, r: 1, p: 1)
        }
        #expect(error?.operation == "scrypt key derivation")
        #expect(CryptoError.drainErrorQueue().isEmpty)
    }

    @Test("every error is drained: a good call after a failed one succeeds")
    func goodCallAfterFailure() throws {
        _ = try? Scrypt.deriveKey(password: secret(ascii("pw")), salt: ascii("salt"), logN: 16, r: 1, p: 1)
        let key = try X25519.PrivateKey()
        _ = try? key.sharedSecret(with: X25519.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 32)))
        let peer = try X25519.PrivateKey()
        #expect(try key.sharedSecret(with: peer.publicKey).count == 32)
        #expect(CryptoError.drainErrorQueue().isEmpty)
    }
}
