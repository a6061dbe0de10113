import ArgumentParser
import CaseVaultCore

/// `casevault role grant ROLE MEMBER`.
struct RoleGrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Give a member a role (and so its keys).",
        discussion: """
            Granting a role shares its private keys with the member, so only a member who already holds the \
            role can grant it. The one exception: an admin may give a role that nobody holds yet its first \
            holder.

            Example:
              casevault role grant --as lucia lawyer pedro
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The role, e.g. lawyer.", valueName: "role"))
    var role: String

    @Argument(help: ArgumentHelp("The member who receives it.", valueName: "member"))
    var member: String

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.role(role)
            try InputCheck.member(member)
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "grant a role")
            try vault.grant(role: role, to: member, by: session)
            let updated = try vault.member(named: member)
            if options.json {
                try Printer.json(updated)
                return
            }
            Console.out("Granted \(role) to \(member). Their roles: \(Printer.roles(updated.roles)).")
        }
    }
}
