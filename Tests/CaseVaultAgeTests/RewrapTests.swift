import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Testing

@testable import CaseVaultAge

@Suite("re-wrapping headers")
struct RewrapTests {
    @Test("adding and removing recipients leaves the payload byte for byte")
    func addRemove() throws {
        let alice = try X25519Identity.generate()
        let bob = try X25519Identity.generate()
        let carol = try X25519Identity.generate()
        let plaintext = try SystemRandom.bytes(count: 100_000)
        let original = MemorySink()
        try Age.encrypt(from: MemorySource(plaintext), to: original, recipients: [alice.recipient, bob.recipient])
        let (header, payload) = try Header.parse(original.bytes)

        // Drop bob's stanza (the second), add carol.
        let bobStanza = header.stanzas[1]
        let rewrapped = try Age.rewrap(header, identities: [alice], keep: { $0 != bobStanza }, add: [carol.recipient])
        #expect(rewrapped.stanzas.count == 2)
        #expect(rewrapped.mac != header.mac)
        let file = rewrapped.encoded() + payload

        for who in [alice, carol] {
            let out = MemorySink()
            try Age.decrypt(from: MemorySource(file), to: out, identities: [who])
            #expect(sameBytes(out.bytes, plaintext))
        }
        #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(file), to: MemorySink(), identities: [bob])
        }

        // The stream form gives the same payload.
        let streamed = MemorySink()
        try Age.rewrap(from: MemorySource(original.bytes), to: streamed, identities: [bob], add: [carol.recipient])
        #expect(Array(try Header.parse(streamed.bytes).rest) == payload)
    }

    @Test("a header parses and re-encodes to the same bytes")
    func canonical() throws {
        let id = try X25519Identity.generate()
        let out = MemorySink()
        try Age.encrypt(from: MemorySource([1, 2, 3]), to: out, recipients: [id.recipient, id.recipient])
        let (header, rest) = try Header.parse(out.bytes)
        #expect(header.encoded() + rest == out.bytes)
    }

    @Test("rewrapping needs a key that opens the header")
    func needsKey() throws {
        let alice = try X25519Identity.generate()
        let mallory = try X25519Identity.generate()
        let out = MemorySink()
        try Age.encrypt(from: MemorySource([9]), to: out, recipients: [alice.recipient])
        let (header, _) = try Header.parse(out.bytes)
        #expect(throws: AgeError.self) { try Age.rewrap(header, identities: [mallory], add: [mallory.recipient]) }
    }

    @Test("a passphrase cannot be mixed with other recipients")
    func scryptAlone() throws {
        let alice = try X25519Identity.generate()
        let pass = try ScryptRecipient(passphrase: SecureBytes(copying: Array("pw".utf8)), workFactor: 4)
        #expect(throws: AgeError.self) {
            try Age.encrypt(from: MemorySource([1]), to: MemorySink(), recipients: [alice.recipient, pass])
        }
    }
}
