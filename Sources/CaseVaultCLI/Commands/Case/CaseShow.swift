import ArgumentParser
import CaseVaultCore

/// `casevault case show ID`.
struct CaseShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one case and its items.",
        discussion: """
            With --as (or CASEVAULT_AS) the title and pseudonym are decrypted when one of your roles can \
            read them.

            Example:
              casevault case show --as lucia LPZ-2026-014
              casevault case show LPZ-2026-014 --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "id"))
    var id: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.caseID(id) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlockIfNamed(vault, purpose: "read the case title")
            let shown = try vault.showCase(id, as: session)
            let items = try vault.items(inCase: id)
            let hold = try vault.legalHold(ofCase: id)
            if options.json {
                try Printer.json(CaseReport(case: shown, legalHold: hold, items: items))
                return
            }
            Printer.fields([
                ("Case", shown.id),
                ("Title", CaseText.title(shown)),
                ("Survivor", CaseText.survivor(shown)),
                ("Created", "\(shown.createdAt) by \(shown.createdBy)"),
                ("Title readers", Printer.roles(shown.readers)),
                ("Items", "\(shown.itemCount)"),
                ("Legal hold", hold.map { "yes, since entry \($0)" } ?? "none"),
            ])
            if !items.isEmpty {
                Console.out("")
                ItemTable.print(items, names: nil)
            }
        }
    }
}

private struct CaseReport: Encodable {
    let `case`: VaultCase
    /// The entry that placed the case under legal hold, or null.
    let legalHold: Int?
    let items: [Item]
}
