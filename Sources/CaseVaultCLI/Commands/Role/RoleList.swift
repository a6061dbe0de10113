import ArgumentParser
import CaseVaultCore

/// `casevault role list`.
struct RoleList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the roles, who holds them and what they read by default.",
        discussion: """
            Needs no passphrase. READS BY DEFAULT is the item classes a role can read unless --readers \
            says otherwise at `add`; CASE TITLES says whether the role can read case titles and pseudonyms.

            Example:
              casevault role list
              casevault role list --json
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let roles = try vault.roles()
            if options.json {
                try Printer.json(roles)
                return
            }
            Printer.table(
                ["ROLE", "HOLDERS", "READS BY DEFAULT", "CASE TITLES", "KEY GENERATIONS"],
                roles.map {
                    [
                        $0.name, Printer.roles($0.holders), Printer.roles($0.defaultReaderOf.map(\.rawValue)),
                        $0.readsCaseMetadata ? "yes" : "no", "\($0.generations)",
                    ]
                })
            // One lost passphrase away from losing everything the role reads: said where admins look.
            for role in roles where role.holders.count == 1 {
                Console.error(RotationText.singleHolder(role.holders[0], of: role.name))
            }
            RecoveryText.warn(try vault.recoveryStatus(), singleHolders: false)
        }
    }
}
