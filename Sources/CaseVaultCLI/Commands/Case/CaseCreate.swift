import ArgumentParser
import CaseVaultCore

/// `casevault case create ID`.
struct CaseCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a case.",
        discussion: """
            The id is stored in the clear: never put a name in it. --title and --survivor (a pseudonym, \
            never the real name) are encrypted so that only the case-reader roles can read them.

            Example:
              casevault case create --as lucia LPZ-2026-014 --title "Denuncia, El Alto" --survivor Rosa
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The case id, e.g. LPZ-2026-014 (in the clear).", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("A title (encrypted).", valueName: "text"))
    var title: String?

    @Option(
        help: ArgumentHelp(
            "The survivor's pseudonym (encrypted); never the real name.", valueName: "pseudonym"))
    var survivor: String?

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.caseID(id)
            if let title { try InputCheck.text(title, option: "--title", limit: 512, multiline: false) }
            if let survivor { try InputCheck.text(survivor, option: "--survivor", limit: 128, multiline: false) }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "create a case")
            let created = try vault.createCase(id: id, title: title, survivor: survivor, by: session)
            if options.json {
                try Printer.json(created)
                return
            }
            Console.out(
                "Created case \(created.id). Its title and pseudonym can be read by: \(Printer.roles(created.readers))."
            )
        }
    }
}
