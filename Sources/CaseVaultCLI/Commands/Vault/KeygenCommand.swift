import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault keygen`: a member makes their keys on their own machine.
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a member's keys on their own machine: a key file and a public card.",
        discussion: """
            Writes DIR/NAME.key (the passphrase-protected key file, 0600: it never leaves this machine) and \
            DIR/NAME.card.json (the public card: hand it to an admin, who adds you with \
            `casevault member add NAME --card NAME.card.json`). No vault is needed. Existing files are never \
            overwritten. Use the key file later with --identity.

            Example:
              casevault keygen lucia -o ~/casevault-keys
              casevault list --as lucia --identity ~/casevault-keys/lucia.key
            """
    )

    @Argument(help: ArgumentHelp("Your member name, as the vault will know you.", valueName: "name"))
    var name: String

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("The folder for the key file and the card.", valueName: "dir"))
    var output: String = "."

    @Option(
        help: ArgumentHelp(
            "Read the new passphrase from the first line of this file (for scripts).", valueName: "file"))
    var newPassphraseFile: String?

    @Flag(help: "Print the card and paths as JSON.")
    var json = false

    @Option(help: .hidden)
    var keyWorkFactor: Int?

    var keyFile: String { "\(output)/\(name).key" }
    var cardFile: String { "\(output)/\(name).card.json" }

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.member(name)
            _ = try KeyWorkFactor.resolve(keyWorkFactor)
            guard FileSystem.isDirectory(output) else {
                throw CLIError.inputMissing(
                    "\(output) is not a folder. Create it first or choose another -o.")
            }
            for path in [keyFile, cardFile] where FileSystem.exists(path) {
                throw CLIError.cannotCreate(
                    "\(path) already exists. Choose another folder; keys are never overwritten.")
            }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let workFactor = try KeyWorkFactor.resolve(keyWorkFactor)
            let passphrase = try PassphraseInput.readNew(
                prompt: "New passphrase for \(name): ", file: newPassphraseFile)
            KeyWorkFactor.warnIfLowered(workFactor)
            let card = try Vault.keygen(
                name: name, passphrase: passphrase, keyFile: keyFile, cardFile: cardFile,
                workFactor: workFactor)
            if json {
                try Printer.json(KeygenResult(keyFile: keyFile, cardFile: cardFile, card: card))
                return
            }
            Console.out("Key file:    \(keyFile) (secret; keep it and its passphrase on this machine)")
            Console.out("Public card: \(cardFile) (give this to an admin)")
            Console.out("Public key:  \(card.recipient)")
        }
    }
}

private struct KeygenResult: Encodable {
    let keyFile: String
    let cardFile: String
    let card: PublicCard
}
