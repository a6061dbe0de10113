import Testing

@testable import CaseVaultCrypto

/// Errors carry what failed and a code that says why (what callers and tests compare), words only on
/// demand, and must not leave OpenSSL's thread-local error queue dirty for the next, unrelated call.
@Suite("CryptoError")
struct CryptoErrorTests {
    @Test("description names the operation and the reason, made from the code")
    func description() {
        #expect(CryptoError(operation: "X", code: .openSSL).description == "X failed")
        #expect(CryptoError(operation: "X", code: .messageTooLong).description == "X failed: message too long")
        #expect(
            CryptoError(operation: "X", code: .wrongKeyLength(expected: 32, actual: 1)).description
                == "X failed: expected a 32-byte key, got 1")
    }

    @Test("errors compare by operation, code and OpenSSL's codes")
    func equality() {
        #expect(
            CryptoError(operation: "X", code: .messageTooLong) == CryptoError(operation: "X", code: .messageTooLong))
        #expect(
            CryptoError(operation: "X", code: .messageTooLong) != CryptoError(operation: "Y", code: .messageTooLong))
        #expect(
            CryptoError(operation: "X", code: .messageTooLong) != CryptoError(operation: "X", code: .smallOrderPoint))
        #expect(
            CryptoError(operation: "X", code: .openSSL, openSSLCodes: [1])
                != CryptoError(operation: "X", code: .openSSL, openSSLCodes: [2]))
    }

    @Test("a rejected input says what was expected and what was given")
    func rejectedInput() {
        let error = #expect(throws: CryptoError.self) { try ChaChaPoly(key: SecureBytes(zeroedCount: 16)) }
        #expect(error?.operation == "ChaCha20-Poly1305 key setup")
        #expect(error?.code == .wrongKeyLength(expected: 32, actual: 16))
    }

    @Test("the X25519 small-order failure says small order")
    func smallOrderMessage() throws {
        let key = try X25519.PrivateKey()
        let zero = try X25519.PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        let error = #expect(throws: CryptoError.self) { try key.sharedSecret(with: zero) }
        #expect(error?.code == .smallOrderPoint)
        #expect(error?.description.contains("small order") == true)
    }

    /// OpenSSL 3 refuses an all-zero X25519 result inside the derivation, which would hide the loss of our
    /// own check; so the check is tested on its own.
    @Test("our own all-zero check refuses an all-zero shared secret, whatever OpenSSL does")
    func ownSmallOrderCheck() throws {
        let error = #expect(throws: CryptoError.self) {
            try X25519.PrivateKey.rejectSmallOrder(SecureBytes(zeroedCount: 32), operation: "X25519 key agreement")
        }
        #expect(error?.code == .smallOrderPoint)
        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        try X25519.PrivateKey.rejectSmallOrder(SecureBytes(copying: one), operation: "X25519 key agreement")
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
