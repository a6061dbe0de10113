import ArgumentParser
import CaseVaultCore

/// `casevault member list`.
struct MemberList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the members and their roles.",
        discussion: """
            Needs no passphrase: names, roles and public keys are not secret.

            Example:
              casevault member list
              casevault member list --json
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let members = try options.openVault().members()
            if options.json {
                try Printer.json(members)
                return
            }
            guard !members.isEmpty else {
                Console.out("No members.")
                return
            }
            Printer.table(
                ["NAME", "ROLES", "ADDED", "BY", "STATUS"],
                members.map {
                    [
                        $0.name, Printer.roles($0.roles), $0.createdAt, $0.createdBy ?? "-",
                        $0.removedAt == nil ? "active" : "removed",
                    ]
                })
        }
    }
}
