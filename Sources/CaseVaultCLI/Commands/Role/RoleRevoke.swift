import ArgumentParser
import CaseVaultCore

/// `casevault role revoke ROLE MEMBER`.
struct RoleRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Take a role away from a member.",
        discussion: """
            Admins and holders of the role may revoke it. The last holder of a role cannot lose it: the \
            role's keys, and every item wrapped to them, would become unreadable. The role's keys are not \
            rotated yet, so a member who kept a copy of their keys can still open items added before the \
            next rotation.

            Example:
              casevault role revoke --as ana lawyer pedro
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The role, e.g. lawyer.", valueName: "role"))
    var role: String

    @Argument(help: ArgumentHelp("The member who loses it.", valueName: "member"))
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
            let session = try options.unlock(vault, purpose: "revoke a role")
            try vault.revoke(role: role, from: member, by: session)
            let updated = try vault.member(named: member)
            if options.json {
                try Printer.json(updated)
                return
            }
            Console.out("Revoked \(role) from \(member). Their roles: \(Printer.roles(updated.roles)).")
            Console.out(
                "Note: the role's keys are not rotated yet; items added before the next rotation stay readable to a copy of \(member)'s keys."
            )
        }
    }
}
