import Dispatch
import Synchronization

/// One piece of work run on another thread while the caller does its own, then waited for: `wait()`
/// throws what the work threw. A caller that leaves early (an error of its own) still waits, so that
/// nothing it started outlives it.
public final class BackgroundWork: Sendable {
    private let group = DispatchGroup()
    private let failure = Mutex<(any Error)?>(nil)

    /// Starts `body` at once on a thread of the system's pool.
    public init(_ body: @escaping @Sendable () throws -> Void) {
        group.enter()
        // A dispatched block does not inherit the caller's task-local values: the durability trace a test
        // follows is handed over, so that the work's fsyncs are in it.
        let trace = DurabilityTrace.current
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            DurabilityTrace.$current.withValue(trace) {
                do { try body() } catch { failure.withLock { $0 = error } }
            }
            group.leave()
        }
    }

    /// Waits until the work is done, and throws its error, if it had one.
    public func wait() throws {
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
