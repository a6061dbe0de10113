import ArgumentParser
import CaseVaultCore

/// `casevault backup [create] DEST`.
struct BackupCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Copy the vault to a backup folder (only what the folder lacks) and sign the backup into the log.",
        discussion: """
            The folder is made if missing. Objects already in it are not copied again; new ones are checked \
            against their names as they are copied. The database is copied with SQLite's online backup, so \
            the vault stays usable meanwhile. The backup is recorded as a signed log entry (by its id, never \
            its path). A folder of another vault, or a non-empty folder that is not a backup, is refused. \
            While another backup writes the same folder, this one waits for it to end.

            Example:
              casevault backup --as lucia /media/usb/casevault-backup
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The backup folder.", valueName: "dest"))
    var destination: String

    func validate() throws {
        try InputCheck.validating {
            if destination.isEmpty { throw CLIError.usage("The backup folder is empty. Give a folder.") }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "record a backup")
            let bar = ProgressBar.make(label: "Copying objects")
            defer { bar?.finish() }
            let result = try vault.backup(
                to: destination, by: session,
                progress: bar.map { bar in { bar.update(done: $0, total: $1) } },
                whileWaiting: {
                    Console.error(
                        "casevault: note: another backup is writing to \(Printer.safe(destination)); waiting for it "
                            + "to end.")
                })
            bar?.finish()
            KnownBackups.remember(destination, vaultID: vault.fingerprint)
            let manifest = result.manifest
            if options.json {
                try Printer.json(
                    BackupJSON(
                        backup: manifest.backupID, vault: manifest.vaultID, entries: manifest.size,
                        root: manifest.root, objects: manifest.objects, bytes: manifest.bytes,
                        copiedObjects: result.copiedObjects, copiedBytes: result.copiedBytes,
                        membersWithOwnKeyFiles: result.membersWithOwnKeyFiles, prunedObjects: result.prunedObjects))
            } else {
                Console.out(
                    "Backed up to \(Printer.safe(destination)) (backup \(manifest.backupID)): \(manifest.objects) "
                        + "objects, \(Printer.size(manifest.bytes)); \(result.copiedObjects) new "
                        + "(\(Printer.size(result.copiedBytes))). Log: \(manifest.size) entries, root \(manifest.root)."
                )
                if !result.prunedObjects.isEmpty {
                    Console.out(
                        "Removed \(result.prunedObjects.count) objects replaced by a re-encryption: this backup holds "
                            + "their replacements.")
                }
            }
            for member in result.membersWithOwnKeyFiles {
                // The advice goes to stderr so that --json stays machine-readable.
                Console.error(
                    "casevault: note: \(member)'s key file is not in the vault, so no backup holds it. \(member) "
                        + "must keep their key file (made by `casevault keygen`, e.g. \(member).key) and its "
                        + "passphrase somewhere safe and apart from this backup, such as a second USB drive in a "
                        + "locked drawer: without them nothing encrypted only to \(member)'s roles can be opened.")
            }
        }
    }
}

private struct BackupJSON: Encodable {
    let backup: String
    let vault: String
    let entries: Int
    let root: String
    let objects: Int
    let bytes: Int64
    let copiedObjects: Int
    let copiedBytes: Int64
    let membersWithOwnKeyFiles: [String]
    /// Objects a re-encryption replaced, removed from the vault because this backup holds their replacements.
    let prunedObjects: [String]
}
