import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a backup folder while a `backup` writes it: `flock` on the empty file
/// `casevault-backup.lock` in the folder. Two backups into one folder at once would remove each other's
/// database copy and race to give the same objects their names; the second now waits for the first and
/// then runs against what it left. The lock ends with the process (the kernel drops it on exit, a kill
/// included), so a killed backup never leaves the folder locked; the file itself stays (removing it
/// would let a third process lock a new file while the second holds the old one).
final class BackupLock {
    static let fileName = "casevault-backup.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Locks `folder` (which exists), calling `whileWaiting` once if another process holds the lock first.
    static func acquire(folder: String, whileWaiting: (() -> Void)?) throws -> BackupLock {
        let path = "\(folder)/\(fileName)"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw IOError.system(.create, path: path) }
        // Closed with the lock, however this returns.
        let lock = BackupLock(descriptor: descriptor)
        guard flock(descriptor, LOCK_EX | LOCK_NB) != 0 else { return lock }
        // A file system without locks (some network and FUSE mounts) cannot serialise backups: such a
        // folder is written as before, unlocked, rather than refused.
        guard errno == EWOULDBLOCK else { return lock }
        whileWaiting?()
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw IOError.system(.open, path: path) }
        }
        return lock
    }
}
