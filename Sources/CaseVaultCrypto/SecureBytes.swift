internal import COpenSSL

/// Secret bytes (keys, file keys, passphrases, shared secrets) in memory that is wiped with
/// `OPENSSL_cleanse` when the last reference goes away and compared only in constant time.
///
/// It is a class so that a secret is never silently copied into a second, unwiped buffer: copies of a
/// `SecureBytes` value share the one allocation.
public final class SecureBytes: @unchecked Sendable {
    // Sendable: the allocation never moves or grows; it is filled by its creator before it is shared, and
    // read-only afterwards, like any buffer handed between threads.
    private let storage: UnsafeMutableRawBufferPointer

    /// The number of secret bytes.
    public var count: Int { storage.count }

    /// Zero-filled secret storage of `count` bytes, to be filled through `withUnsafeMutableBytes`.
    public init(zeroedCount count: Int) {
        precondition(count >= 0)
        // At least one byte, so that the base address is never nil.
        let size = max(count, 1)
        // In a process that enabled OpenSSL's secure heap (the unlock agent), secrets live there: locked
        // memory that is never swapped. When it is full, the ordinary heap takes over.
        if SecureHeap.isEnabled, let pointer = CRYPTO_secure_zalloc(size, nil, 0) {
            base = UnsafeMutableRawBufferPointer(start: pointer, count: size)
            onSecureHeap = true
        } else {
            base = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
            base.initializeMemory(as: UInt8.self, repeating: 0)
            onSecureHeap = false
        }
        storage = UnsafeMutableRawBufferPointer(rebasing: base[0..<count])
    }

    private let base: UnsafeMutableRawBufferPointer
    private let onSecureHeap: Bool

    /// Copies `bytes` into secret storage. The caller remains responsible for wiping its own copy.
    public convenience init<Bytes: Collection>(copying bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(zeroedCount: bytes.count)
        storage.copyBytes(from: bytes)
    }

    /// `count` bytes from the CSPRNG.
    public static func random(count: Int) throws -> SecureBytes {
        let out = SecureBytes(zeroedCount: count)
        try out.withUnsafeMutableBytes { buffer in try SystemRandom.fill(buffer) }
        return out
    }

    deinit {
        if onSecureHeap {
            CRYPTO_secure_clear_free(base.baseAddress, base.count, nil, 0)
        } else {
            OPENSSL_cleanse(base.baseAddress, base.count)
            base.deallocate()
        }
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    public func withUnsafeMutableBytes<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws -> R
    ) rethrows -> R {
        try body(storage)
    }

    /// Constant-time equality (length is not secret).
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        other.withUnsafeBytes { ConstantTime.equals(UnsafeRawBufferPointer(storage), $0) }
    }

    /// The secret's bytes as a new `SecureBytes` holding `range`.
    public func slice(_ range: Range<Int>) -> SecureBytes {
        SecureBytes(copying: UnsafeRawBufferPointer(rebasing: storage[range]))
    }

    /// Copies the secret out into an ordinary array. Only for values that stop being secret (public keys
    /// derived from them are not made this way) or that are about to be written to a protected file.
    public func unsafeExportedBytes() -> [UInt8] { Array(storage) }
}

/// Comparison whose running time does not depend on where two buffers differ.
public enum ConstantTime {
    /// True when both buffers have the same length and contents. Only the lengths leak through timing.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
    }

    public static func equals<A: ContiguousBytes, B: ContiguousBytes>(_ a: A, _ b: B) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equals(pa, pb) } }
    }

    /// Wipes a buffer in a way the compiler cannot optimise away.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        OPENSSL_cleanse(base, buffer.count)
    }

    /// Wipes an array's storage in place.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }
}

/// Anything whose bytes can be read in place: arrays, slices, and `SecureBytes` through its own method.
public protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension SecureBytes: ContiguousBytes {}
extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension UnsafeRawBufferPointer: ContiguousBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(self) }
}
