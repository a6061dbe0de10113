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

    @OptionGroup var target: RoleMembership

    func run() async throws {
        try await target.run(options, purpose: "revoke a role", done: "Revoked \(target.role) from \(target.member).") {
            vault, session in
            try vault.revoke(role: target.role, from: target.member, by: session)
        }
    }
}
