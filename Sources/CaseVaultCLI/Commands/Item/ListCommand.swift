import ArgumentParser
import CaseVaultCore

/// `casevault list [CASE]`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List items, of one case or of the whole vault, with the roles that can read each.",
        discussion: """
            Needs no passphrase and shows no content: ids, classes, sizes, hashes, times and reader roles \
            are all that is in the clear (an auditor sees exactly this). With --names, the file names you \
            can read are decrypted too, which needs --as and your passphrase.

            Example:
              casevault list LPZ-2026-014
              casevault list --as lucia LPZ-2026-014 --names
              casevault list --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("Only the items of this case.", valueName: "case"))
    var caseID: String?

    @Flag(help: "Decrypt the file names your roles can read (asks for your passphrase).")
    var names = false

    func validate() throws {
        try InputCheck.validating {
            if let caseID { try InputCheck.caseID(caseID) }
            if names && options.member == nil {
                throw CLIError.usage(
                    "--names decrypts file names, so say who you are: add --as NAME or set CASEVAULT_AS.")
            }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let items = try vault.items(inCase: caseID)
            var fileNames: [String: String?]?
            if names {
                let session = try options.unlock(vault, purpose: "decrypt file names")
                fileNames = try vault.fileNames(of: items, as: session)
            }
            if options.json {
                Console.write(bytes: ItemListJSON.render(items, names: fileNames))
                return
            }
            guard !items.isEmpty else {
                Console.out(caseID.map { "Case \($0) has no items yet." } ?? "The vault has no items yet.")
                return
            }
            ItemTable.print(items, names: fileNames)
        }
    }
}
