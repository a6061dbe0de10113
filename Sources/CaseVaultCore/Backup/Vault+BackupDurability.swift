import CaseVaultIO
import GRDB

/// Which objects of a backup folder are known to be on disk, so that a backup makes durable only the rest
/// before it puts the database that names them in place, instead of a `syncfs` of the whole file system.
///
/// A `syncfs` writes out every dirty page of the destination's file system, not only the backup's: on a
/// disk shared with other work (builds, the benchmark's own `rsync` and `restic` copies) it waited for
/// their writes too, and was the part of an incremental backup that varied most (Docs/PERFORMANCE.md,
/// "Incremental backup profiled"). What a backup needs is narrower. An object is durable once its bytes
/// and its name in `objects/xx` are: every object this run copied is (`ObjectFiles.copy` fsyncs the file
/// before naming it and the folder after), and so is every object the folder's current database names,
/// because the backup that put that database in place made them durable first. Any other object the new
/// copy names (one left by a killed backup, or placed by another process) gets its own fsyncs.
extension Vault {
    /// The objects named by the database of backup folder `folder`; empty when it has none or it cannot be
    /// read (then every object not copied by this run is synced: slower, never wrong). Read-only: opening
    /// it writes nothing into the folder.
    static func objectsNamedByBackupDatabase(in folder: String) -> Set<String> {
        let path = "\(folder)/\(databaseName)"
        guard FileSystem.exists(path) else { return [] }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return Set(try queue.read { db in try String.fetchAll(db, sql: "SELECT object FROM items") })
        } catch {
            return []
        }
    }

    /// Makes durable the objects of `names` in backup folder `folder`: each file's data, the `objects/xx`
    /// folders that name them, and `objects` itself (which names those folders). Nothing to do for none.
    static func syncBackupObjects(_ names: [String], in folder: String) throws {
        guard !names.isEmpty else { return }
        var folders = Set<String>()
        for name in names {
            let path = ObjectFiles.path(name, in: folder)
            try FileSystem.syncFile(path)
            folders.insert(FileSystem.folder(of: path))
        }
        for sub in folders.sorted() { try FileSystem.syncFolder(sub) }
        try FileSystem.syncFolder("\(folder)/objects")
    }
}
