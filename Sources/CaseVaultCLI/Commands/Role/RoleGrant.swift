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

    @OptionGroup var target: RoleMembership

    func run() async throws {
        try await target.run(options, purpose: "grant a role", done: "Granted \(target.role) to \(target.member).") {
            vault, session in
            try vault.grant(role: target.role, to: target.member, by: session)
        }
    }
}
