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

    /// Encrypts `plaintext` as a second age file under an item's own header: `header` (encoded) followed by
    /// a payload under `fileKey`, which `header` wraps, with a fresh random nonce (`PayloadEncryptor`), so
    /// its payload key is not the object's. No X25519 is computed: the stanzas are the header's, which wrap
    /// this same file key to the same reader roles (FORMAT.md, "Deviations": why sharing them is sound).
    static func seal<Bytes: ContiguousBytes>(_ plaintext: Bytes, under header: [UInt8], fileKey: SecureBytes)
        throws -> [UInt8]
    {
        let sink = MemorySink()
        try plaintext.withUnsafeBytes { bytes in
            let encryptor = try PayloadEncryptor(fileKey: fileKey, sink: sink, expectedSize: Int64(bytes.count))
            try encryptor.write(bytes)
            try encryptor.finish()
        }
        return header + sink.bytes
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
