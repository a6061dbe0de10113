import CaseVaultCrypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A new file that has no name until it is complete.
///
/// On Linux it is an unnamed `O_TMPFILE` inode in its destination folder: a crash, a SIGKILL or a power
/// cut leaves nothing anyone can open, and the kernel frees it. Only `link(at:)` or `move(to:)` give it a
/// name, after `finish()` made it durable. Where the file system or the process's rights do not allow that
/// (no `O_TMPFILE`, or a kernel that refuses `linkat` of a descriptor), it falls back to a short hidden
/// name (`.cv-<hex>.part`) that is removed on every error path, on Ctrl-C (`InterruptCleanup`), and after a
/// SIGKILL by the next command's `LeftoverFiles.sweep()`.
public final class TemporaryFile: ByteSink {
    /// The folder the file will be named in (a rename cannot cross file systems, so it is created there).
    public let folder: String
    private let writer: DirectFileWriter
    /// The fallback name, while the file has one that is not its final name.
    private var temporaryName: String?
    private var cleanup: [CleanupToken] = []
    private var finishing: Result<Void, Error>?
    private var named = false

    /// The prefix and suffix of fallback names; `LeftoverFiles` removes only names of this shape.
    public static let namePrefix = ".cv-"
    public static let nameSuffix = ".part"

    /// Starts a file in `folder` with permission bits `mode`. The writer options are `DirectFileWriter`'s.
    public init(
        in folder: String, mode: mode_t = 0o600, digest: Digest? = nil,
        ringSize: Int = DirectFileWriter.defaultRingSize, expectedSize: Int64? = nil, wipes: Bool = true
    ) throws {
        self.folder = folder
        if let (fd, direct) = Self.openUnnamed(in: folder, mode: mode) {
            writer = DirectFileWriter(
                adopting: fd, path: nil, direct: direct, digest: digest, ringSize: ringSize,
                expectedSize: expectedSize, wipes: wipes)
            return
        }
        let name = Self.fallbackName(in: folder)
        // Recorded before the file exists, so that no instant has a file nobody would sweep.
        cleanup.append(LeftoverFiles.register(name))
        cleanup.append(InterruptCleanup.remember(name))
        temporaryName = name
        do {
            writer = try DirectFileWriter(
                creating: name, mode: mode, digest: digest, ringSize: ringSize, expectedSize: expectedSize,
                wipes: wipes)
        } catch {
            for token in cleanup { token.release() }
            throw error
        }
    }

