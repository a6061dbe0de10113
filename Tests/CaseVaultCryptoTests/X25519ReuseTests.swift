import CaseVaultTestSupport
import Dispatch
import Synchronization
import Testing

@testable import CaseVaultCrypto

/// A private key's derivation contexts are reused across agreements (`Deriver`): each agreement must still be
/// with the peer it names, and a small-order peer must still be refused, whatever the context did before.
@Suite("X25519 context reuse")
struct X25519ReuseTests {
    static let alice = X25519Tests.alicePrivate
    static let bobPublic = X25519Tests.bobPublic

    @Test("one key with different peers in turn: each secret is that peer's (RFC 7748 §6.1 between others)")
    func differentPeersInTurn() throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alice)))
        for _ in 0..<3 {
            #expect(try alice.sharedSecret(withRawPeer: hex(Self.bobPublic)).hexString == X25519Tests.sharedSecret)
            let other = try X25519.PrivateKey()
            let secret = try alice.sharedSecret(withRawPeer: other.publicKey.rawRepresentation)
            #expect(secret.hexString != X25519Tests.sharedSecret)
            // The other side, in a context of its own key, finds the same secret.
            #expect(try other.sharedSecret(with: alice.publicKey).constantTimeEquals(secret))
        }
    }

    @Test("the reused context agrees with a context made for one call (an ephemeral agreement)")
    func reusedMatchesFresh() throws {
        let recipient = try X25519.PrivateKey()
        for _ in 0..<20 {
            let (share, secret) = try X25519.ephemeralAgreement(with: recipient.publicKey)
            #expect(try recipient.sharedSecret(withRawPeer: share).constantTimeEquals(secret))
        }
    }

    @Test(
        "a small-order peer is refused after a good agreement, and a good one works after the refusal",
        arguments: X25519Tests.lowOrderPoints)
    func smallOrderAfterReuse(_ point: String) throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alice)))
        #expect(try alice.sharedSecret(withRawPeer: hex(Self.bobPublic)).hexString == X25519Tests.sharedSecret)
        let error = #expect(throws: CryptoError.self) { try alice.sharedSecret(withRawPeer: hex(point)) }
        #expect(error?.code == .smallOrderPoint)
        #expect(CryptoError.drainErrorQueue().isEmpty)
        #expect(try alice.sharedSecret(withRawPeer: hex(Self.bobPublic)).hexString == X25519Tests.sharedSecret)
    }

    @Test("a peer that is not 32 bytes is refused, and the context still works", arguments: [0, 31, 33])
    func wrongLength(_ count: Int) throws {
        let alice = try X25519.PrivateKey(rawRepresentation: secret(hex(Self.alice)))
        let error = #expect(throws: CryptoError.self) {
            try alice.sharedSecret(withRawPeer: [UInt8](repeating: 9, count: count))
        }
        #expect(error?.code == .wrongKeyLength(expected: 32, actual: count))
        #expect(try alice.sharedSecret(withRawPeer: hex(Self.bobPublic)).hexString == X25519Tests.sharedSecret)
    }

    @Test("one key on many threads at once: every thread gets its own peer's secret")
    func concurrentUse() throws {
        let key = try X25519.PrivateKey()
        let peers = try (0..<64).map { _ in try X25519.PrivateKey() }
        let expected = try peers.map { try $0.sharedSecret(with: key.publicKey).hexString }
        let found = Mutex([String?](repeating: nil, count: peers.count))
        DispatchQueue.concurrentPerform(iterations: peers.count) { i in
            let secret = try? key.sharedSecret(withRawPeer: peers[i].publicKey.rawRepresentation)
            found.withLock { $0[i] = secret?.hexString }
        }
        #expect(found.withLock { $0 } == expected)
    }
}
