import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Testing

@testable import CaseVaultAge

/// `Header.MACKey`: a rewrap derives the MAC key once to check the old MAC and seal the new header. It must
/// be the key the file key gives, and a MAC must still be refused under any other.
@Suite("header MAC key derived once")
struct MACKeyTests {
    @Test("a header sealed with the derived MAC key is the one sealed with the file key, and opens with age")
    func sameAsFileKey() throws {
        let alice = try X25519Identity.generate()
        let plaintext = try SystemRandom.bytes(count: 1000)
        let original = MemorySink()
        try Age.encrypt(from: MemorySource(plaintext), to: original, recipients: [alice.recipient])
        let (header, payload) = try Header.parse(original.bytes)
        let fileKey = try FileKey.unwrap(header, identities: [alice])
        let macKey = try Header.MACKey(fileKey: fileKey)
        try header.verifyMAC(macKey)
        let bob = try X25519Identity.generate()
        let stanzas = try bob.recipient.wrap(fileKey: fileKey)
        let resealed = try Header.sealed(stanzas: stanzas, macKey: macKey)
        #expect(resealed.mac == (try Header.sealed(stanzas: stanzas, fileKey: fileKey)).mac)
        let out = MemorySink()
        try Age.decrypt(from: MemorySource(resealed.encoded() + payload), to: out, identities: [bob])
        #expect(sameBytes(out.bytes, plaintext))
    }

    @Test("the MAC is refused under another file key's MAC key, and when one stanza byte changes")
    func refused() throws {
        let alice = try X25519Identity.generate()
        let fileKey = try FileKey.generate()
        let header = try Age.makeHeader(fileKey: fileKey, recipients: [alice.recipient])
        let error = #expect(throws: AgeError.self) { try header.verifyMAC(Header.MACKey(fileKey: FileKey.generate())) }
        guard case .hmac = error else {
            Issue.record("expected a MAC error, got \(String(describing: error))")
            return
        }
        var altered = header
        altered.stanzas[0].body[0] ^= 1
        #expect(throws: AgeError.self) { try altered.verifyMAC(Header.MACKey(fileKey: fileKey)) }
        try header.verifyMAC(Header.MACKey(fileKey: fileKey))
    }
}
