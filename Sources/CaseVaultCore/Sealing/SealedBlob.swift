import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

/// Small age files kept in the database: role key envelopes and encrypted metadata. Each is a complete
/// age file (header and payload), so `sqlite3 … writefile()` plus `age -d` opens it without CaseVault.
enum SealedBlob {
    /// Encrypts `plaintext` to `recipients` as a binary (unarmored) age file.
    static func seal<Bytes: ContiguousBytes>(_ plaintext: Bytes, to recipients: [Recipient]) throws -> [UInt8] {
        let sink = MemorySink()
        try plaintext.withUnsafeBytes { bytes in
            let writer = try AgeWriter(sink: sink, recipients: recipients, expectedSize: Int64(bytes.count))
            try writer.write(bytes)
            try writer.finish()
        }
        return sink.bytes
    }

    /// Decrypts a sealed blob into secret storage. Returns nil when none of `identities` is a recipient;
    /// throws `VaultError.integrityFailure` when the blob is damaged or larger than `limit`.
    static func open(_ blob: [UInt8], identities: [Identity], subject: VaultError.Subject, limit: Int = 1 << 20) throws
        -> SecureBytes?
    {
        do {
            let reader = try AgeReader(source: MemorySource(blob), identities: identities, armored: false)
            let sink = SecretCollector(capacity: min(limit, max(blob.count, 64)))
            try reader.payload.decrypt(to: sink)
            return sink.contents()
        } catch let error as IOError where error.code == .tooLarge {
            // The plaintext of an age file is never longer than the file: this one lies about its size.
            throw VaultError.integrityFailure(subject: subject, damage: .malformedPlaintext)
        } catch let error as AgeError {
            if case .noMatch = error { return nil }
            throw VaultError.integrityFailure(subject: subject, damage: .age(error))
        }
    }
}
