import ArgumentParser
import CaseVaultCore
import CaseVaultCrypto

/// `casevault recovery restore --share FILE … --name NAME`.
struct RecoveryRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "With K recovery shares, admit a new admin and re-grant roles.",
        discussion: """
            For when every admin's passphrase is lost. Give at least K shares with --share (files typed \
            from the papers; `-` reads one share from standard input, ending at its 'check' line). Each \
            share is checked line by line before use, and the combined key must be the one the signed log \
            names. The new member gets new keys (a passphrase they choose now) and every role whose key is \
            sealed to the recovery key (or those given with --role; admin always). The entry that admits \
            them is signed by the recovery key. Then the recovery key is replaced, because it was \
            reconstructed: the new shares go to --out-dir (outside the vault) or standard output with \
            --stdout, and the old papers match nothing any more.

            Example:
              casevault recovery restore --share s1.txt --share s2.txt --share s3.txt --name nora --out-dir /media/usb/new
            """
    )

    @OptionGroup var options: VaultOptions
    @OptionGroup var output: ShareOutputOptions

    @Option(
        name: .customLong("share"),
        help: ArgumentHelp("A share file, or - for standard input (repeat).", valueName: "file"))
    var shareFiles: [String] = []

    @Option(help: ArgumentHelp("The new admin's member name.", valueName: "name"))
    var name: String

    @Option(
        name: .customLong("role"),
        help: ArgumentHelp(
            "A role to grant (repeatable, or comma-separated); all that can be, if none.", valueName: "role"))
    var roleArguments: [String] = []

    @Option(
        help: ArgumentHelp(
            "Read the new admin's passphrase from the first line of this file (for scripts).", valueName: "file"))
    var newPassphraseFile: String?

    @Option(help: ArgumentHelp("Shares of the new recovery key (default: as the old one).", valueName: "n"))
    var shares: Int?

    @Option(help: ArgumentHelp("Threshold of the new recovery key (default: as the old one).", valueName: "k"))
    var threshold: Int?

    var roles: [String] { roleArguments.flatMap { $0.split(separator: ",").map(String.init) } }

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.member(name)
            for role in roles { try InputCheck.role(role) }
            guard !shareFiles.isEmpty else { throw CLIError.usage("Give the shares with --share FILE (at least K).") }
            guard shareFiles.filter({ $0 == "-" }).count <= 1 else {
                throw CLIError.usage("Standard input (-) holds one share; give the others as files.")
            }
            for file in shareFiles where file != "-" { try InputCheck.readableFile(file, what: "The share ") }
            try output.checkDestination()
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            try output.check(outside: vault)
            let parsed = try shareFiles.map { file in
                try RecoveryShare.parse(try ShareInput.read(file), source: file == "-" ? "(standard input)" : file)
            }
            // Wrong, mixed or too few shares are refused before the new admin types a passphrase.
            try vault.checkRecoveryShares(parsed)
            let passphrase = try PassphraseInput.readNew(
                prompt: "\(name), choose your passphrase: ", file: newPassphraseFile)
            let restore = try vault.restoreFromRecovery(
                shares: parsed, name: name, newPassphrase: passphrase, roles: roles.isEmpty ? nil : roles,
                threshold: threshold, count: shares)
            let written = try output.write(restore.shares)
            if options.json {
                try Printer.json(RecoveryRestoreJSON(member: restore.member, files: written, status: restore.status))
            } else {
                Console.out("Admitted \(restore.member.name) with roles: \(Printer.roles(restore.member.roles)).")
                Console.out("Key file: \(vault.keyFilePath(for: restore.member.name)).")
                Console.out("The recovery key was replaced; the old shares match nothing now.")
                for file in written { Console.out("New share written to \(file) (print it, then delete the file).") }
            }
            RecoveryText.warn(restore.status)
        }
    }
}

struct RecoveryRestoreJSON: Encodable {
    let member: Member
    let files: [String]
    let status: RecoveryStatus
}
