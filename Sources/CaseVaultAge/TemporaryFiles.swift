import Glibc

/// The temporary files this process is writing, so that an interrupt (Ctrl-C, SIGTERM, a closed terminal)
/// can remove them before the process dies: a half-decrypted output or half-written object must never be
/// left behind, least of all plaintext in a hidden temporary file.
///
/// The signal handler may only make async-signal-safe calls, so paths are kept as C strings in a fixed
/// table that the handler reads without locking; registration takes a lock and publishes a slot with a
/// single pointer store.
public enum TemporaryFiles {
    static let capacity = 256
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        table.initialize(repeating: nil, count: capacity)
        return table
    }()
    nonisolated(unsafe) static var lock = pthread_mutex_t()

    private static func withLock<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return body()
    }

    /// Remembers `path` for removal on interrupt. Returns a token for `forget`, or nil when the table is
    /// full (the file is then only removed by the normal error paths and the next sweep).
    public static func remember(_ path: String) -> Int? {
        withLock {
            for i in 0..<capacity where slots[i] == nil {
                slots[i] = strdup(path)
                return i
            }
            return nil
        }
    }

    /// Stops tracking a path (committed, or removed by its owner).
    public static func forget(_ token: Int?) {
        guard let token else { return }
        withLock {
            let old = slots[token]
            slots[token] = nil
            free(old)
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
    public static func installInterruptHandlers() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                TemporaryFiles.removeAllForInterrupt()
                _exit(128 + number)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }
}
