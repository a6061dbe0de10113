import Glibc
import Synchronization

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

    /// A readable regular file, or a one-sentence reason why `path` is not one. With `regularFileOnly`,
    /// pipes, devices and sockets are refused too (`add` would block on a FIFO without a writer, or read a
    /// device forever); passphrase files and cards may come from a pipe (`<(…)`).
    static func checkInputFile(_ path: String, what: String = "", regularFileOnly: Bool = false) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CLIError.inputMissing(
                "\(what)\(path) does not exist. Check the path; nothing was changed.")
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw CLIError.usage(
                "\(what)\(path) is a folder. Name the files inside it one by one; nothing was changed.")
        }
        guard !regularFileOnly || (info.st_mode & S_IFMT) == S_IFREG else {
            throw CLIError.usage(
                "\(what)\(path) is not a regular file (a pipe, device or socket). Add regular files only; "
                    + "nothing was changed.")
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

    /// The parts of a vault that users other than the owner may open: the folder, the database (and its WAL
    /// files) and the `objects`, `keys` and `tmp` folders. Files inside those folders are not checked one
    /// by one: objects are ciphertext and key files are checked when they are used; a closed folder
    /// guards them.
    static func openParts(ofVault vault: String) -> [String] {
        let parts =
            [vault]
            + ["vault.sqlite", "vault.sqlite-wal", "vault.sqlite-shm", "objects", "keys", "tmp"].map {
                "\(vault)/\($0)"
            }
        return parts.filter(isOpenToOthers)
    }

    /// Paths already warned about by this process: a warning is given once per command.
    private static let warned = Mutex<Set<String>>([])

    /// Warns once on stderr, with the `chmod` to run, when other users can open parts of the vault.
    static func warnIfOpenToOthers(vault: String) {
        let open = openParts(ofVault: vault)
        guard !open.isEmpty, firstWarning(about: vault) else { return }
        let shown = open.prefix(3).joined(separator: ", ") + (open.count > 3 ? ", …" : "")
        Console.error(
            "casevault: warning: other users can open the vault (\(shown)). Run `chmod -R go-rwx \(shellWord(vault))`.")
    }

    /// Warns once on stderr when other users can read a passphrase file.
    static func warnIfOpenToOthers(passphraseFile path: String, fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 != 0,
            firstWarning(about: path)
        else { return }
        Console.error(
            "casevault: warning: other users can read the passphrase file \(path). Run `chmod 600 \(shellWord(path))`.")
    }

    private static func firstWarning(about path: String) -> Bool {
        warned.withLock { $0.insert(path).inserted }
    }

    /// `path` as one shell word, so that the suggested command can be pasted as it is.
    static func shellWord(_ path: String) -> String {
        let plain = path.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "/._-+,:@%".utf8.contains(byte)
        }
        return plain && !path.isEmpty
            ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
