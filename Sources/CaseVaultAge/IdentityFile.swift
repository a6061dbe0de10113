import CaseVaultCrypto
import CaseVaultIO

/// age identity files: text with one `AGE-SECRET-KEY-1…` per line, `#` comments and blank lines, as
/// `age -i` reads them. A protected identity file is itself an age file whose only stanza is scrypt
/// (a passphrase), which `age -d -i FILE` also opens after asking for the passphrase.
///
/// Plaintext identity text is secret, so it is handled in `SecureBytes` throughout.
public enum IdentityFile {
    /// Identity files are small; anything larger is not one.
    public static let maximumSize = 64 * 1024

    /// The identities in a plaintext identity file. Lines starting with `#` are comments; `commentValue`
    /// reads tagged comments such as CaseVault's signing key.
    public static func parse(_ text: SecureBytes) throws -> [X25519Identity] {
        var identities: [X25519Identity] = []
        try forEachLine(text) { line in
            if line.isEmpty || line[0] == UInt8(ascii: "#") { return }
            identities.append(try X25519Identity(encoded: line))
        }
        guard !identities.isEmpty else { throw AgeError.invalidKey("the identity file holds no age secret key") }
        return identities
    }

    /// The value of the first comment line `# TAG…` (the whole token that starts with `tag`), in secret
    /// storage; nil when there is none.
    public static func taggedComment(_ text: SecureBytes, tag: String) -> SecureBytes? {
        var found: SecureBytes?
        let prefix = Array("# \(tag)".utf8)
        try? forEachLine(text) { line in
            guard found == nil, line.count >= prefix.count,
                ConstantTime.equals(UnsafeRawBufferPointer(rebasing: line[0..<prefix.count]), prefix)
            else { return }
            found = SecureBytes(copying: UnsafeRawBufferPointer(rebasing: line[2...]))
        }
        return found
    }

    /// Calls `body` with each line (without its line ending) of `text`, in place.
    static func forEachLine(_ text: SecureBytes, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try text.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > start && all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                try body(UnsafeRawBufferPointer(rebasing: all[start..<lineEnd]))
                start = end + 1
            }
        }
    }

    /// True when `bytes` is an age file (binary or armored) rather than plaintext identities.
    public static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        let trimmed = bytes.drop(while: { [0x20, 0x09, 0x0A, 0x0D].contains($0) })
        return trimmed.starts(with: Array(Header.versionLine.utf8)) || trimmed.starts(with: Array(Armor.beginLine.utf8))
    }

    /// Seals identity text under a passphrase as an armored age file (scrypt stanza only).
    public static func seal(
        _ text: SecureBytes, passphrase: SecureBytes, workFactor: Int = ScryptRecipient.defaultWorkFactor
    ) throws -> [UInt8] {
        let sink = MemorySink()
        let writer = try AgeWriter(
            sink: sink, recipients: [ScryptRecipient(passphrase: passphrase, workFactor: workFactor)], armor: true)
        try text.withUnsafeBytes { try writer.write($0) }
        try writer.finish()
        return sink.bytes
    }

    /// Opens a protected identity file; the plaintext identity text comes back in secret storage.
    /// A wrong passphrase is `AgeError.noMatch`.
    public static func open(_ bytes: [UInt8], passphrase: SecureBytes) throws -> SecureBytes {
        let reader = try AgeReader(source: MemorySource(bytes), identities: [ScryptIdentity(passphrase: passphrase)])
        let sink = SecretCollector(capacity: maximumSize)
        do { try reader.payload.decrypt(to: sink) } catch let error as IOError where error.code == .tooLarge {
            throw AgeError.invalidKey("the decrypted identity file is larger than \(maximumSize) bytes")
        }
        return sink.contents()
    }
}
