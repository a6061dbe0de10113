import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault backup verify DEST`.
struct BackupVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a backup folder on its own, without keys and without writing to it.",
        discussion: """
            Checks every object against its name and that every signed item's object is there, the \
            database (PRAGMA integrity_check), the whole signed log and its latest checkpoint, the manifest \
            and the kept checkpoint, and that the log is the history your client verified of the vault \
            (with --from, also the history of a checkpoint the vault or an auditor kept). Every problem is \
            named; the exit code is 65 when there is any. A backup older than what your \
            client has seen is reported: restoring it is a rollback (see `casevault audit accept-restore`).

            Example:
              casevault backup verify /media/usb/casevault-backup --json
              casevault backup verify /media/usb/casevault-backup --from checkpoint-2026-03-01.txt
            """
    )

    @Flag(help: "Print machine-readable JSON on standard output.")
    var json = false

    @Argument(help: ArgumentHelp("The backup folder.", valueName: "dest"))
    var destination: String

    @Option(help: ArgumentHelp("A checkpoint kept earlier (as `audit checkpoint` prints it).", valueName: "file"))
    var from: String?

    func validate() throws {
        try InputCheck.validating { if let from { try InputCheck.readableFile(from, what: "The checkpoint ") } }
    }

    func run() async throws {
        try await reportingErrors {
            let kept = try from.map { try FileSystem.readSmallFile($0, limit: 64 * 1024) }
            let report = try Vault.verifyBackup(
                at: destination, stateFolder: UserState.folder.map { $0 + "/vaults" }, keptCheckpoint: kept)
            let problems = report.problems.map(ErrorReport.message(for:))
            if json {
                try Printer.json(
                    BackupVerifyJSON(
                        backup: report.manifest.backupID, vault: report.manifest.vaultID, entries: report.size,
                        root: report.root, objects: report.objects, verifiedEntries: report.verifiedSize,
                        olderThanVerified: report.isOlderThanVerified, checkpointEntries: report.checkpointSize,
                        olderThanCheckpoint: report.isOlderThanCheckpoint, interruptedAfter: report.interruptedAfter,
                        problems: problems))
            } else {
                Console.out(
                    "Backup \(report.manifest.backupID) of vault \(report.manifest.vaultID): \(report.size) entries, "
                        + "\(report.objects) objects, tree root \(report.root).")
                for problem in problems { Console.out("PROBLEM: \(problem)") }
                if problems.isEmpty {
                    Console.out("Every object matches its name; the database and the signed log are sound.")
                }
                if let earlier = report.interruptedAfter {
                    Console.out(
                        "Note: the last backup to this folder was interrupted after its database was in place; the "
                            + "manifest still describes the backup before (\(earlier) entries), which this log extends. "
                            + "Run `casevault backup` to this folder again to finish it.")
                }
                if report.isOlderThanCheckpoint, let size = report.checkpointSize {
                    Console.out("Note: the kept checkpoint has \(size) entries; this backup is older than it.")
                } else if let from, problems.isEmpty {
                    Console.out("The backup's log extends the checkpoint in \(Printer.safe(from)).")
                }
                if report.isOlderThanVerified, let seen = report.verifiedSize {
                    Console.out(
                        "Note: your client has seen \(seen) entries of this vault; restoring this backup rolls back "
                            + "entries \(report.size) to \(seen - 1).")
                }
            }
            if !problems.isEmpty { throw ExitCode(ExitCodes.dataError) }
        }
    }
}

private struct BackupVerifyJSON: Encodable {
    let backup: String
    let vault: String
    let entries: Int
    let root: String
    let objects: Int
    let verifiedEntries: Int?
    let olderThanVerified: Bool
    let checkpointEntries: Int?
    let olderThanCheckpoint: Bool
    /// The entries of the backup before, when the last backup was interrupted after placing its database.
    let interruptedAfter: Int?
    let problems: [String]
}
