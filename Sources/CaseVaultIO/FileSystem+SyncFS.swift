internal import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

// Apart from FileSystem.swift: importing the C module there would make its libc types internal ones.
extension FileSystem {
    /// Flushes every file and name of the file system that holds `path` (syncfs): one call makes a batch
    /// of small files durable where an fsync each would cost a disk flush each.
    public static func syncFileSystem(holding path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(.open, path: path) }
        defer { close(fd) }
        guard cv_syncfs(fd) == 0 else { throw IOError.system(.sync, path: path) }
        trace(.fileSystemSynced(path))
    }
}
