import CaseVaultCore

extension ErrorReport {
    /// A share that cannot be read: which share (its file), which line, and what to do.
    static func message(for problem: VaultError.ShareProblem, source: String) -> String {
        switch problem {
        case .notAShare:
            "\(source) is not a CaseVault recovery share: it does not start with 'casevault-recovery-share v1'. Nothing was changed."
        case .missingLine(let key):
            "The recovery share \(source) has no '\(key)' line. Copy the whole share from the paper; nothing was changed."
        case .malformedLine(let line):
            "Line \(line) of the recovery share \(source) is not in the share format. Compare it with the paper; nothing was changed."
        case .lineChecksum(let line, let key):
            "Line \(line) ('\(key)') of the recovery share \(source) does not match its checksum: a character was mistyped. Compare that line with the paper; nothing was changed."
        case .shareChecksum:
            "Every line of the recovery share \(source) matches its checksum, but the share as a whole does not: lines of two shares are mixed. Copy it again from one paper; nothing was changed."
        }
    }

    static func message(for problem: VaultError.RecoveryProblem) -> String {
        switch problem {
        case .noRecoveryKey:
            "This vault has no recovery key. An admin sets one up with `casevault recovery init --shares N --threshold K`."
        case .invalidParameters(let threshold, let shares):
            "A recovery key needs 2 <= --threshold <= --shares <= 255 (got \(threshold) of \(shares)). Nothing was changed."
        case .tooFewShares(let have, let need):
            "\(have) share\(have == 1 ? "" : "s") given, but this recovery key needs \(need). Collect \(need - have) more from their keepers; nothing was changed."
        case .duplicateShare(let index):
            "Share number \(index) was given twice. Each share counts once; nothing was changed."
        case .mixedShares:
            "The shares belong to different recovery keys. Use shares of one key only (the 'key' line of each must be the same); nothing was changed."
        case .otherVault(let vault):
            "A share belongs to another vault (\(vault)). Check --vault and the shares; nothing was changed."
        case .replacedKey(let keyID):
            "The shares are of recovery key \(keyID), which was replaced (or already used to restore). Use the shares of the current key (`casevault recovery status`); nothing was changed."
        case .sharesDoNotMatch:
            "The shares combine to a key that is not this vault's recovery key: one of them was altered (a changed share number or value). Check each against its paper; nothing was changed."
        case .adminRoleRequired:
            "A restore admits an admin: include the admin role in --role. Nothing was changed."
        case .roleNotCovered(let role):
            "The current key of \(role) is not sealed to the recovery key, so a restore cannot grant it. Leave it out of --role; nothing was changed."
        }
    }

    static func exitCode(for problem: VaultError.RecoveryProblem) -> Int32 {
        switch problem {
        case .noRecoveryKey: ExitCodes.inputMissing
        case .invalidParameters, .tooFewShares, .duplicateShare, .mixedShares, .otherVault, .adminRoleRequired,
            .roleNotCovered:
            ExitCodes.usage
        case .replacedKey, .sharesDoNotMatch: ExitCodes.dataError
        }
    }
}
