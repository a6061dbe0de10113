import CaseVaultCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// The POSIX file operations CaseVault needs, each failing with an `IOError` that carries the path and
/// the `errno` of the moment. Everything is created with its final permission bits at `open`/`mkdir` time
/// (never chmod-ed afterwards), so a secret is never readable by others even for an instant.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isEmptyDirectory(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// The permission bits of `path` (e.g. 0o700), or nil when it cannot be stat-ed.
    public static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// True when users other than the owner may read or change `path` (group or other permission bits).
    public static func isOpenToOthers(_ path: String) -> Bool {
        mode(of: path).map { $0 & 0o077 != 0 } ?? false
    }

    /// Seconds since `path` was last modified, or nil when it cannot be stat-ed.
    public static func age(of path: String, now: Int) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return now - Int(info.st_mtim.tv_sec)
    }

    /// Creates a folder with `mode`; an existing folder is accepted as it is.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        if mkdir(path, mode) == 0 { return }
        let code = errno
        if code == EEXIST && isDirectory(path) { return }
        throw IOError(.makeFolder, path: path, errno: code)
    }

    /// Creates a folder and any missing parents, each with `mode`.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        if isDirectory(path) { return }
        let parent = folder(of: path)
        if parent != path && parent != "." && parent != "/" { try makeDirectories(parent, mode: mode) }
        try makeDirectory(path, mode: mode)
    }

    /// The entries of a folder, without `.` and `..`; empty when it cannot be read.
    public static func contents(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// The folder part of `path` ("." for a bare name).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last path component.
    public static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
    }

    public static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// fsyncs a folder so that a new name inside it survives a crash.
    public static func syncFolder(_ folder: String) throws {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(.open, path: folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw IOError.system(.sync, path: folder) }
        trace(.folderSynced(folder))
    }

    /// fsync(2), traced.
    static func sync(_ fd: Int32, path: String?) -> Int32 {
        let rc = fsync(fd)
        if rc == 0 { trace(.fileSynced(path)) }
        return rc
    }

    /// rename(2), traced.
    public static func rename(_ from: String, _ to: String) -> Int32 {
        let rc = Glibc.rename(from, to)
        if rc == 0 { trace(.renamed(to)) }
        return rc
    }

    /// link(2), traced.
    public static func link(_ from: String, _ to: String) -> Int32 {
        let rc = Glibc.link(from, to)
        if rc == 0 { trace(.linked(to)) }
        return rc
    }

    /// Creates `path` exclusively (never replacing anything) with `mode`, writes `bytes`, and with `sync`
    /// fsyncs the file and its folder. A failure after creation removes the partial file.
    public static func writeNewFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o600, sync: Bool = true) throws {
        let stream = try FileDescriptorStream(writingTo: path, mode: mode, exclusive: true)
        do {
            try stream.write(bytes)
            if sync { try stream.sync() }
        } catch {
            unlink(path)
            throw error
        }
        if sync { try syncFolder(folder(of: path)) }
    }

    /// Reads a small file whole (key files, cards, records); `IOError.tooLarge` above `limit` bytes.
    public static func readSmallFile(_ path: String, limit: Int) throws -> [UInt8] {
        try FileDescriptorStream(readingFrom: path).readToEnd(limit: limit, path: path)
    }

    /// `readSmallFile` of a file in a folder someone else may have written (a vault, a backup): only a
    /// regular file is read, so a FIFO or a device put there makes a clear error, never a hang.
    public static func readSmallRegularFile(_ path: String, limit: Int) throws -> [UInt8] {
        try openRegularFile(path).readToEnd(limit: limit, path: path)
    }

    /// Opens an existing regular file for reading. A FIFO, socket or device is refused before anything
    /// could block on it (the open itself is non-blocking; a FIFO with no writer would otherwise hang).
    public static func openRegularFile(_ path: String) throws -> FileDescriptorStream {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw IOError.system(.open, path: path) }
        let stream = FileDescriptorStream(fd: fd, owned: true, path: path)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IOError.system(.status, path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw IOError(.notRegularFile, path: path, errno: info.st_mode & S_IFMT == S_IFDIR ? EISDIR : nil)
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            throw IOError.system(.open, path: path)
        }
        return stream
    }

    /// Removes a folder tree that this process created (cleanup after a failed `init`). Best effort.
    public static func removeTree(_ path: String) {
        if isDirectory(path) {
            for name in contents(of: path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// `byteCount` random bytes from the system's generator, as lowercase hex.
    public static func randomHex(_ byteCount: Int) -> String {
        let bytes =
            (try? SystemRandom.bytes(count: byteCount)) ?? (0..<byteCount).map { _ in UInt8.random(in: 0...255) }
        return Hex.encode(bytes)
    }
}

extension FileSystem {
    /// The longest file name, in bytes, that the file system holding `folder` accepts (255 where it
    /// cannot be asked).
    public static func nameLimit(in folder: String) -> Int {
        let limit = pathconf(folder, Int32(_PC_NAME_MAX))
        return limit > 0 ? limit : 255
    }
}

extension FileSystem {
    /// True for a regular file (following links).
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
