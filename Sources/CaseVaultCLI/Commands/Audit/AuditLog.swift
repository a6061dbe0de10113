import ArgumentParser
import CaseVaultCore

/// `casevault audit log`.
struct AuditLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the signed log's entries: who did what, when.",
        discussion: """
            Shows each entry's number, time (UTC), author, type and subject. Needs no passphrase and shows \
            no content. --json gives every field and each entry's leaf hash.

            Example:
              casevault audit log
              casevault audit log --from 100 --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("The first entry to show (0 is the genesis).", valueName: "n"))
    var from = 0

    func validate() throws {
        try InputCheck.validating {
            guard from >= 0 else { throw CLIError.usage("--from is an entry number, 0 or more.") }
        }
    }

    func run() async throws {
        try await options.run {
            let entries = try options.openVault().auditEntries(from: from)
            if options.json {
                try Printer.json(entries)
                return
            }
            Printer.table(
                ["#", "TIME", "BY", "TYPE", "SUBJECT"],
                entries.map { entry in
                    let subject =
                        ["item", "case", "member", "role", "admin"].compactMap { entry.fields[$0] }.first ?? ""
                    return [
                        "\(entry.index)", entry.time, entry.author, entry.type,
                        Printer.safe(String(subject.prefix(40))),
                    ]
                })
        }
    }
}
