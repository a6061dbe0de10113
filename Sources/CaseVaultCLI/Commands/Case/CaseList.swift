import ArgumentParser
import CaseVaultCore

/// `casevault case list`.
struct CaseList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cases.",
        discussion: """
            Without --as (or CASEVAULT_AS) no passphrase is asked and titles show as (encrypted). With it, \
            the titles and pseudonyms your roles can read are decrypted.

            Example:
              casevault case list
              casevault case list --as lucia --json
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlockIfNamed(vault, purpose: "read case titles")
            let cases = try vault.cases(as: session)
            if options.json {
                try Printer.json(cases)
                return
            }
            guard !cases.isEmpty else {
                Console.out("No cases yet. Create one with `casevault case create ID`.")
                return
            }
            Printer.table(
                ["CASE", "ITEMS", "CREATED", "BY", "TITLE", "SURVIVOR"],
                cases.map {
                    [
                        $0.id, "\($0.itemCount)", $0.createdAt, $0.createdBy, CaseText.title($0),
                        CaseText.survivor($0),
                    ]
                })
        }
    }
}
