internal import COpenSSL

/// The CSPRNG: OpenSSL's `RAND_bytes`, whose result is always checked.
public enum SystemRandom {
    /// Fills `buffer` with random bytes or throws; never returns predictable output.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws {
        var offset = 0
        // RAND_bytes takes an Int32 length; fill huge buffers in pieces.
        while offset < buffer.count {
            let n = min(buffer.count - offset, 1 << 30)
            let rc = RAND_bytes(buffer.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), Int32(n))
            try check(rc, "random number generation")
            offset += n
        }
    }

    /// `count` random bytes that are not secret (salts, nonces, ids).
    public static func bytes(count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { (b) in try fill(b) }
        return out
    }
}
