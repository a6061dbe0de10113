import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// What the file layer's failures mean when the file is one the user named: an input to add, a key file,
/// a card. Everything else keeps its `IOError`.
enum VaultFiles {
    /// Opens an input file for reading. Missing paths, folders, FIFOs, sockets and devices are refused
    /// before anything could block on them.
    static func openInput(_ path: String) throws -> FileDescriptorStream {
        do { return try FileSystem.openRegularFile(path) } catch let error as IOError {
            switch (error.code, error.errno) {
            case (_, ENOENT), (_, ENOTDIR): throw VaultError.inputNotFound(path: path)
            case (_, EISDIR): throw VaultError.inputIsDirectory(path: path)
            case (.notRegularFile, _), (_, ENXIO): throw VaultError.inputNotRegularFile(path: path)
            default: throw VaultError.inputUnreadable(path: path, errno: error.errno)
            }
        }
    }

    /// Reads a small file whole (key files, cards); `missing` when it does not exist.
    static func readSmallFile(_ path: String, limit: Int, missing: VaultError) throws -> [UInt8] {
        do { return try FileSystem.readSmallFile(path, limit: limit) } catch let error as IOError {
            if error.errno == ENOENT { throw missing }
            if error.code == .tooLarge { throw VaultError.fileTooLarge(path: path, limit: limit) }
            throw error
        }
    }

    /// Creates a key file or card, never replacing one.
    static func writeNewFile(_ path: String, bytes: [UInt8], mode: mode_t = 0o600) throws {
        do { try FileSystem.writeNewFile(path, bytes: bytes, mode: mode) } catch let error as IOError
            where error.code == .exists
        {
            throw VaultError.keyFileExists(path: path)
        }
    }
}
