import CaseVaultIO
import Foundation
import GRDB

/// How a vault's database is opened: for reading and writing, or, on write-protected media, a read-only
/// mount, a backup folder or a folder the user may not write, for reading only. Listing, showing and
/// verifying then work without writing a byte; anything that records an entry is refused with
/// `VaultError.readOnlyVault` before it starts.
enum DatabaseAccess: Sendable, Equatable {
    case readWrite
    /// Read-only. `immutable`: there is no write-ahead log to read, so SQLite is told that nothing changes
    /// the file while it is open (it then needs neither locks nor the `-shm` file, which a read-only
    /// folder could not hold).
    case readOnly(immutable: Bool)

    /// Read-only when asked (`readOnly`), or when the folder or the database may not be written (`EACCES`,
    /// `EROFS`, `EPERM`).
    static func detect(folder: String, database: String, readOnly: Bool) throws -> DatabaseAccess {
        guard readOnly || access(folder, W_OK) != 0 || access(database, W_OK) != 0 else { return .readWrite }
        let wal = database + "-wal"
        guard let size = FileSystem.size(of: wal), size > 0 else { return .readOnly(immutable: true) }
        // Committed changes may sit in the write-ahead log alone: SQLite reads them only with its `-shm`
        // index beside it, which a read-only folder cannot create.
        guard FileSystem.exists(database + "-shm"), access(database + "-shm", R_OK) == 0 else {
            throw VaultError.readOnlyVault(path: folder, pendingLog: true)
        }
        return .readOnly(immutable: false)
    }

    var isReadOnly: Bool { self != .readWrite }

    /// What SQLite opens: the path, or, for an immutable database, a `file:` URI saying so (Debian's SQLite
    /// accepts URIs in file names). `%`, `?` and `#` are escaped, as a URI path requires.
    func location(of database: String) -> String {
        guard self == .readOnly(immutable: true) else { return database }
        var absolute = database.hasPrefix("/") ? database : FileSystem.currentDirectory() + "/" + database
        while absolute.hasPrefix("//") { absolute.removeFirst() }
        var escaped = ""
        for character in absolute.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return "file:\(escaped)?immutable=1"
    }
}
