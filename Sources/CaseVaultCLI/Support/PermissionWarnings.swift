import CaseVaultIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Warnings for a vault or passphrase file that other users can open (after a copy, a restore, an unzip):
/// the data stays encrypted, but a copy of it is the first step of an offline attack. Each says the `chmod`
/// to run, once per command.
enum PermissionWarnings {
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
        return parts.filter(FileSystem.isOpenToOthers)
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
