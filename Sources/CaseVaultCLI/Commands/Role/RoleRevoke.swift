import ArgumentParser
import CaseVaultCore

/// `casevault role revoke ROLE MEMBER`.
struct RoleRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Take a role away from a member, and rotate the role's key.",
        discussion: """
            Admins and holders of the role may revoke it. The last holder of a role cannot lose it: the \
            role's keys, and every item wrapped to them, would become unreadable. The role's key is rotated \
            in the same step (as `keys rotate`), so a member who kept a copy of their keys opens nothing \
            added afterwards. With --no-rotate the key stays as it is, and the command says what the \
            revoked member can still open.

            Example:
              casevault role revoke --as ana lawyer pedro
            """
    )

    @OptionGroup var options: VaultOptions

    @OptionGroup var target: RoleMembership

    @Flag(help: "Keep the role's key: the revoked member's copy still opens what is added until the next rotation.")
    var noRotate = false

    func run() async throws {
        try await target.run(options, purpose: "revoke a role", done: "Revoked \(target.role) from \(target.member).") {
            vault, session in
            if let rotation = try vault.revoke(role: target.role, from: target.member, by: session, rotate: !noRotate) {
                if !options.json { Console.out(RotationText.line(rotation)) }
                RecoveryText.warn(try vault.recoveryStatus(), singleHolders: false)
                return
            }
            let readable = try vault.readableAfterRevocation(of: target.role)
            Console.error(
                "casevault: warning: the key of \(target.role) was not rotated. A copy of \(target.member)'s keys "
                    + "still opens \(readable.items) items and \(readable.cases) case titles wrapped to "
                    + "\(target.role), and everything added for \(target.role) until `casevault keys rotate "
                    + "--role \(target.role)`.")
        }
    }
}
