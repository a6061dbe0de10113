import CaseVaultCrypto
import CaseVaultIO
import Testing

@testable import CaseVaultAge

/// A passphrase-protected file names its own scrypt work factor, so a hostile one could ask for minutes of
/// work and gigabytes of memory. The identity's cap must refuse it as a header failure before deriving
/// anything, at the age layer (not later, as a crypto error, and not at all when the cap is below the
/// crypto layer's own ceiling).
@Suite("scrypt work-factor cap")
struct ScryptLimitTests {
    static func file(workFactor: Int) throws -> [UInt8] {
        let sink = MemorySink()
        let recipient = try ScryptRecipient(passphrase: SecureBytes(copying: Array("pw".utf8)), workFactor: workFactor)
        try Age.encrypt(from: MemorySource([1, 2, 3]), to: sink, recipients: [recipient])
        return sink.bytes
    }

    @Test("a work factor above the caller's cap is a header failure, found before any derivation")
    func aboveCallerCap() throws {
        let bytes = try Self.file(workFactor: 12)
        let identity = ScryptIdentity(passphrase: SecureBytes(copying: Array("pw".utf8)), maximumWorkFactor: 10)
        let error = #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(bytes), to: MemorySink(), identities: [identity])
        }
        guard case .header(let reason) = error else {
            Issue.record("expected a header failure, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("above the limit of 10"))
    }

    @Test("a work factor above age's ceiling of 22 is a header failure, not a crypto error")
    func aboveCeiling() throws {
        var text = String(decoding: try Self.file(workFactor: 10), as: UTF8.self)
        // The stanza line reads "-> scrypt SALT 10"; ask for 2^23 instead (the MAC then fails too, but the
        // work factor must be refused first).
        text = text.replacingOccurrences(of: " 10\n", with: " 23\n")
        let identity = ScryptIdentity(passphrase: SecureBytes(copying: Array("pw".utf8)))
        let error = #expect(throws: AgeError.self) {
            try Age.decrypt(from: MemorySource(Array(text.utf8)), to: MemorySink(), identities: [identity])
        }
        guard case .header(let reason) = error else {
            Issue.record("expected a header failure, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("above the limit of 22"))
    }
}
