import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation
import GRDB

/// What `backup verify` found in a backup folder.
public struct BackupReport: Sendable {
    public let manifest: BackupManifest
    /// The log the folder's database holds: entries and root (hex).
    public let size: Int
    public let root: String
    /// Objects checked against their names.
    public let objects: Int
    /// Every problem found; empty when the backup is sound.
    public let problems: [BackupProblem]
    /// What this user's client had verified of the vault, when it had: a backup shorter than it is older
    /// than what the client has seen, and restoring it is a rollback.
    public let verifiedSize: Int?
    /// The size of the kept checkpoint checked against, when one was given.
    public let checkpointSize: Int?
    /// Set when the last backup to the folder was interrupted after its database was put in place: the
    /// manifest (and perhaps the checkpoint file) still describe the backup before, of this many entries,
    /// whose log the database's extends. Everything else was checked as usual; the next backup finishes it.
    public var interruptedAfter: Int? = nil

    public var isOlderThanVerified: Bool { verifiedSize.map { size < $0 } ?? false }
    /// The backup holds fewer entries than the kept checkpoint: it is older than that checkpoint.
    public var isOlderThanCheckpoint: Bool { checkpointSize.map { size < $0 } ?? false }
}

extension Vault {
    /// Checks a backup folder on its own, with no key and without writing to it: every object's bytes against
    /// its name, and every signed item's object present; `PRAGMA integrity_check` of the database; the whole
    /// log replayed from genesis and its latest checkpoint; the manifest and the kept checkpoint against the
    /// log; and, with `stateFolder`, that the log extends what this user's client verified (or is a prefix
    /// of it in size: an older backup); with `keptCheckpoint` (a checkpoint note the vault or an auditor kept),
    /// that it is signed by a member of this vault and that the backup's log extends it, or is older than it.
    /// Names every problem.
    public static func verifyBackup(
        at folder: String, stateFolder: String? = nil, keptCheckpoint: [UInt8]? = nil
    ) throws -> BackupReport {
        let folder = normalized(folder)
        guard let manifest = try BackupManifest.load(from: folder) else { throw BackupError.notABackup(path: folder) }
        var problems: [BackupProblem] = []
        var configuration = Configuration()
        configuration.readonly = true
        var replay: (report: AuditReport, trusted: TrustedLog)?
        var checkpoint: [UInt8]?
        var leaves: [[UInt8]] = []
        do {
            let queue = try DatabaseQueue(path: "\(folder)/\(databaseName)", configuration: configuration)
            let read = try queue.read { db in
                let replay = try replayWholeLog(db)
                return (
                    integrity: try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                    checkpoint: try Data.fetchOne(
                        db, sql: "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1"
                    ).map { [UInt8]($0) },
                    leaves: try Data.fetchAll(db, sql: "SELECT leaf_hash FROM log_entries ORDER BY idx").map {
                        [UInt8]($0)
                    },
                    replay: replay,
                    rows: replay.report.problems.isEmpty
                        ? RowCheck.named(
                            db,
                            signed: replay.trusted.state.items.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                            state: replay.trusted.state) : []
                )
            }
            try queue.close()
            if read.integrity != ["ok"] {
                problems.append(.databaseDamaged(read.integrity.prefix(5).joined(separator: "; ")))
            }
            problems += read.rows
            (checkpoint, leaves, replay) = (read.checkpoint, read.leaves, read.replay)
        } catch let error as DatabaseError {
            problems.append(.databaseUnreadable(error.message ?? "SQLite error \(error.resultCode.rawValue)"))
        }
        guard let replay else {
            return BackupReport(
                manifest: manifest, size: 0, root: "", objects: 0, problems: problems, verifiedSize: nil,
                checkpointSize: nil)
        }
        problems += replay.report.problems.map { .log($0) }
        let state = replay.trusted.state
        // A backup puts its database in place, then the checkpoint, then the manifest: killed in between, it
        // leaves a manifest of the backup before, whose tree the new database's log extends.
        var interruptedAfter: Int?
        if state.vaultID != manifest.vaultID || replay.report.size != manifest.size
            || replay.report.root != manifest.root
        {
            if replay.report.problems.isEmpty, state.vaultID == manifest.vaultID, manifest.size > 0,
                manifest.size < leaves.count,
                (try? root(of: leaves.prefix(manifest.size))).map(Hex.encode) == manifest.root.lowercased()
            {
                interruptedAfter = manifest.size
            } else {
                problems.append(.manifestMismatch("it names another vault or tree than the database's log"))
            }
        }
        let kept = try? FileSystem.readSmallRegularFile("\(folder)/\(checkpointFileName)", limit: 64 * 1024)
        if kept == nil || kept != checkpoint {
            // After an interrupted backup the file may still be the backup before's: a checkpoint of this vault,
            // signed by a member, whose tree the log extends.
            var keptProblems: [BackupProblem] = []
            if interruptedAfter == nil || kept == nil
                || checkKept(kept ?? [], state: state, leaves: leaves, problems: &keptProblems) == nil
                || !keptProblems.isEmpty
            {
                problems.append(.checkpointMismatch)
            }
        }
        let (objectProblems, checked) = checkObjects(in: folder, items: state.items)
        problems += objectProblems
        var verifiedSize: Int?
        var keptSize: Int?
        if let keptCheckpoint, replay.report.problems.isEmpty {
            keptSize = checkKept(keptCheckpoint, state: state, leaves: leaves, problems: &problems)
        }
        if let stateFolder, let vaultID = state.vaultID, replay.report.problems.isEmpty,
            let verified = try verifiedLog(stateFolder: stateFolder, vaultID: vaultID)
        {
            verifiedSize = verified.size
            if leaves.count >= verified.size, verified.size > 0,
                (try? root(of: leaves.prefix(verified.size))) != (try verified.frontier.root())
            {
                problems.append(.notConsistentWithVerified(verifiedSize: verified.size))
            }
        }
        return BackupReport(
            manifest: manifest, size: replay.report.size, root: replay.report.root, objects: checked,
            problems: problems, verifiedSize: verifiedSize, checkpointSize: keptSize, interruptedAfter: interruptedAfter
        )
    }

