#if canImport(Glibc)
    import Glibc
#endif

extension FileSystem {
    /// What a name inside a folder is, as `lstat` sees it: a link is reported as a link, never followed.
    public enum EntryKind: Sendable, Equatable {
        case regularFile
        case folder
        case link
        /// A FIFO, socket or device.
        case other
    }

    /// Visits every name under `folder`, recursively, in a stable order: the names of each folder in byte
    /// order of their UTF-8, a subfolder's contents where its name sorts (so `a/z.jpg` comes before
    /// `b.jpg`). `visit` gets the path (`folder/relative/path`) and what it is; folders are visited before
    /// their contents, links are not followed. Throws `IOError` (with the folder's path) when a folder
    /// cannot be listed.
    public static func walk(_ folder: String, visit: (String, EntryKind) throws -> Void) throws {
        guard let dir = opendir(folder) else { throw IOError.system(.readFolder, path: folder) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        // Byte order, not Swift's String order (which compares Unicode canonical equivalents as equal).
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        for name in names {
            let path = prefix + name
            var info = stat()
            guard lstat(path, &info) == 0 else { throw IOError.system(.status, path: path) }
            let kind: EntryKind =
                switch info.st_mode & S_IFMT {
                case S_IFREG: .regularFile
                case S_IFDIR: .folder
                case S_IFLNK: .link
                default: .other
                }
            try visit(path, kind)
            if kind == .folder { try walk(path, visit: visit) }
        }
    }
}
