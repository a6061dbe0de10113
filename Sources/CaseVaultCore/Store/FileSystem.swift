import CaseVaultAge
import CaseVaultCrypto
import Glibc

/// The few POSIX file operations the vault needs, with errors turned into `VaultError`s. Everything is
/// created with its final permission bits at `open`/`mkdir` time (never chmod-ed afterwards), so a secret
/// is never readable by others even for an instant.
enum FileSystem {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The permission bits of `path` (e.g. 0o700), or nil when it cannot be stat-ed.
    static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Creates a folder with `mode`; an existing folder is accepted as it is.
    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        if mkdir(path, mode) == 0 { return }
        let code = errno
        if code == EEXIST && isDirectory(path) { return }
        throw VaultError.io(operation: "create the folder \(path)", reason: errorText(code))
    }

    /// The entries of a folder, without `.` and `..`; empty when it cannot be read.
    static func contents(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Seconds since `path` was last modified, or nil when it cannot be stat-ed.
    static func age(of path: String, now: Int) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return now - Int(info.st_mtim.tv_sec)
    }

    static func syncFolder(_ path: String) throws {
        do { try AtomicFileSink.syncFolder(path) } catch {
            throw VaultError.io(operation: "make the folder \(path) durable", reason: "\(error)")
        }
    }

    /// Creates `path` exclusively (never replacing anything) with `mode`, writes `bytes`, fsyncs the file and
    /// its folder. A failure after creation removes the partial file.
    static func writeNewFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o600) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw VaultError.keyFileExists(path: path) }
            throw VaultError.io(operation: "create \(path)", reason: errorText(code))
        }
        let stream = FileDescriptorStream(fd: fd, owned: true)
        do {
            try stream.write(bytes)
            try stream.sync()
        } catch {
            unlink(path)
            throw VaultError.io(operation: "write \(path)", reason: "\(error)")
        }
        try syncFolder(AtomicFileSink.folder(of: path))
    }

    /// Reads a small file whole (key files, cards); refuses anything above `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int, missing: VaultError) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw missing }
            throw VaultError.io(operation: "read \(path)", reason: errorText(code))
        }
        let stream = FileDescriptorStream(fd: fd, owned: true)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<n]
            guard out.count <= limit else {
                throw VaultError.invalidArgument(
                    "\(path) is larger than \(limit) bytes, so it is not a CaseVault key file or card.")
            }
        }
        return out
    }

    /// Opens an input file for reading, refusing folders and reporting missing or unreadable files clearly.
    /// Anything but a regular file is refused before it can block: the file is opened non-blocking (a FIFO
    /// without a writer would otherwise hang `open` forever), checked with `fstat`, and only then switched
    /// back to blocking reads.
    static func openInput(_ path: String) throws -> FileDescriptorStream {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw VaultError.inputNotFound(path: path)
            case EISDIR: throw VaultError.inputIsDirectory(path: path)
            case ENXIO: throw VaultError.inputNotRegularFile(path: path)
            default: throw VaultError.inputUnreadable(path: path, reason: errorText(code))
            }
        }
        let stream = FileDescriptorStream(fd: fd, owned: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw VaultError.inputUnreadable(path: path, reason: errorText()) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: throw VaultError.inputIsDirectory(path: path)
        case S_IFREG: break
        default: throw VaultError.inputNotRegularFile(path: path)
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            throw VaultError.inputUnreadable(path: path, reason: errorText())
        }
        return stream
    }

    /// The last path component, as the file's name in item metadata.
    static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed.split(separator: "/").last.map(String.init) ?? String(trimmed)
    }

    /// Removes a folder tree that this process created (cleanup after a failed `init`). Best effort.
    static func removeTree(_ path: String) {
        if isDirectory(path) {
            for name in contents(of: path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    static func randomHex(_ byteCount: Int) -> String {
        Hex.encode(
            (try? SystemRandom.bytes(count: byteCount)) ?? (0..<byteCount).map { _ in UInt8.random(in: 0...255) })
    }
}
