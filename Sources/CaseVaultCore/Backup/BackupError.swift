/// What can go wrong with a backup folder, a restore or a scrub, as meaning; the CLI words it
/// (`ErrorReport+Backup.swift`).
public enum BackupError: Error, Sendable, Equatable {
    /// The folder holds a backup of another vault (its manifest names `vaultID`).
    case otherVault(path: String, vaultID: String)
    /// The folder is not empty and holds no backup manifest: it is not a backup folder, and nothing in it
    /// is touched.
    case notABackup(path: String)
    /// The manifest cannot be read as one.
    case badManifest(path: String)
    /// A restore target that exists and is not empty.
    case targetNotEmpty(path: String)
    /// The backup failed its check; nothing was restored from it.
    case damaged(path: String, problems: [BackupProblem])
    /// The vault's database rows disagree with its signed log (`RowCheck`): nothing was backed up.
    case vaultDisagreesWithLog([BackupProblem])
    /// An accept-restore was asked for, but this client has seen no more of the log than the vault holds.
    case noRollback(size: Int)
}

/// One thing wrong in a backup folder or a vault, named by what and where.
public enum BackupProblem: Sendable, Equatable {
    /// An object's bytes do not hash to its name (the item that names it, when one does).
    case objectDamaged(object: String, item: String?)
    /// A signed item names an object the folder lacks.
    case objectMissing(object: String, item: String)
    /// `PRAGMA integrity_check` reported this.
    case databaseDamaged(String)
    /// The database cannot be opened or read at all.
    case databaseUnreadable(String)
    /// The signed log failed its replay (the problem, worded by the CLI).
    case log(SignedLogError)
    /// The manifest names another tree than the log the folder holds.
    case manifestMismatch(String)
    /// The checkpoint kept beside the database is not the database's latest.
    case checkpointMismatch
    /// The log does not extend what this user's client verified before (a different history).
    case notConsistentWithVerified(verifiedSize: Int)
    /// A kept checkpoint is not one signed by a member of this vault.
    case keptCheckpointInvalid
    /// The log does not extend a kept checkpoint of `size` entries (a different history).
    case notConsistentWithCheckpoint(size: Int)
    /// An item's database row disagrees with its signed entry in `field` (`item`: the log signs no such item).
    case rowNotInLog(item: String, field: String)
    /// The log signs this item, but the database has no row for it.
    case rowMissing(item: String)
    /// A role key, member or membership in the database that the log does not say (described).
    case recordNotInLog(String)
    /// Decrypting an item (`--deep`) failed: its tag or plaintext hash.
    case contentDamaged(item: String, VaultError)
    /// An item's chain of custody, checked on its own, is broken (an event dropped, reordered, grafted or
    /// altered).
    case custodyChainBroken(item: String, [CustodyChainCheck.Problem])
}
