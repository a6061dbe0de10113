import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault member add`: adds a member from their public card, or makes their keys here.
struct MemberAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a member, from their public card or with keys made here.",
        discussion: """
            With --card, the member made their keys on their own machine (`casevault keygen`) and only \
            their public card is handed over: the best way. Without it, keys are made here and sealed with \
            the new member's own passphrase, which they type (twice) at this terminal, or which a script \
            gives with --new-passphrase-file; the key file goes to the vault's keys/ folder. Only admins \
            add members. A role that somebody already holds can only be granted by one of its holders \
            (granting shares the role's keys); an admin can give a role its first holder.

            Example:
              casevault member add --as ana lucia --role lawyer --card lucia.card.json
              casevault member add --as ana mateo --role mentor --new-passphrase-file mateo.pass
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The new member's name.", valueName: "name"))
    var name: String

    @Option(
        name: .customLong("role"),
        help: ArgumentHelp(
            "A role to grant, e.g. lawyer (repeatable, or comma-separated).", valueName: "role"))
    var roleArguments: [String] = []

    @Option(
        help: ArgumentHelp(
            "The public card the member made with `casevault keygen`.", valueName: "file"))
    var card: String?

    @Option(
        help: ArgumentHelp(
            "Read the new member's passphrase from the first line of this file (for scripts).",
            valueName: "file"))
    var newPassphraseFile: String?

    var roles: [String] { roleArguments.flatMap { $0.split(separator: ",").map(String.init) } }

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.member(name)
            for role in roles { try InputCheck.role(role) }
            if card != nil && newPassphraseFile != nil {
                throw CLIError.usage(
                    "--card and --new-passphrase-file exclude each other: a card brings its own keys.")
            }
            if let card { try InputCheck.readableFile(card, what: "The card ") }
            if let newPassphraseFile {
                try InputCheck.readableFile(newPassphraseFile, what: "The passphrase file ")
            }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "add a member")
            let member: Member
            if let card {
                let publicCard = try PublicCard.read(from: card)
                guard publicCard.name == name else {
                    throw CLIError.usage(
                        "The card is for \(publicCard.name), not \(name). Use the name on the card or ask for the right card."
                    )
                }
                member = try vault.addMember(card: publicCard, roles: roles, by: session)
            } else {
                let passphrase = try PassphraseInput.readNew(
                    prompt: "\(name), choose your passphrase: ", file: newPassphraseFile)
                KeyWorkFactor.warnIfLowered(vault.configuration.keyWorkFactor)
                member = try vault.addMember(
                    name: name, newPassphrase: passphrase, roles: roles, by: session)
            }
            if options.json {
                try Printer.json(member)
                return
            }
            Console.out("Added \(member.name) with roles: \(Printer.roles(member.roles)).")
            if card == nil { Console.out("Key file: \(vault.keyFilePath(for: member.name)).") }
        }
    }
}
