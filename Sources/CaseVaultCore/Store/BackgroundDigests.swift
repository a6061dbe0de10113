import CaseVaultAge
import CaseVaultCrypto
import Dispatch

/// Feeds blocks to digests on a background queue, one block at a time: the caller starts a block, does other
/// work with the same (read-only) bytes, and waits before it reuses the buffer. Each SHA-256 costs about as
/// much CPU as the encryption, so `add` and `get` hash the plaintext beside their other work.
final class BackgroundDigests: @unchecked Sendable {
    // Only the queue touches the digests, and `wait()` orders that access before the caller's next one.
    private let digests: [Digest]
    private let queue = DispatchQueue(label: "casevault.background-digests")

    init(_ digests: [Digest]) { self.digests = digests }

    struct Pending {
        let group: DispatchGroup
        let outcome: Outcome

        func wait() throws {
            group.wait()
            if let error = outcome.error { throw error }
        }
    }

    final class Outcome: @unchecked Sendable {
        var error: Error?
    }

    func start(_ bytes: UnsafeRawBufferPointer) -> Pending {
        let group = DispatchGroup()
        let outcome = Outcome()
        let block = UncheckedBytes(bytes)
        queue.async(group: group) { [self] in
            do { for digest in digests { try digest.update(block.bytes) } } catch { outcome.error = error }
        }
        return Pending(group: group, outcome: outcome)
    }
}

/// A read-only view of bytes handed to another thread for the duration of one `BackgroundDigests` block.
private struct UncheckedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}

/// A sink that passes every write on to `next` while the same bytes are hashed in the background.
final class DigestingTee: ByteSink {
    private let digests: BackgroundDigests
    private let next: ByteSink
    private(set) var byteCount: Int64 = 0

    init(_ digests: BackgroundDigests, next: ByteSink) {
        self.digests = digests
        self.next = next
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let hashed = digests.start(bytes)
        let written = Result { try next.write(bytes) }
        try hashed.wait()
        try written.get()
        byteCount += Int64(bytes.count)
    }
}
