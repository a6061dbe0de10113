import CaseVaultCrypto

/// Collects decrypted secrets (an identity file's text, a role's private key) into one wiped allocation
/// of fixed capacity: a growing array would leave unwiped copies of the secret behind when it reallocates.
/// Writing past the capacity fails with `IOError.tooLarge`.
public final class SecretCollector: ByteSink {
    private let storage: SecureBytes
    private var count = 0

    public init(capacity: Int) { storage = SecureBytes(zeroedCount: capacity) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard count + bytes.count <= storage.count else { throw IOError(.tooLarge) }
        storage.withUnsafeMutableBytes { out in
            UnsafeMutableRawBufferPointer(rebasing: out[count..<count + bytes.count]).copyMemory(from: bytes)
        }
        count += bytes.count
    }

    /// What was written, in secret storage.
    public func contents() -> SecureBytes { storage.slice(0..<count) }
}
