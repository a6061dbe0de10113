internal import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// Protection for a process that holds keys for a long time (the unlock agent); short commands do not
/// need it.
public enum SecureHeap {
    /// What `enable` achieved.
    public enum Protection: Sendable {
        /// Secrets go to a locked (never swapped), guard-paged arena.
        case locked
        /// The arena works, but the system refused to lock it (a low RLIMIT_MEMLOCK): it may be swapped.
        case unlocked
        /// No secure heap; secrets live on the ordinary heap.
        case unavailable
    }

    /// Enables OpenSSL's secure heap with `size` bytes (a power of two): an arena left out of core dumps,
    /// locked in memory when the system allows, where `SecureBytes` and OpenSSL's own private keys are then
    /// allocated. The soft RLIMIT_MEMLOCK is first raised to the hard one.
    @discardableResult
    public static func enable(size: Int = 1 << 20) -> Protection {
        if isEnabled { return .locked }
        var limit = rlimit()
        let memlock = __rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue)
        if getrlimit(memlock, &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(memlock, &limit)
        }
        switch CRYPTO_secure_malloc_init(size, 32) {
        case 1: return .locked
        case 2: return .unlocked
        default: return .unavailable
        }
    }

    /// Locks every page of the process, present and future, in memory, so that nothing (OpenSSL 3.0's own
    /// copy of an imported private key included, which it keeps off the secure heap) can be swapped out.
    /// Usually refused to ordinary users, whose RLIMIT_MEMLOCK (8 MiB) is far below what a Swift process
    /// maps; the secure heap then still covers CaseVault's own copies.
    public static func lockAllMemory() -> Bool {
        mlockall(MCL_CURRENT | MCL_FUTURE) == 0
    }

    /// Whether secrets allocated from now on go to the secure heap.
    public static var isEnabled: Bool { CRYPTO_secure_malloc_initialized() == 1 }

    /// No core dumps, and no ptrace by other processes of the same user (which could otherwise read the
    /// keys out of memory). Returns false if either could not be set.
    @discardableResult
    public static func hardenProcess() -> Bool {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        let noCore = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none) == 0
        return cv_set_undumpable() == 0 && noCore
    }
}
