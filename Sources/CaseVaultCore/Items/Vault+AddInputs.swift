import CaseVaultIO

extension Vault {
    /// The files that `add` stores for `paths`, in order: a path that names a folder stands for every
    /// regular file under it, recursively, in `FileSystem.walk`'s order (names in byte order, a
    /// subfolder's files where its name sorts); any other path stands for itself and is checked as an input
    /// later. Links inside a folder are refused rather than followed (one could lead out of the folder, or
    /// round in a loop), and so are FIFOs, sockets and devices: the error names the first such entry. A
    /// folder with no regular file anywhere under it is refused, so that a wrong path does not pass as an
    /// add of nothing. Nothing is opened for reading here.
    public static func expandInputs(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        files.reserveCapacity(paths.count)
        for path in paths {
            guard FileSystem.isDirectory(path) else {
                files.append(path)
                continue
            }
            let before = files.count
            do {
                try FileSystem.walk(path) { entry, kind in
                    switch kind {
                    case .regularFile: files.append(entry)
                    case .folder: break
                    case .link: throw VaultError.inputIsLink(path: entry)
                    case .other: throw VaultError.inputNotRegularFile(path: entry)
                    }
                }
            } catch let error as IOError {
                throw VaultError.inputUnreadable(path: error.path ?? path, errno: error.errno)
            }
            if files.count == before { throw VaultError.invalidAdd(.emptyFolder(path: path)) }
        }
        return files
    }
}
