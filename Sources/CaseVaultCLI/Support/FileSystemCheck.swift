import Glibc

/// Small questions about paths that commands ask in `validate()`, before any work.
enum FileSystemCheck {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func isEmptyDirectory(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// A readable regular file, or a one-sentence reason why `path` is not one.
    static func checkInputFile(_ path: String, what: String = "") throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CLIError.inputMissing(
                "\(what)\(path) does not exist. Check the path; nothing was changed.")
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw CLIError.usage(
                "\(what)\(path) is a folder. Name the files inside it one by one; nothing was changed.")
        }
        guard access(path, R_OK) == 0 else {
            throw CLIError.inputMissing(
                "\(what)\(path) cannot be read (permission denied). Check its permissions.")
        }
    }

    /// True when users other than the owner may read or change `path` (group or other permission bits).
    static func isOpenToOthers(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & 0o077 != 0
    }
}
