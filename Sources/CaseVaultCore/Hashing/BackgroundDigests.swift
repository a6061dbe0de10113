import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Dispatch

/// Feeds blocks to digests on a background queue, one block at a time: the caller starts a block, does other
/// work with the same (read-only) bytes, and waits before it reuses the buffer. Each SHA-256 costs about as
/// much CPU as the encryption, so `add`, streaming `decrypt` and `export` hash the plaintext beside their other
/// work.
final class BackgroundDigests: @unchecked Sendable {
    // Only the queue touches the digests, and `wait()` orders that access before the caller's next one.
    private let digests: [Digest]
    private let queue: DispatchQueue?

    /// With `inline`, each block is hashed on the caller's thread as `start` is called: for a small file
    /// the hand-off to another thread costs more than the hashing, and a batch keeps every core busy with
    /// files anyway.
    init(_ digests: [Digest], inline: Bool = false) {
        self.digests = digests
        queue = inline ? nil : DispatchQueue(label: "casevault.background-digests")
    }

    struct Pending {
        let group: DispatchGroup
        let outcome: Outcome

        func wait() throws {
            group.wait()
            if let error = outcome.error { throw error }
        }
    }

    final class Outcome: @unchecked Sendable {
        // Written only by the queue's block, read only after `group.wait()`, which orders the two.
        var error: Error?
    }

    func start(_ bytes: UnsafeRawBufferPointer) -> Pending {
        let group = DispatchGroup()
        let outcome = Outcome()
        guard let queue else {
            do { for digest in digests { try digest.update(bytes) } } catch { outcome.error = error }
            return Pending(group: group, outcome: outcome)
        }
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
///
/// The digests get a copy of each write, so that hashing one write runs on while `next` takes it and while
/// the caller prepares the following one (the decryptor opening its next batch); the copy is waited for only
/// before it is reused. `decrypt` (to standard output) and `export` hash the plaintext this way; `get` to a
/// file leaves it to the output writer's own hash queue instead, which copies the bytes anyway. Call
/// `finish()` before reading the digests.
final class DigestingTee: ByteSink {
    private let digests: BackgroundDigests
    private let next: ByteSink
    /// Plaintext handed to the digests (wiped on release); the queue reads it until `pending` is done.
    private var copy = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var pending: BackgroundDigests.Pending?
    private(set) var byteCount: Int64 = 0

    init(_ digests: BackgroundDigests, next: ByteSink) {
        self.digests = digests
        self.next = next
    }

    deinit {
        pending?.group.wait()
        ConstantTime.wipe(copy)
        copy.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try settle()
        if copy.count < bytes.count {
            ConstantTime.wipe(copy)
            copy.deallocate()
            copy = .allocate(byteCount: bytes.count, alignment: 64)
        }
        let block = UnsafeMutableRawBufferPointer(rebasing: copy[0..<bytes.count])
        block.copyMemory(from: bytes)
        pending = digests.start(UnsafeRawBufferPointer(block))
        try next.write(bytes)
        byteCount += Int64(bytes.count)
    }

    /// Waits for the hashing still under way; afterwards the digests have seen every byte written.
    func finish() throws { try settle() }

    private func settle() throws {
        guard let pending else { return }
        self.pending = nil
        try pending.wait()
    }
}
