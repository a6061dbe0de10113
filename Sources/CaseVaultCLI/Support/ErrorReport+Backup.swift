import CaseVaultCore

extension ErrorReport {
    /// What a backup, restore or scrub error says, and what to do.
    static func message(for error: BackupError) -> String {
        switch error {
        case .otherVault(let path, let vaultID):
            "\(path) holds a backup of another vault (\(vaultID)). Choose another folder; nothing was changed."
        case .notABackup(let path):
            "\(path) is not empty and is not a CaseVault backup folder. Choose an empty or new folder; nothing was changed."
        case .badManifest(let path):
            "\(path) cannot be read as a backup manifest. The folder is damaged or not a CaseVault backup."
        case .targetNotEmpty(let path):
            "\(path) exists and is not empty. Restore into a new or empty folder; nothing was changed."
        case .damaged(let path, let problems):
            "The backup in \(path) is damaged, so nothing was restored from it: "
                + problems.map(message(for:)).joined(separator: " ")
                + " Check it with `casevault backup verify` or restore from another backup."
        case .noRollback(let size):
            "The vault holds its whole log as far as you have seen it (\(size) entries): there is no rollback to accept."
        case .vaultDisagreesWithLog(let problems):
            "Nothing was backed up: the vault's database disagrees with its signed log, and a backup taken now "
                + "would copy that damage over the backup's good copy. "
                + problems.prefix(5).map(message(for:)).joined(separator: " ")
                + (problems.count > 5 ? " (\(problems.count - 5) more.)" : "")
                + " Run `casevault verify` to see every problem, and restore the database from a backup."
        }
    }

    static func exitCode(for error: BackupError) -> Int32 {
        switch error {
        case .otherVault, .notABackup, .targetNotEmpty, .noRollback: ExitCodes.usage
        case .badManifest, .damaged, .vaultDisagreesWithLog: ExitCodes.dataError
        }
    }

    /// One problem of a backup or a vault, named.
    static func message(for problem: BackupProblem) -> String {
        switch problem {
        case .objectDamaged(let object, let item):
            "Object \(object)\(item.map { " (item \($0))" } ?? "") is damaged: its bytes do not match its name."
        case .objectMissing(let object, let item):
            "Object \(object) of item \(item) is missing."
        case .databaseDamaged(let detail):
            "The database is damaged (integrity check: \(detail))."
        case .databaseUnreadable(let detail):
            "The database cannot be read (\(detail))."
        case .log(let error):
            message(for: error)
        case .manifestMismatch(let detail):
            "The backup manifest does not match the backup's log: \(detail)."
        case .checkpointMismatch:
            "The kept checkpoint is not the latest checkpoint of the backup's log."
        case .notConsistentWithVerified(let size):
            "The log is not the history your client verified (its first \(size) entries differ)."
        case .keptCheckpointInvalid:
            "The kept checkpoint is not signed by a member of this vault, or is not this vault's."
        case .notConsistentWithCheckpoint(let size):
            "The log is not the history of the kept checkpoint (its first \(size) entries differ)."
        case .rowNotInLog(let item, "item"):
            "The database holds an item \(item) that the signed log never added."
        case .rowNotInLog(let item, let field):
            "The database row of item \(item) disagrees with its signed entry (\(field))."
        case .rowMissing(let item):
            "Item \(item) is in the signed log, but the database has no row for it: it would be missing from listings and backups."
        case .recordNotInLog(let what):
            "The database's record of \(what) disagrees with the signed log."
        case .contentDamaged(let item, let error):
            "Item \(item) does not decrypt to what was added: \(message(for: error))"
        case .custodyChainBroken(let item, let problems):
            "The chain of custody of item \(item) is broken: "
                + problems.map(\.description).joined(separator: "; ") + "."
        }
    }
}
