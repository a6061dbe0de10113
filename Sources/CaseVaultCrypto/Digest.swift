internal import COpenSSL

/// A streaming hash over OpenSSL's EVP digests. One instance owns one `EVP_MD_CTX`.
public final class Digest {
    /// The hash functions CaseVault uses (FIPS 180-4).
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256 = "SHA-256"
        case sha512 = "SHA-512"

        public var outputByteCount: Int {
            switch self {
            case .sha256: 32
            case .sha512: 64
            }
        }

        /// The fetched implementation: OpenSSL 3 looks a legacy `EVP_sha256()` up again at every
        /// `EVP_DigestInit_ex` (an "implicit fetch", with locks), which cost more than hashing 64 bytes; the
        /// Merkle tree hashes thousands of such nodes.
        fileprivate var md: OpaquePointer? {
            switch self {
            case .sha256: FetchedDigest.sha256?.pointer ?? EVP_sha256()
            case .sha512: FetchedDigest.sha512?.pointer ?? EVP_sha512()
            }
        }
    }

    public let algorithm: Algorithm
    private let ctx: OpaquePointer

    public init(_ algorithm: Algorithm) throws {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openSSL("\(algorithm.rawValue) context allocation") }
        self.algorithm = algorithm
        self.ctx = ctx
        try check(EVP_DigestInit_ex(ctx, algorithm.md, nil), "\(algorithm.rawValue) initialisation")
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try check(EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count), "\(algorithm.rawValue) update")
    }

    public func update<Bytes: ContiguousBytes>(_ bytes: Bytes) throws {
        try bytes.withUnsafeBytes { (b: UnsafeRawBufferPointer) in try update(b) }
    }

    /// Starts a new digest on the same context, so a caller hashing many short inputs (the Merkle tree's
    /// nodes) sets up one context instead of one per input.
    public func reset() throws {
        try check(EVP_DigestInit_ex(ctx, algorithm.md, nil), "\(algorithm.rawValue) initialisation")
    }

    /// The digest of everything fed so far. The object cannot be updated afterwards, until `reset()`.
    public func finalize() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: algorithm.outputByteCount)
        var len: UInt32 = 0
        try check(EVP_DigestFinal_ex(ctx, &out, &len), "\(algorithm.rawValue) finalisation")
        return out
    }

    /// One-shot digest of `bytes`.
    public static func hash<Bytes: ContiguousBytes>(_ algorithm: Algorithm, _ bytes: Bytes) throws
        -> [UInt8]
    {
        let d = try Digest(algorithm)
        try d.update(bytes)
        return try d.finalize()
    }
}

/// An `EVP_MD` fetched once per process, freed with it.
private final class FetchedDigest: Sendable {
    // Sendable: a fetched EVP_MD is immutable and OpenSSL allows sharing it between threads.
    nonisolated(unsafe) let pointer: OpaquePointer

    static let sha256 = FetchedDigest("SHA2-256")
    static let sha512 = FetchedDigest("SHA2-512")

    private init?(_ name: String) {
        guard let fetched = EVP_MD_fetch(nil, name, nil) else { return nil }
        pointer = fetched
    }

    deinit { EVP_MD_free(pointer) }
}
