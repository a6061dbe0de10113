import CaseVaultAge
import CaseVaultCrypto

/// A sink that hashes and counts what passes through on its way to `next`. The object store wraps the
/// temporary object file in one, so the object's own SHA-256 (its name) costs no second read.
final class HashingSink: ByteSink {
    private let next: ByteSink?
    private let digest: Digest
    private(set) var byteCount: UInt64 = 0

    /// With `next` nil the bytes are only hashed (the plaintext side of a verification pass).
    init(_ next: ByteSink?, algorithm: Digest.Algorithm = .sha256) throws {
        self.next = next
        digest = try Digest(algorithm)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try digest.update(bytes)
        byteCount += UInt64(bytes.count)
        try next?.write(bytes)
    }

    func finalize() throws -> [UInt8] { try digest.finalize() }
}
