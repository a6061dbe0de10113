import CaseVaultAge
import CaseVaultCrypto

/// Small age files kept in the database: role key envelopes and encrypted metadata. Each is a complete
/// age file (header and payload), so `sqlite3 … writefile()` plus `age -d` opens it without CaseVault.
enum SealedBlob {
    /// Encrypts `plaintext` to `recipients` as a binary (unarmored) age file.
    static func seal<Bytes: ContiguousBytes>(_ plaintext: Bytes, to recipients: [Recipient]) throws -> [UInt8] {
        let sink = MemorySink()
        let writer = try AgeWriter(sink: sink, recipients: recipients)
        try plaintext.withUnsafeBytes { try writer.write($0) }
        try writer.finish()
        return sink.bytes
    }

    /// Decrypts a sealed blob into secret storage. Returns nil when none of `identities` is a recipient;
    /// throws `VaultError.integrityFailure` when the blob is damaged or larger than `limit`.
    static func open(_ blob: [UInt8], identities: [Identity], subject: String, limit: Int = 1 << 20) throws
        -> SecureBytes?
    {
        do {
            let reader = try AgeReader(source: MemorySource(blob), identities: identities, armored: false)
            let sink = SecureCollector(capacity: min(limit, max(blob.count, 64)))
            try reader.payload.decrypt(to: sink)
            return sink.contents()
        } catch let error as AgeError {
            if case .noMatch = error { return nil }
            throw VaultError.integrityFailure(subject: subject, detail: error.description)
        }
    }
}

/// Collects decrypted secrets into one wiped allocation of fixed capacity (a growing array would leave
/// unwiped copies behind). The plaintext of an age file is never longer than the file.
final class SecureCollector: ByteSink {
    private let storage: SecureBytes
    private var count = 0

    init(capacity: Int) { storage = SecureBytes(zeroedCount: capacity) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard count + bytes.count <= storage.count else {
            throw AgeError.payload("the plaintext is larger than expected")
        }
        storage.withUnsafeMutableBytes { out in
            UnsafeMutableRawBufferPointer(rebasing: out[count..<count + bytes.count]).copyMemory(from: bytes)
        }
        count += bytes.count
    }

    func contents() -> SecureBytes { storage.slice(0..<count) }
}
