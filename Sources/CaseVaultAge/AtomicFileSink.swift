import CaseVaultCrypto
import Glibc

/// A file that appears at its final path whole or not at all: bytes go to a temporary file in the same
/// folder, and `commit()` fsyncs it, renames it into place and fsyncs the folder. Dropping the sink without
/// committing (an error, a bad tag, Ctrl-C between the two) removes the temporary file, so a failed
/// decryption never leaves a partial output behind.
///
/// A caller that must check what it wrote before the file appears (a decrypted item against its recorded
/// SHA-256) passes a `digest`, which hashes the bytes on the writer's own queue, calls `finish()`, checks,
/// and only then `commit()`s.
public final class AtomicFileSink: ByteSink {
    public let path: String
    private let temporaryPath: String
    private let stream: DirectFileWriter
    private let overwrite: Bool
    /// How `finish()` went, once it ran: a failed finish must fail every later `commit()` too.
    private var finishing: Result<Void, Error>?
    private var committed = false
    private var interruptToken: Int?

    /// Starts a new file that will be named `path` on commit, with permission bits `mode`. With
    /// `overwrite` false, `commit()` refuses to replace an existing file (atomically, by hard link).
    /// Only regular files can be replaced: renaming over a device such as /dev/null would destroy it, so
    /// an existing non-regular `path` is refused (write to such paths directly instead). With `digest`, every
    /// byte written is also fed to it, in order, off the caller's thread; it is complete once `finish()`
    /// returns.
    public init(path: String, mode: mode_t = 0o600, overwrite: Bool = true, digest: Digest? = nil) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            if !overwrite { throw AgeError.io("\(path) already exists; choose another name or remove it first") }
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFLNK else {
                throw AgeError.io("\(path) exists and is not a regular file; it cannot be replaced")
            }
        }
        self.path = path
        self.overwrite = overwrite
        let folder = AtomicFileSink.folder(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        temporaryPath = (folder == "." && !path.hasPrefix("./") ? "" : folder + "/") + ".\(base).tmp-\(suffix)"
        stream = try DirectFileWriter(creating: temporaryPath, mode: mode, digest: digest)
        interruptToken = TemporaryFiles.remember(temporaryPath)
    }

    deinit {
        if !committed { unlink(temporaryPath) }
        TemporaryFiles.forget(interruptToken)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws { try stream.write(bytes) }

    /// Every byte written so far.
    public var byteCount: UInt64 { stream.byteCount }

    /// Writes out what is buffered and makes the temporary file durable, without showing it at `path`:
    /// afterwards the digest has seen every byte. `commit()` calls it when the caller has not.
    public func finish() throws {
        if finishing == nil { finishing = Result { try stream.finish() } }
        try finishing!.get()
    }

    /// Makes the file durable and visible at `path`.
    public func commit() throws {
        try finish()
        if overwrite {
            guard rename(temporaryPath, path) == 0 else {
                throw AgeError.io("cannot move the finished file to \(path): \(String(cString: strerror(errno)))")
            }
        } else {
            // link(2) fails if the name exists, so a file created since init is never replaced.
            guard link(temporaryPath, path) == 0 else {
                let reason = errno == EEXIST ? "it appeared meanwhile" : String(cString: strerror(errno))
                throw AgeError.io("cannot create \(path): \(reason)")
            }
            unlink(temporaryPath)
        }
        committed = true
        try AtomicFileSink.syncFolder(AtomicFileSink.folder(of: path))
    }

    /// The folder part of `path` ("." for a bare name).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// fsyncs a folder so that a rename inside it survives a crash.
    public static func syncFolder(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AgeError.io("cannot open folder \(folder): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw AgeError.io("fsync of \(folder) failed: \(String(cString: strerror(errno)))")
        }
    }
}
