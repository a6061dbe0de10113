import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What `restore` made.
public struct RestoreResult: Sendable {
    public let vault: Vault
    /// The log the restored vault holds.
    public let size: Int
    public let items: Int
}

/// What a restored vault lacks compared with what this user's client had verified: the entries after the
/// restored log's end, and the items, cases and members they had added.
public struct RollbackReport: Sendable, Equatable {
    /// Entries the restored vault holds, and entries the client had verified.
    public let restoredSize: Int
    public let seenSize: Int
    public let lostItems: [String]
    public let lostCases: [String]
    public let lostMembers: [String]
}

extension Vault {
    /// Makes a working vault at `target` (missing or an empty folder) from the backup folder `backup`, after
    /// checking the backup whole (`verifyBackup`): the objects (checked against their names again as they
    /// are copied), the key files and the database (SQLite's backup API), then opens it, verifying its log.
    /// On any failure, what was made at `target` is removed.
    public static func restore(from backup: String, to target: String) throws -> RestoreResult {
        let target = normalized(target)
        if FileSystem.exists(target) && !FileSystem.isEmptyDirectory(target) {
            throw BackupError.targetNotEmpty(path: target)
        }
        let report = try verifyBackup(at: backup)
        guard report.problems.isEmpty else { throw BackupError.damaged(path: backup, problems: report.problems) }
        let source = normalized(backup)
        let created = !FileSystem.exists(target)
        do {
            for sub in ["", "/objects", "/keys", "/tmp"] where !FileSystem.isDirectory(target + sub) {
                try FileSystem.makeDirectories(target + sub)
            }
            for name in ObjectFiles.all(in: source) {
                guard try ObjectFiles.copy(name, from: source, to: target) != nil else {
                    throw BackupError.damaged(path: backup, problems: [.objectDamaged(object: name, item: nil)])
                }
            }
            for name in FileSystem.contents(of: source + "/keys") where name.hasSuffix(".age") {
                let bytes = try FileSystem.readSmallRegularFile(
                    "\(source)/keys/\(name)", limit: IdentityFile.maximumSize * 2)
                try FileSystem.writeNewFile("\(target)/keys/\(name)", bytes: bytes)
            }
            try FileSystem.syncFileSystem(holding: target + "/objects")
            try copyDatabase(from: "\(source)/\(databaseName)", to: target)
            let vault = try open(at: target)
            let log = try vault.trusted()
            return RestoreResult(vault: vault, size: log.size, items: log.state.items.count)
        } catch {
            if created { FileSystem.removeTree(target) } else { clearFolder(target) }
            throw error
        }
    }

    /// Copies a backup's database into `target` with SQLite's backup API, under a temporary name that is
    /// fsynced and renamed into place.
    private static func copyDatabase(from source: String, to target: String) throws {
        let temporary = "\(target)/tmp/\(databaseName).\(FileSystem.randomHex(8))"
        defer { unlink(temporary) }
        try mapDatabaseErrors {
            var configuration = Configuration()
            configuration.readonly = true
            let from = try DatabaseQueue(path: source, configuration: configuration)
            let to = try DatabaseQueue(path: temporary)
            try from.backup(to: to)
            try to.close()
            try from.close()
        }
        chmod(temporary, 0o600)
        try FileSystem.syncFile(temporary)
        guard FileSystem.rename(temporary, "\(target)/\(databaseName)") == 0 else {
            throw IOError.system(.rename, path: "\(target)/\(databaseName)")
        }
        try FileSystem.syncFolder(target)
    }

    private static func clearFolder(_ folder: String) {
        for name in FileSystem.contents(of: folder) { FileSystem.removeTree("\(folder)/\(name)") }
    }

    // MARK: Rollback

    /// Compares the vault at `path` (verified whole, without this user's cache) with what this user's client
    /// had verified of it (`stateFolder`): when the client had seen more entries, lists what the vault lacks.
    /// Throws `BackupError.noRollback` when the client had seen no more than the vault holds.
    public static func rollback(at path: String, stateFolder: String) throws -> RollbackReport {
        try rollbackFacts(at: path, stateFolder: stateFolder).report
    }

    /// Accepts a restored vault that holds less than this user's client had verified: lists what it lacks,
    /// forgets the client's verified state of the vault (the next open verifies the whole log again and keeps
    /// that), and records a signed `restore` entry by the member `unlock` returns.
    public static func acceptRollback(
        at path: String, stateFolder: String, keyWorkFactor: Int = ScryptRecipient.defaultWorkFactor,
        unlock: (Vault) throws -> MemberSession
    ) throws -> RollbackReport {
        let (report, vaultID, seenRoot) = try rollbackFacts(at: path, stateFolder: stateFolder)
        // The member unlocks before anything is forgotten: a wrong passphrase leaves the client's verified
        // state as it was, and the rollback still refused.
        let session = try unlock(try open(at: path, keyWorkFactor: keyWorkFactor))
        for suffix in ["", "-wal", "-shm"] { unlink("\(stateFolder)/\(vaultID).sqlite\(suffix)") }
        try FileSystem.syncFolder(stateFolder)
        let vault = try open(at: path, keyWorkFactor: keyWorkFactor, stateFolder: stateFolder)
        try vault.checkSession(session)
        try vault.write { db in
            try vault.appendLog(
                db, .restore, [("seen", String(report.seenSize)), ("seen-root", Base64.encodePadded(seenRoot))],
                by: LogAuthor(session: session), at: vault.clock.timestamp())
        }
        return report
    }

    private static func rollbackFacts(at path: String, stateFolder: String) throws
        -> (report: RollbackReport, vaultID: String, seenRoot: [UInt8])
    {
        let vault = try open(at: path)
        let restored = try vault.trusted()
        guard let seen = try verifiedLog(stateFolder: stateFolder, vaultID: vault.vaultID), seen.size > restored.size
        else { throw BackupError.noRollback(size: restored.size) }
        let lostItems = seen.listingKeys(inCase: nil).compactMap { entry -> (String, Int)? in
            guard let item = seen.item(entry.id), item.index >= restored.size else { return nil }
            return (entry.id, item.index)
        }.sorted { $0.1 < $1.1 }.map(\.0)
        let report = RollbackReport(
            restoredSize: restored.size, seenSize: seen.size, lostItems: lostItems,
            lostCases: Set(seen.state.cases.keys).subtracting(restored.state.cases.keys).sorted(),
            lostMembers: Set(seen.state.members.keys).subtracting(restored.state.members.keys).sorted())
        return (report, vault.vaultID, try seen.frontier.root())
    }
}
