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

/// Collects writes into large blocks before passing them on, so that 64 KiB age chunks become 1 MiB
/// `write(2)` calls.
final class BlockBufferSink: ByteSink {
    private let next: ByteSink
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    init(_ next: ByteSink, blockSize: Int = 1 << 20) {
        self.next = next
        buffer = Payload.allocateIOBuffer(blockSize)
    }

    deinit {
        // On the get path this buffer held plaintext.
        ConstantTime.wipe(buffer)
        buffer.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if used == buffer.count { try flush() }
            let n = min(buffer.count - used, bytes.count - offset)
            (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            used += n
            offset += n
        }
    }

    func flush() throws {
        guard used > 0 else { return }
        try next.write(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
        used = 0
    }
}
