import CaseVaultCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// A file that appears at its final path whole or not at all. Bytes go to a `TemporaryFile` in the same
/// folder (unnamed where the system allows it), and `commit()` makes it durable, names it and fsyncs the
/// folder. Dropping the sink without committing (an error, a bad tag) leaves nothing behind.
///
/// A caller that must check what it wrote before the file appears (a decrypted item against its recorded
/// SHA-256) passes a `digest`, which hashes the bytes on the writer's own queue, calls `finish()`, checks,
/// and only then `commit()`s.
public final class AtomicFileSink: ByteSink {
    public let path: String
    private let file: TemporaryFile
    private let overwrite: Bool

    /// Starts a new file that will be named `path` on commit, with permission bits `mode`. With
    /// `overwrite` false, `commit()` refuses to replace an existing file (atomically: `IOError.exists`).
    /// Only regular files can be replaced: renaming over a device such as /dev/null would destroy it, so
    /// an existing non-regular `path` is refused (write to such paths directly instead).
    /// `expectedSize` and `wipes` are `DirectFileWriter`'s.
    public init(
        path: String, mode: mode_t = 0o600, overwrite: Bool = true, digest: Digest? = nil, expectedSize: Int64? = nil,
        wipes: Bool = true
    ) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            if !overwrite { throw IOError(.exists, path: path) }
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFLNK else { throw IOError(.notRegularFile, path: path) }
        }
        self.path = path
        self.overwrite = overwrite
        file = try TemporaryFile(
            in: FileSystem.folder(of: path), mode: mode, digest: digest, expectedSize: expectedSize, wipes: wipes)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws { try file.write(bytes) }

    /// Fills the file with the rest of file `source` by a copy inside the kernel, and has `finish()` feed
    /// `digest` the bytes as written (`DirectFileWriter.copyInKernel`); nil when the kernel would not.
    public func copyInKernel(from source: Int32, readingBackInto digest: Digest) -> Int64? {
        file.copyInKernel(from: source, readingBackInto: digest)
    }

    /// Every byte written so far.
    public var byteCount: UInt64 { file.byteCount }

    /// Writes out what is buffered and makes the file durable, without showing it at `path`: afterwards
    /// the digest has seen every byte. `commit()` calls it when the caller has not.
    public func finish() throws { try file.finish() }

    /// Makes the file durable and visible at `path`.
    public func commit() throws {
        if overwrite { try file.move(to: path) } else { try file.link(at: path) }
    }
}