    deinit {
        if let temporaryName { unlink(temporaryName) }
        for token in cleanup { token.release() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }

    /// Fills the new file with the rest of file `source` by a copy inside the kernel, and has `finish()`
    /// feed `digest` the bytes as written (`DirectFileWriter.copyInKernel`); nil when the kernel would not.
    public func copyInKernel(from source: Int32, readingBackInto digest: Digest) -> Int64? {
        writer.copyInKernel(from: source, readingBackInto: digest)
    }

    /// Every byte written so far.
    public var byteCount: UInt64 { writer.byteCount }

    /// True when the file has no name at all while it is written (O_TMPFILE).
    public var isUnnamed: Bool { temporaryName == nil }

    /// Writes out what is buffered and makes the data durable (unless `sync` is false, when the caller
    /// syncs the whole file system once for a batch). Idempotent: a failed finish fails every later call.
    public func finish(sync: Bool = true) throws {
        if finishing == nil { finishing = Result { try writer.finish(sync: sync) } }
        try finishing!.get()
    }

    /// Names the finished file `path` (in `folder`), refusing to replace anything: `IOError.exists` if the
    /// name is taken, even if it appeared a moment ago. With `syncFolder`, the new name is made durable.
    public func link(at path: String, syncFolder: Bool = true) throws {
        try finish()
        precondition(!named, "a temporary file is named once")
        if let temporaryName {
            guard FileSystem.link(temporaryName, path) == 0 else {
                throw IOError.system(errno == EEXIST ? .exists : .link, path: path)
            }
            unlink(temporaryName)
            self.temporaryName = nil
        } else {
            try Self.linkDescriptor(writer.fd, at: path)
        }
        named = true
        for token in cleanup { token.release() }
        cleanup = []
        if syncFolder { try FileSystem.syncFolder(FileSystem.folder(of: path)) }
    }

    /// Names the finished file `path` (in `folder`), replacing a regular file of that name atomically.
    public func move(to path: String, syncFolder: Bool = true) throws {
        try finish()
        precondition(!named, "a temporary file is named once")
        if temporaryName == nil {
            // An unnamed file cannot be renamed over another: it gets a fallback name for an instant,
            // once complete and durable, then replaces the target in one rename.
            let name = Self.fallbackName(in: folder)
            cleanup.append(LeftoverFiles.register(name))
            cleanup.append(InterruptCleanup.remember(name))
            try Self.linkDescriptor(writer.fd, at: name)
            temporaryName = name
        }
        guard FileSystem.rename(temporaryName!, path) == 0 else { throw IOError.system(.rename, path: path) }
        temporaryName = nil
        named = true
        for token in cleanup { token.release() }
        cleanup = []
        if syncFolder { try FileSystem.syncFolder(FileSystem.folder(of: path)) }
    }

    // MARK: Unnamed files

    /// O_TMPFILE, from the Linux ABI (it includes O_DIRECTORY); Swift's Glibc module does not export it.
    static let tmpFileFlag: Int32 = 0o20000000 | O_DIRECTORY
    /// AT_EMPTY_PATH: link the descriptor itself.
    static let emptyPathFlag: Int32 = 0x1000

    /// Whether this process may give an O_TMPFILE a name, found once by a probe (it depends on the
    /// kernel and the process's rights, not on the folder): nil until probed.
    private static let linkMethod = Mutex<LinkMethod?>(nil)

    private enum LinkMethod { case emptyPath, procLink, unavailable }

    private static func openUnnamed(in folder: String, mode: mode_t) -> (Int32, Bool)? {
        let method = linkMethod.withLock { method -> LinkMethod? in method }
        if method == .unavailable { return nil }
        // Probed before this file is opened, so that the probe's brief name is gone before anything is
        // written (a SIGKILL while writing then leaves nothing at all).
        if method == nil && !probeLinking(in: folder, mode: mode) { return nil }
        // Read and write: a kernel copy reads its file back to check it (`DirectFileWriter.copyInKernel`).
        var fd = open(folder, tmpFileFlag | O_RDWR | O_CLOEXEC | DirectFileWriter.directFlag, mode)
        var direct = true
        if fd < 0 && errno == EINVAL {
            fd = open(folder, tmpFileFlag | O_RDWR | O_CLOEXEC, mode)
            direct = false
        }
        // EOPNOTSUPP, EISDIR (kernels without tmpFileFlag) and the rest: fall back to a name.
        guard fd >= 0 else { return nil }
        return (fd, direct)
    }

    /// Tries both ways of naming a descriptor on an empty probe file and remembers the one that works.
    private static func probeLinking(in folder: String, mode: mode_t) -> Bool {
        let probe = open(folder, tmpFileFlag | O_WRONLY | O_CLOEXEC, mode)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        let name = fallbackName(in: folder)
        let record = LeftoverFiles.register(name)
        defer { record.release() }
        var found = LinkMethod.unavailable
        for method in [LinkMethod.emptyPath, .procLink] where linkDescriptorRaw(probe, at: name, method) == 0 {
            unlink(name)
            found = method
            break
        }
        linkMethod.withLock { $0 = found }
        return found != .unavailable
    }

    private static func linkDescriptor(_ fd: Int32, at path: String) throws {
        let method = linkMethod.withLock { $0 } ?? .emptyPath
        guard linkDescriptorRaw(fd, at: path, method) == 0 else {
            throw IOError.system(errno == EEXIST ? .exists : .link, path: path)
        }
        FileSystem.trace(.linked(path))
    }

    private static func linkDescriptorRaw(_ fd: Int32, at path: String, _ method: LinkMethod) -> Int32 {
        switch method {
        case .emptyPath: return linkat(fd, "", AT_FDCWD, path, emptyPathFlag)
        case .procLink: return linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, path, AT_SYMLINK_FOLLOW)
        case .unavailable: return -1
        }
    }

    /// A short hidden name in `folder`: 4 + 16 + 5 bytes, whatever the final name's length (a 255-byte
    /// final name must not make the temporary name too long for the file system).
    static func fallbackName(in folder: String) -> String {
        let name = namePrefix + FileSystem.randomHex(8) + nameSuffix
        return folder == "." ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }
}
