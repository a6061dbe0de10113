import CaseVaultIO
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Spreads the files of a batch `add` over the machine's cores: each thread takes the next file not yet
/// taken, so files are started in order and at most one file per thread is open, with its buffers, at any
/// time (memory stays flat in the number of files). A small file's work (its X25519 wraps, its object's
/// creation and naming) is too short to split inside the file, as the age module's `ChunkWorkers` splits
/// a large payload; across files it divides evenly.
enum FileWorkers {
    /// One thread per online core.
    static let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// One serial queue per helper thread, shared by every add in the process: queues made this way are
    /// served by threads started on demand, where the global concurrent queues are capped at the core
    /// count and the caller, often a Swift concurrency thread, already holds one (see `ChunkWorkers`).
    /// One per core: `forEach` uses all but one (the caller is the other), a `Pipeline` all of them.
    static let queues = (0..<cores).map { DispatchQueue(label: "casevault.add.file-worker-\($0)") }

    /// Calls `body(i)` once for each `i` in `0..<count`, on the calling thread and up to `threads - 1`
    /// helpers, and returns when every call has. After a call throws, no further index is handed out; the
    /// error of the lowest failed index is rethrown once every thread has stopped. Helpers run with the
    /// caller's `DurabilityTrace`, so that a test sees their steps as its own.
    static func forEach(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let helpers = max(0, min(threads, count, queues.count) - 1)
        let job = Job(count: count, body: body)
        let trace = DurabilityTrace.current
        let group = DispatchGroup()
        for w in 0..<helpers {
            queues[w].async(group: group) { DurabilityTrace.$current.withValue(trace) { job.run() } }
        }
        job.run()
        group.wait()
        try job.rethrow()
    }

    /// The indices not yet taken and the first failure, both under one lock.
    private final class Job: Sendable {
        private struct State {
            var taken = 0
            var failure: (index: Int, error: Error)?
        }
        private let count: Int
        private let body: @Sendable (Int) throws -> Void
        private let state = Mutex(State())

        init(count: Int, body: @escaping @Sendable (Int) throws -> Void) {
            self.count = count
            self.body = body
        }

        func run() {
            while let i = state.withLock({ state -> Int? in
                guard state.taken < count, state.failure == nil else { return nil }
                state.taken += 1
                return state.taken - 1
            }) {
                do {
                    try body(i)
                } catch {
                    state.withLock { state in
                        if state.failure.map({ i < $0.index }) ?? true { state.failure = (i, error) }
                    }
                }
            }
        }

        func rethrow() throws {
            if let failure = state.withLock({ $0.failure }) { throw failure.error }
        }
    }
}