    /// Checks a kept checkpoint against the replayed log of a backup: signed by one of its members, of its
    /// vault, and the root of the backup's first entries of that size (when the backup holds that many).
    /// Returns the checkpoint's size, or nil when it is not a checkpoint of this vault.
    private static func checkKept(
        _ note: [UInt8], state: LogState, leaves: [[UInt8]], problems: inout [BackupProblem]
    ) -> Int? {
        guard let vaultID = state.vaultID,
            let keys = try? state.members.map({
                try SignedEntry.verifierKey(name: $0.key, signingKeyHex: $0.value.signingKey)
            }),
            let kept = try? Checkpoint.open(note, knownKeys: keys, origin: TrustedLog.origin(vaultID: vaultID))
                .checkpoint
        else {
            problems.append(.keptCheckpointInvalid)
            return nil
        }
        let size = Int(kept.size)
        if size <= leaves.count, (try? root(of: leaves.prefix(size))) != kept.rootHash {
            problems.append(.notConsistentWithCheckpoint(size: size))
        }
        return size
    }

    /// Every object of the folder against its name, and every signed item's object present.
    static func checkObjects(in folder: String, items: [String: LogState.Item]) -> ([BackupProblem], Int) {
        var itemOf: [String: String] = [:]
        for (id, item) in items { itemOf[item.object] = id }
        var problems: [BackupProblem] = []
        let present = ObjectFiles.all(in: folder)
        for name in present where !ObjectFiles.isIntact(name, at: ObjectFiles.path(name, in: folder)) {
            problems.append(.objectDamaged(object: name, item: itemOf[name]))
        }
        let presentSet = Set(present)
        for (object, id) in itemOf.sorted(by: { $0.value < $1.value }) where !presentSet.contains(object) {
            problems.append(.objectMissing(object: object, item: id))
        }
        return (problems, present.count)
    }

    /// What this user's client verified of vault `vaultID`, if it kept anything (nothing is created).
    static func verifiedLog(stateFolder: String, vaultID: String) throws -> TrustedLog? {
        guard FileSystem.exists("\(stateFolder)/\(vaultID).sqlite") else { return nil }
        return try VerifiedCache(folder: stateFolder, vaultID: vaultID).load()
    }

    /// The Merkle root of `leaves` (leaf hashes).
    static func root(of leaves: ArraySlice<[UInt8]>) throws -> [UInt8] {
        var frontier = MerkleFrontier()
        for leaf in leaves { try frontier.append(leafHash: leaf) }
        return try frontier.root()
    }
}
