import ArgumentParser
import CaseVaultAge
import CaseVaultCrypto

/// `casevault age decrypt`: opens a standard age file.
struct AgeDecrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt an age file with identity files or a passphrase.",
        discussion: """
            Identity files may themselves be passphrase-protected age files. With -o, the output appears \
            only after the whole file verified; on any failure nothing is left behind.

            Example:
              casevault age decrypt -i alice.key -o report.pdf report.pdf.age
              casevault age decrypt --passphrase-file pass.txt -o note.txt note.age
            """
    )

    @Option(name: .shortAndLong, help: "An identity file (repeatable).")
    var identity: [String] = []

    @Option(help: "Read the passphrase (for a passphrase-encrypted file or identity file) from this file.")
    var passphraseFile: String?

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Argument(help: "The age file (default: standard input).")
    var input: String?

    func run() async throws {
        try await reportingErrors {
            var identities: [Identity] = []
            for path in identity {
                let bytes = try FileIO.readSmallFile(path)
                let text: SecureBytes
                if IdentityFile.isEncrypted(bytes) {
                    let secret = try PassphraseInput.read(prompt: "Passphrase for \(path): ", file: passphraseFile)
                    text = try IdentityFile.open(bytes, passphrase: secret)
                } else {
                    text = SecureBytes(copying: bytes)
                }
                identities += try IdentityFile.parse(text) as [Identity]
            }
            if identities.isEmpty {
                let secret = try PassphraseInput.read(prompt: "Passphrase: ", file: passphraseFile)
                identities.append(ScryptIdentity(passphrase: secret))
            }
            let source = try FileIO.input(input)
            let out = try FileIO.Output(output)
            try Age.decrypt(from: source, to: out.sink, identities: identities)
            try out.finish()
        }
    }
}
