import ArgumentParser
import CaseVaultCore

/// `casevault show ITEM`.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one item: its record, who can read it, and (if you can) its description.",
        discussion: """
            Without --as (or CASEVAULT_AS) only the public record is shown: class, size, SHA-256, times and \
            the roles that can read it. With it, the file name, note and chain-of-custody fields are \
            decrypted when one of your roles is a reader.

            Example:
              casevault show --as lucia it_3f9a0c2d4e5b6a71
              casevault show it_3f9a0c2d4e5b6a71 --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.itemID(item) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            _ = try vault.whoCanRead(item)  // an unknown item fails before a passphrase is asked
            let session = try options.unlockIfNamed(vault, purpose: "read the item's description")
            let details = try vault.showItem(item, as: session)
            if options.json {
                try Printer.json(details)
                return
            }
            ItemTable.show(details, unlockedAs: session?.member)
        }
    }
}
