import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Undoes a registration (a path to remove on interrupt, a leftover record) once it is no longer needed.
public struct CleanupToken: Sendable {
    let action: @Sendable () -> Void
    public func release() { action() }
    static let none = CleanupToken {}
}

/// The named temporary files this process is writing, so that an interrupt (Ctrl-C, SIGTERM, a closed
/// terminal) can remove them before the process dies: a half-decrypted output or half-written object must
/// never be left behind, least of all plaintext in a hidden temporary file. (Unnamed O_TMPFILE files need
/// none of this: the kernel frees them with the process.)
///
/// The signal handler may only make async-signal-safe calls, so paths are kept as C strings in a fixed
/// table that the handler reads without locking; registration takes a lock and publishes a slot with a
/// single pointer store.
public enum InterruptCleanup {
    static let capacity = 256
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        table.initialize(repeating: nil, count: capacity)
        return table
    }()
    static let lock = Mutex(())

    /// Remembers `path` for removal on interrupt. When the table is full the file is only removed by the
    /// normal error paths and by `LeftoverFiles`.
    public static func remember(_ path: String) -> CleanupToken {
        let slot = lock.withLock { _ -> Int? in
            for i in 0..<capacity where slots[i] == nil {
                slots[i] = strdup(path)
                return i
            }
            return nil
        }
        guard let slot else { return .none }
        return CleanupToken {
            lock.withLock { _ in
                let old = slots[slot]
                slots[slot] = nil
                free(old)
            }
        }
    }

    /// Removes every remembered file. Async-signal-safe: only unlink(2), no allocation, no lock.
    public static func removeAllForInterrupt() {
        for i in 0..<capacity {
            if let path = slots[i] { unlink(path) }
        }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the remembered files and then exit
    /// with the conventional status 128 + signal.
    public static func installHandlers() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                InterruptCleanup.removeAllForInterrupt()
                _exit(128 + number)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }
}
