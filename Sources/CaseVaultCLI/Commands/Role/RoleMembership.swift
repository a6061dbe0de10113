import ArgumentParser
import CaseVaultCore

/// What `role grant` and `role revoke` share: the role and member arguments, their checks, and the run
/// that unlocks the acting member, changes the membership and prints the member's roles.
struct RoleMembership: ParsableArguments {
    @Argument(help: ArgumentHelp("The role, e.g. lawyer.", valueName: "role"))
    var role: String

    @Argument(help: ArgumentHelp("The member.", valueName: "member"))
    var member: String

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.role(role)
            try InputCheck.member(member)
        }
    }

    /// Unlocks the acting member, applies `change`, and prints `done` with the member's roles now.
    func run(
        _ options: VaultOptions, purpose: String, done: String,
        _ change: @escaping (Vault, MemberSession) throws -> Void
    ) async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: purpose)
            try change(vault, session)
            let updated = try vault.member(named: member)
            if options.json {
                try Printer.json(updated)
                return
            }
            Console.out("\(done) Their roles: \(Printer.roles(updated.roles)).")
        }
    }
}
