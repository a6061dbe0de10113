import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The verified cache decides what the client trusts (the keys it encrypts to, the facts it reports), so
/// nobody but the user may be able to change it: whoever could would make the client encrypt to their key.
/// Its folder and file are made 0700 and 0600; one found otherwise is refused with what to run, never
/// used or repaired behind the user's back.
extension VerifiedCache {
    /// Refuses `path` (a folder when `folder`, else the state file or its `-wal`/`-shm`) when it is a
    /// symbolic link, not of that kind, not owned by this user, or writable by group or others. A missing
    /// file passes: SQLite makes `-wal` and `-shm` with the state file's mode.
    static func checkPrivate(_ path: String, folder: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT && !folder { return }
            throw VaultError.verifiedStateUnsafe(path: path, problem: .cannotInspect(errno: code))
        }
        let kind = info.st_mode & S_IFMT
        guard kind != S_IFLNK else { throw VaultError.verifiedStateUnsafe(path: path, problem: .symbolicLink) }
        guard kind == (folder ? S_IFDIR : S_IFREG) else {
            throw VaultError.verifiedStateUnsafe(path: path, problem: .wrongKind)
        }
        guard info.st_uid == geteuid() else {
            throw VaultError.verifiedStateUnsafe(path: path, problem: .ownedByAnotherUser)
        }
        guard info.st_mode & 0o022 == 0 else {
            throw VaultError.verifiedStateUnsafe(
                path: path, problem: .writableByOthers(mode: UInt32(info.st_mode & 0o7777)))
        }
    }

    /// SQLite's answers for a file that is not, or no longer, a readable database (garbage, truncation).
    static func meansDamaged(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
    }
}
