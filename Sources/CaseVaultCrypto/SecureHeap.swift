internal import COpenSSL
import Glibc

/// Protection for a process that holds keys for a long time (the unlock agent); short commands do not
/// need it.
public enum SecureHeap {
    /// Enables OpenSSL's secure heap with `size` bytes (a power of two): a locked (never swapped),
    /// guard-paged arena left out of core dumps, where OpenSSL then keeps X25519 and Ed25519 private keys.
    /// Returns false when the system refused (a low RLIMIT_MEMLOCK, say); keys then live on the ordinary
    /// heap and everything still works.
    @discardableResult
    public static func enable(size: Int = 1 << 16) -> Bool {
        if CRYPTO_secure_malloc_initialized() == 1 { return true }
        // 1: enabled and locked; 2: enabled, but some of the protection (mlock, guard pages) failed.
        return CRYPTO_secure_malloc_init(size, 32) == 1
    }

    /// Whether private keys created from now on go to the secure heap.
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
