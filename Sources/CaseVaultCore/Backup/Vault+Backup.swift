import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What `backup` did.
public struct BackupResult: Sendable {
    /// The folder's manifest as now written.
    public let manifest: BackupManifest
    /// Objects (and their bytes) this run copied; the rest were in the folder already.
    public let copiedObjects: Int
    public let copiedBytes: Int64
    /// Members whose key files are not in the vault (added with a card): no backup holds their keys, so
    /// each must keep their own key file, and its passphrase, somewhere safe.
    public let membersWithOwnKeyFiles: [String]
    /// Objects replaced by a re-encryption that this backup made safe to remove, and removed
    /// (`Vault+Superseded.swift`).
    public var prunedObjects: [String] = []
}

/// A backup folder is laid out like a vault (so `restore` is a copy back, and the escape hatch of
/// Docs/FORMAT.md works on it as on the vault), plus its manifest and the latest checkpoint:
///
///     DEST/                   0700
///       casevault-backup.json the manifest, written last
///       casevault-backup.partial  the vault id, written first into a new folder, removed after the manifest
///       vault.sqlite          the database, copied with SQLite's online backup (one file, no WAL)
///       checkpoint            the latest signed checkpoint of the log the copy holds
///       objects/xx/…          the encrypted payloads, copied once each, checked against their names
///       keys/NAME.age         the passphrase-protected key files kept in the vault
///       tmp/                  files being written
extension Vault {
    static let checkpointFileName = "checkpoint"
    /// Written first into a new backup folder, holding the vault's id, and removed once the first manifest is
    /// in place: a first backup interrupted before then (killed, a full disk) is resumed by the next `backup`
    /// of the same vault instead of being refused as a folder that is no backup.
    static let partialMarkerName = "casevault-backup.partial"

