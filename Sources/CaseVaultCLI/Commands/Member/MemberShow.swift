import ArgumentParser
import CaseVaultCore

/// `casevault member show NAME`.
struct MemberShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one member: roles, public keys, who added them.",
        discussion: """
            The public key (age1…) and signing key identify the member's key file; compare them with the \
            card the member handed over.

            Example:
              casevault member show lucia
              casevault member show lucia --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The member's name.", valueName: "name"))
    var name: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.member(name) }
    }

    func run() async throws {
        try await options.run {
            let member = try options.openVault().member(named: name)
            if options.json {
                try Printer.json(member)
                return
            }
            Printer.fields([
                ("Member", member.name),
                ("Roles", Printer.roles(member.roles)),
                ("Public key", member.recipient),
                ("Signing key", member.signingKey),
                ("Added", "\(member.createdAt) by \(member.createdBy ?? "(created the vault)")"),
                ("Status", member.removedAt.map { "removed \($0)" } ?? "active"),
            ])
        }
    }
}
