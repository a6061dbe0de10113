import CaseVaultCrypto
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Spreads the chunk crypto of one STREAM batch over the machine's cores.
///
/// STREAM chunks are independent once their counter nonce is known, so the chunks of a batch can be sealed
/// or opened at the same time; the payload code still writes or releases them in order. Each thread has
/// its own `ChaChaPoly`, because one `EVP_CIPHER_CTX` must never be used by two threads at once, and takes
/// the batch's chunks one at a time from a shared count, so that a thread the scheduler holds back does
/// not hold the batch back.
final class ChunkWorkers {
    /// Threads per batch: one per online core, and never more than a batch has chunks.
    static let available = max(1, min(Payload.batchChunks, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// One serial queue per helper thread, shared by every payload in the process. Queues made this way are
    /// served by threads started on demand. The global concurrent queues (and so `concurrentPerform`) are
    /// not enough: their threads are capped at the core count, and the caller, often a Swift concurrency
    /// thread, already holds one, which left every chunk to a single thread.
    private static let queues = (0..<available).map { DispatchQueue(label: "casevault.age.chunk-worker-\($0)") }

    private let key: SecureBytes
    /// `ciphers[0]` is the calling thread's, for serial work and for its share of a batch; helper `w` on
    /// `queues[w - 1]` uses `ciphers[w]`. The helpers' are made on the first parallel batch, so that a
    /// small payload never pays for them.
    private var ciphers: [ChaChaPoly]

    init(key: SecureBytes) throws {
        self.key = key
        ciphers = [try ChaChaPoly(key: key)]
    }

    /// The cipher for work done on the calling thread between batches.
    var serial: ChaChaPoly { ciphers[0] }

    /// Calls `body(cipher, i)` once for every `i` in `0..<count` and returns when every call has: on the
    /// calling thread and `available - 1` helpers when there is more than one chunk and one core.
    ///
    /// `body` must touch only the bytes of chunk `i` and otherwise read values that do not change during the
    /// call: that disjointness is what makes the unchecked `Sendable` of `Job` sound. When calls throw, the
    /// error of the lowest chunk is rethrown; chunks after it may or may not have been processed.
    func forEach(_ count: Int, _ body: @escaping (ChaChaPoly, Int) throws -> Void) throws {
        if min(count, Self.available) <= 1 {
            for i in 0..<count { try body(ciphers[0], i) }
            return
        }
        let ticket = try start(count, helpers: min(count, Self.available) - 1, body)
        try ticket.wait()
    }

    /// `forEach` in the background: returns at once, with `available - 1` helpers at work, and the ticket's
    /// `wait()` joins in on the calling thread and returns (or rethrows) when every call has. Until then the
    /// caller must not touch the bytes `body` touches nor call `forEach`. Several batches may be under way:
    /// each helper works through them in the order they were started, and the calling thread's cipher is
    /// used only inside `wait()`, so wait for them in that order too.
    func start(_ count: Int, _ body: @escaping (ChaChaPoly, Int) throws -> Void) throws -> Ticket {
        try start(count, helpers: min(count, Self.available) - 1, body)
    }

    private func start(
        _ count: Int, helpers: Int, _ body: @escaping (ChaChaPoly, Int) throws -> Void
    ) throws -> Ticket {
        while ciphers.count <= helpers { ciphers.append(try ChaChaPoly(key: key)) }
        let job = Job(count: count, body: body)
        let group = DispatchGroup()
        for w in 0..<helpers {
            let cipher = Unchecked(ciphers[w + 1])
            Self.queues[w].async(group: group) { job.run(with: cipher.value) }
        }
        return Ticket(job: job, group: group, cipher: ciphers[0])
    }

    /// A batch at work.
    final class Ticket {
        private let job: Job
        private let group: DispatchGroup
        private let cipher: ChaChaPoly

        fileprivate init(job: Job, group: DispatchGroup, cipher: ChaChaPoly) {
            self.job = job
            self.group = group
            self.cipher = cipher
        }

        /// Takes chunks on the calling thread until none are left, then waits for the helpers; the group's
        /// wait orders every helper's writes before what follows.
        func wait() throws {
            job.run(with: cipher)
            group.wait()
            try job.rethrow()
        }
    }

    /// One batch: the chunks not yet taken, and the first failure. Both are guarded by `lock`; the chunks'
    /// bytes are each touched by the one thread that took the chunk.
    fileprivate final class Job: @unchecked Sendable {
        private let count: Int
        private let body: (ChaChaPoly, Int) throws -> Void
        private let lock = Mutex(())
        private var taken = 0
        private var failure: (chunk: Int, error: Error)?

        init(count: Int, body: @escaping (ChaChaPoly, Int) throws -> Void) {
            self.count = count
            self.body = body
        }

        private func locked<R>(_ work: () -> R) -> R {
            lock.withLock { _ in work() }
        }

        /// Processes chunks with `cipher` until none are left to take.
        func run(with cipher: ChaChaPoly) {
            while let i = locked({ () -> Int? in
                guard taken < count else { return nil }
                taken += 1
                return taken - 1
            }) {
                do {
                    try body(cipher, i)
                } catch {
                    locked {
                        if failure.map({ i < $0.chunk }) ?? true { failure = (i, error) }
                    }
                }
            }
        }

        /// Call only once every thread has finished `run`.
        func rethrow() throws {
            if let failure = locked({ failure }) { throw failure.error }
        }
    }

    /// Hands a cipher to the one helper thread that will use it.
    private struct Unchecked<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
