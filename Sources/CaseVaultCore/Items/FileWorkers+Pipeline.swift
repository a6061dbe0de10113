import CaseVaultIO
import Dispatch
import Synchronization

extension FileWorkers {
    /// Files worked on by helper threads while the caller takes the results in the files' order: a batch
    /// `add` appends (and the unlock agent signs) one item's log entry while the next files are encrypted,
    /// instead of encrypting every file first and then signing on one thread with the other core idle.
    ///
    /// Helpers take the next file not yet taken, as `forEach` does, so files are started in order and at
    /// most one file per helper is open. After a call throws, or after `stop()`, no further index is handed
    /// out. Helpers run with the starting task's `DurabilityTrace`.
    final class Pipeline<Output: Sendable>: Sendable {
        private struct State {
            var results: [Output?]
            var taken = 0
            var running: Int
            var stopped = false
            var failure: (index: Int, error: Error)?
        }
        private let count: Int
        private let body: @Sendable (Int) throws -> Output
        private let state: Mutex<State>
        /// Signalled after each result, failure or helper exit; the consumer re-checks its slot each time.
        private let progress = DispatchSemaphore(value: 0)
        private let group = DispatchGroup()

        /// Starts `threads` helpers (at least one, at most one per core and one per file).
        init(count: Int, threads: Int, _ body: @escaping @Sendable (Int) throws -> Output) {
            let helpers = max(1, min(threads, count, FileWorkers.queues.count))
            self.count = count
            self.body = body
            state = Mutex(State(results: Array(repeating: nil, count: count), running: helpers))
            let trace = DurabilityTrace.current
            for w in 0..<helpers {
                FileWorkers.queues[w].async(group: group) { [self] in
                    DurabilityTrace.$current.withValue(trace) { run() }
                }
            }
        }

        private func run() {
            while let i = state.withLock({ state -> Int? in
                guard state.taken < count, !state.stopped, state.failure == nil else { return nil }
                state.taken += 1
                return state.taken - 1
            }) {
                do {
                    let result = try body(i)
                    state.withLock { $0.results[i] = result }
                } catch {
                    state.withLock { state in
                        if state.failure.map({ i < $0.index }) ?? true { state.failure = (i, error) }
                    }
                }
                progress.signal()
            }
            state.withLock { $0.running -= 1 }
            progress.signal()
        }

        /// The result for file `index`, once a helper has it (waiting until then); it is handed over once.
        /// Throws the error of the lowest failed file once every helper has stopped, if a file failed before
        /// this one was done.
        func take(_ index: Int) throws -> Output {
            while true {
                let outcome = state.withLock { state -> Result<Output, Error>? in
                    if let result = state.results[index] {
                        state.results[index] = nil
                        return .success(result)
                    }
                    guard state.running == 0 else { return nil }
                    // Every helper has stopped without this file: one before it failed (or `stop()` was
                    // called first, which the vault never does).
                    guard let failure = state.failure else {
                        preconditionFailure("file \(index) asked for after stop()")
                    }
                    return .failure(failure.error)
                }
                if let outcome { return try outcome.get() }
                progress.wait()
            }
        }

        /// Returns once every file is done (their results then wait for `take`), or throws the error of the
        /// lowest failed file once every helper has stopped.
        func waitForAll() throws {
            while true {
                let (running, failure) = state.withLock { ($0.running, $0.failure) }
                if running == 0 {
                    if let failure { throw failure.error }
                    return
                }
                progress.wait()
            }
        }

        /// Hands out no further file and returns once every helper has finished the one it had.
        func stop() {
            state.withLock { $0.stopped = true }
            group.wait()
        }
    }
}
