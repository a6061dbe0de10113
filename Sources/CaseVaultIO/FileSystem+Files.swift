#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// The size of the regular file at `path`; nil when there is none.
    public static func size(of path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// fsyncs an existing file (one that another library wrote, such as a database copy) so that its
    /// bytes are on disk before it is renamed into place.
    public static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError.system(.open, path: path) }
        defer { close(fd) }
        guard sync(fd, path: path) == 0 else { throw IOError.system(.sync, path: path) }
    }
}
