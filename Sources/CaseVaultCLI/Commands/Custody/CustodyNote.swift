import ArgumentParser
import CaseVaultCore

/// `casevault custody note ITEM TEXT`.
struct CustodyNote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Add a note (observación) to the item's chain, encrypted to its readers.",
        discussion: """
            Only a holder of one of the item's reader roles, or its custodian, may add a note, and not once \
            the item is sealed. The auditor sees that a note exists, who wrote it and when, never its text.

            Example:
              casevault custody note it_3f9a0c2d4e5b6a71 "Precinto revisado, sin daños"
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @Argument(help: ArgumentHelp("The note (encrypted).", valueName: "text"))
    var text: String

    @OptionGroup var authority: CustodyAuthorityOption

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.itemID(item)
            try InputCheck.text(text, option: "the note")
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let entry = try vault.annotateCustody(
                item, remarks: authority.remarks(text),
                by: try options.unlock(vault, purpose: "add a custody note"))
            try CustodyRecorded(item: item, kind: "note", entry: entry).print(json: options.json)
        }
    }
}
