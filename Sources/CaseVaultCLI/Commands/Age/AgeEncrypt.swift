import ArgumentParser
import CaseVaultAge
import CaseVaultCrypto

/// `casevault age encrypt`: writes a standard age file.
struct AgeEncrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a file to age recipients or a passphrase.",
        discussion: """
            Example:
              casevault age encrypt -r age1… -r age1… -o report.pdf.age report.pdf
              casevault age encrypt --passphrase --armor -o note.age note.txt
            """
    )

    @Option(name: .shortAndLong, help: "An age1… recipient (repeatable).")
    var recipient: [String] = []

    @Option(name: [.customShort("R"), .long], help: "A file of recipients, one age1… per line (repeatable).")
    var recipientsFile: [String] = []

    @Flag(name: .shortAndLong, help: "Encrypt with a passphrase instead (asked on the terminal).")
    var passphrase = false

    @Option(help: "Read the passphrase from the first line of this file (for scripts).")
    var passphraseFile: String?

    @Flag(name: .shortAndLong, help: "Write PEM-style ASCII armor.")
    var armor = false

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Argument(help: "The file to encrypt (default: standard input).")
    var input: String?

    func validate() throws {
        let usesPassphrase = passphrase || passphraseFile != nil
        if usesPassphrase && !(recipient.isEmpty && recipientsFile.isEmpty) {
            throw ValidationError("A passphrase cannot be combined with recipients.")
        }
        if !usesPassphrase && recipient.isEmpty && recipientsFile.isEmpty {
            throw ValidationError("Give at least one recipient (-r age1…) or --passphrase.")
        }
    }

    func run() async throws {
        try await reportingErrors {
            var recipients: [Recipient] = []
            if passphrase || passphraseFile != nil {
                let secret = try PassphraseInput.read(prompt: "Passphrase: ", file: passphraseFile, confirm: true)
                recipients.append(try ScryptRecipient(passphrase: secret))
            }
            for r in recipient { recipients.append(try X25519Recipient(r)) }
            for file in recipientsFile {
                let text = String(decoding: try FileIO.readSmallFile(file), as: UTF8.self)
                for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.isEmpty {
                    recipients.append(try X25519Recipient(String(line)))
                }
            }
            let source = try FileIO.input(input)
            let out = try FileIO.Output(output)
            try Age.encrypt(from: source, to: out.sink, recipients: recipients, armor: armor)
            try out.finish()
        }
    }
}