    /// Copies the vault to the backup folder `destination` (created if missing), incrementally: objects the
    /// folder holds already are not copied again. The database is copied with SQLite's online backup, so the
    /// vault stays usable meanwhile; the objects the copy names are copied first (each checked against its
    /// name; `progress` gets bytes copied and bytes to copy), then the database and the checkpoint, then the manifest. The backup is recorded as a signed
    /// `backup.done` entry by `session`'s member. A folder of another vault, or a non-empty folder that is no
    /// backup, is refused and left as it is.
    public func backup(
        to destination: String, by session: MemberSession, progress: ((Int64, Int64) -> Void)? = nil
    ) throws -> BackupResult {
        try checkSession(session)
        try refreshTrust()
        let folder = Self.normalized(destination)
        let previous = try Self.backupFolder(folder, vaultID: vaultID)
        let marker = "\(folder)/\(Self.partialMarkerName)"
        if previous == nil && !FileSystem.exists(marker) {
            if !FileSystem.isDirectory(folder) { try FileSystem.makeDirectories(folder) }
            try FileSystem.writeNewFile(marker, bytes: Array(vaultID.utf8))
            try FileSystem.syncFolder(folder)
        }
        for sub in ["", "/objects", "/keys", "/tmp"] where !FileSystem.isDirectory(folder + sub) {
            try FileSystem.makeDirectories(folder + sub)
        }
        // A database copy left by a backup that was killed is of no use: the copy is made again.
        for name in FileSystem.contents(of: folder + "/tmp") where name.hasPrefix("vault.sqlite.") {
            unlink("\(folder)/tmp/\(name)")
        }
        let copyPath = "\(folder)/tmp/vault.sqlite.\(FileSystem.randomHex(8))"
        defer {
            unlink(copyPath)
            unlink(copyPath + "-journal")
        }
        let known = Self.objectsNamedByBackupDatabase(in: folder)
        let held = try copyDatabase(to: copyPath)
        var copiedBytes: Int64 = 0
        var heldBytes: Int64 = 0
        let missing = held.objects.filter { !FileSystem.exists(ObjectFiles.path($0, in: folder)) }
        let total = missing.reduce(Int64(0)) { $0 + (FileSystem.size(of: objects.path(of: $1)) ?? 0) }
        // The objects the copy names are durable before the database that names them is in place: those
        // copied now (below) and those the folder's database named already are; the rest are synced one by
        // one (Vault+BackupDurability.swift), and the keys folder, which a killed backup may have left
        // unsynced. Those syncs and the database copy's run beside the object copies, which mostly wait for
        // the disk: their journal commits ride along with the objects' fsyncs.
        let copying = Set(missing)
        let leftovers = held.objects.filter { !copying.contains($0) && !known.contains($0) }
        let beside = BackgroundWork {
            try Self.syncBackupObjects(leftovers, in: folder)
            try FileSystem.syncFolder(folder + "/keys")
            try FileSystem.syncFile(copyPath)
        }
        do {
            for name in missing {
                progress?(copiedBytes, total)
                let subject = VaultError.Subject.item(held.itemOf[name] ?? name)
                guard FileSystem.exists(objects.path(of: name)) else {
                    throw VaultError.missingObject(subject: subject, path: objects.path(of: name))
                }
                guard let size = try ObjectFiles.copy(name, from: path, to: folder) else {
                    throw VaultError.integrityFailure(subject: subject, damage: .sha256Mismatch)
                }
                copiedBytes += size
            }
        } catch {
            try? beside.wait()
            throw error
        }
        try beside.wait()
        progress?(copiedBytes, max(total, copiedBytes))
        // After the objects, as before: a backup that failed on an object leaves the folder's key files as
        // they were, beside the database they go with.
        try copyKeyFiles(to: folder)
        for name in held.objects { heldBytes += FileSystem.size(of: ObjectFiles.path(name, in: folder)) ?? 0 }
        unlink(folder + "/vault.sqlite-journal")
        guard FileSystem.rename(copyPath, folder + "/vault.sqlite") == 0 else {
            throw IOError.system(.rename, path: folder + "/vault.sqlite")
        }
        try FileSystem.syncFolder(folder)
        let checkpoint = try AtomicFileSink(path: "\(folder)/\(Self.checkpointFileName)", mode: 0o600)
        try checkpoint.write(held.checkpoint)
        try checkpoint.commit()
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat, backupID: previous?.backupID ?? FileSystem.randomHex(16),
            vaultID: vaultID, size: held.size, root: Hex.encode(held.root), objects: held.objects.count,
            bytes: heldBytes, time: clock.timestamp())
        try manifest.save(in: folder)
        if FileSystem.exists(marker) {
            unlink(marker)
            try FileSystem.syncFolder(folder)
        }
        try write { db in
            try appendLog(
                db, .backupDone,
                [
                    ("backup", manifest.backupID), ("size", String(held.size)),
                    ("root", Base64.encodePadded(held.root)), ("objects", String(manifest.objects)),
                    ("bytes", String(manifest.bytes)),
                ], by: LogAuthor(session: session), at: manifest.time)
        }
        var result = BackupResult(
            manifest: manifest, copiedObjects: missing.count, copiedBytes: copiedBytes,
            membersWithOwnKeyFiles: try trusted().state.members.filter { !$0.value.removed }.keys.filter {
                !FileSystem.exists(keyFilePath(for: $0))
            }.sorted())
        result.prunedObjects = try pruneSuperseded(heldBy: folder, heldSize: held.size)
        return result
    }

    /// The manifest of a backup folder of this vault; nil for a folder that is missing or empty, or that holds
    /// a first backup of this vault that was interrupted. Refuses a folder of another vault, and a non-empty
    /// folder without a manifest or a marker of this vault.
    static func backupFolder(_ folder: String, vaultID: String) throws -> BackupManifest? {
        guard FileSystem.exists(folder), !FileSystem.isEmptyDirectory(folder) else { return nil }
        guard let manifest = try BackupManifest.load(from: folder) else {
            // A first backup that was interrupted: resumed by the same vault, refused to any other.
            guard let marker = try? FileSystem.readSmallRegularFile("\(folder)/\(partialMarkerName)", limit: 64) else {
                throw BackupError.notABackup(path: folder)
            }
            let owner = String(decoding: marker, as: UTF8.self)
            guard owner == vaultID else { throw BackupError.otherVault(path: folder, vaultID: owner) }
            return nil
        }
        guard manifest.vaultID == vaultID else {
            throw BackupError.otherVault(path: folder, vaultID: manifest.vaultID)
        }
        return manifest
    }

    /// What a database copy holds: its verified log's size and root, its latest checkpoint, and the objects
    /// its items name (with an item naming each, for messages).
    struct HeldCopy {
        var size: Int
        var root: [UInt8]
        var checkpoint: [UInt8]
        var objects: [String]
        var itemOf: [String: String]
    }

    /// Copies the database to `copyPath` with SQLite's online backup API (a consistent snapshot, taken
    /// while other processes keep working), and verifies the copy's log as an extension of what this
    /// process verified: a copy is never of a history the vault would refuse.
    private func copyDatabase(to copyPath: String) throws -> HeldCopy {
        try Self.mapDatabaseErrors {
            // No fsync per page: the copy is fsynced once, whole, before it is renamed into place, and a
            // copy cut short is removed by the next backup.
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
            let copy = try DatabaseQueue(path: copyPath, configuration: configuration)
            try database.backup(to: copy)
            var log = try trusted()
            let held = try copy.read { db -> HeldCopy in
                try log.catchUp(db)
                // The copy's rows must be the log's: a header swapped for another item's, or a deleted item
                // row, would otherwise replace the backup's good copy.
                let problems = RowCheck.named(db, signed: try Self.signedItems(log), state: log.state)
                guard problems.isEmpty else { throw BackupError.vaultDisagreesWithLog(problems) }
                let rows = try Row.fetchAll(db, sql: "SELECT id, object FROM items ORDER BY id")
                guard
                    let note = try Data.fetchOne(db, sql: "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
                else { throw SignedLogError.checkpoint(.missing) }
                var itemOf: [String: String] = [:]
                for row in rows { itemOf[row["object"]] = row["id"] }
                return HeldCopy(
                    size: log.size, root: try log.frontier.root(), checkpoint: [UInt8](note),
                    objects: itemOf.keys.sorted(), itemOf: itemOf)
            }
            // One file in rollback-journal mode: a reader of the backup (read-only media, `sqlite3`, the
            // escape hatch) needs no -wal or -shm beside it, and opening it read-only writes nothing.
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
            chmod(copyPath, 0o600)
            return held
        }
    }

    /// Copies the key files kept in the vault (each passphrase-protected: an age scrypt file) to the backup.
    private func copyKeyFiles(to folder: String) throws {
        for name in FileSystem.contents(of: keysPath) where name.hasSuffix(".age") {
            let bytes = try FileSystem.readSmallRegularFile("\(keysPath)/\(name)", limit: IdentityFile.maximumSize * 2)
            let target = "\(folder)/keys/\(name)"
            if (try? FileSystem.readSmallRegularFile(target, limit: IdentityFile.maximumSize * 2)) == bytes { continue }
            let file = try AtomicFileSink(path: target, mode: 0o600)
            try file.write(bytes)
            try file.commit()
        }
    }
}
