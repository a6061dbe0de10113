import ArgumentParser
import CaseVaultCore

/// `casevault member remove NAME`.
struct MemberRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a member: revoke every role they hold and rotate each one.",
        discussion: """
            Only admins remove members, and not themselves. In one step the removal is signed into the \
            log, every role of the member is revoked, and each of those roles gets a new key sealed to its \
            remaining holders: nothing added afterwards can be opened with the removed member's keys, and \
            their signing key signs nothing the vault accepts. What they read or copied before stays with \
            them. The last holder of a role cannot be removed: grant the role to someone else first.

            Example:
              casevault member remove --as ana luis
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The member to remove.", valueName: "name"))
    var name: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.member(name) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "remove a member")
            let removal = try vault.removeMember(named: name, by: session)
            if options.json {
                try Printer.json(removal)
                return
            }
            Console.out("Removed \(removal.member). Revoked: \(Printer.roles(removal.revokedRoles)).")
            for rotation in removal.rotations {
                Console.out(RotationText.line(rotation))
                if let warning = RotationText.singleHolderWarning(rotation) { Console.error(warning) }
            }
            RecoveryText.warn(try vault.recoveryStatus(), singleHolders: false)
        }
    }
}
