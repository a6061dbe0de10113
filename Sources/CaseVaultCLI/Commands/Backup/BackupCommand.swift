import ArgumentParser

/// `casevault backup …`: copies of the vault in other folders, and their checks.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the vault to a backup folder, incrementally, or check a backup.",
        discussion: """
            A backup folder holds the encrypted objects, the database and the latest checkpoint: never a \
            plaintext byte or an unlocked key. Several folders can be kept; each remembers what it holds.

            Example:
              casevault backup --as lucia /media/usb/casevault-backup
              casevault backup verify /media/usb/casevault-backup
              casevault restore /media/usb/casevault-backup ./casevault-restored
            """,
        subcommands: [BackupCreate.self, BackupVerify.self],
        defaultSubcommand: BackupCreate.self
    )
}
