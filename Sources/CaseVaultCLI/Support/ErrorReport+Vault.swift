import CaseVaultCore

extension ErrorReport {
    /// The documented exit code of each vault error (Docs/CLI.md, "Exit codes").
    static func exitCode(for error: VaultError) -> Int32 {
        switch error {
        case .invalidName, .invalidArgument, .memberExists, .caseExists, .alreadyHolds, .doesNotHold,
            .lastHolder,
            .roleHasNoKey, .inputIsDirectory, .inputNotRegularFile:
            ExitCodes.usage
        case .notAVault, .unknownMember, .unknownRole, .unknownCase, .unknownItem, .keyFileMissing,
            .inputNotFound,
            .inputUnreadable:
            ExitCodes.inputMissing
        case .vaultExists, .keyFileExists, .outputExists, .agentDirectoryUnsafe:
            ExitCodes.cannotCreate
        case .wrongPassphrase, .keyFileMismatch, .memberRemoved, .notPermitted, .notAReader, .agentMismatch:
            ExitCodes.notEntitled
        case .integrityFailure, .missingObject:
            ExitCodes.dataError
        case .io, .database, .agentUnavailable, .vaultUnreadable:
            ExitCodes.ioError
        }
    }
}
