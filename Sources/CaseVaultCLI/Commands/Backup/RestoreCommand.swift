import ArgumentParser
import CaseVaultCore

/// `casevault restore DEST TARGET`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Make a working vault again from a backup folder, in a new or empty folder.",
        discussion: """
            The backup is checked whole first (as `backup verify` does); a damaged backup restores nothing. \
            Objects are checked again as they are copied; then the vault is opened and its signed log verified. \
            A vault restored from a backup older than what a member's client has seen is a rollback: that \
            client refuses it until the member runs `casevault audit accept-restore`, which lists what the \
            restored vault lacks and records the restore in the log.

            Example:
              casevault restore /media/usb/casevault-backup ./casevault
            """
    )

    @Flag(help: "Print machine-readable JSON on standard output.")
    var json = false

    @Argument(help: ArgumentHelp("The backup folder.", valueName: "dest"))
    var backup: String

    @Argument(help: ArgumentHelp("Where to make the vault (a new or empty folder).", valueName: "target"))
    var target: String

    func run() async throws {
        try await reportingErrors {
            let result = try Vault.restore(from: backup, to: target)
            if json {
                try Printer.json(
                    RestoreJSON(
                        vault: result.vault.fingerprint, path: result.vault.path, entries: result.size,
                        items: result.items))
            } else {
                Console.out(
                    "Restored vault \(result.vault.fingerprint) at \(Printer.safe(result.vault.path)): "
                        + "\(result.items) items, \(result.size) log entries, verified.")
            }
        }
    }
}

private struct RestoreJSON: Encodable {
    let vault: String
    let path: String
    let entries: Int
    let items: Int
}
