import ArgumentParser
import CaseVaultCore

/// `casevault recovery init --shares N --threshold K`.
struct RecoveryInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make the recovery key and print its shares (admins only).",
        discussion: """
            Makes a new recovery key (replacing the current one, whose shares then match nothing), records \
            it in the signed log, seals to it every role key you hold, and writes its N shares: one file \
            per share (mode 0600) in --out-dir, which must be outside the vault folder, or all of them to \
            standard output with --stdout. Print each share and give it to a different keeper; then delete \
            the files. Roles you do not hold are sealed from their next rotation on; a holder seals the \
            older keys with `casevault recovery seal`.

            Example:
              casevault recovery init --as ana --shares 5 --threshold 3 --out-dir /media/usb/shares
            """
    )

    @OptionGroup var options: VaultOptions
    @OptionGroup var output: ShareOutputOptions

    @Option(help: ArgumentHelp("How many shares to make (2-255).", valueName: "n"))
    var shares: Int

    @Option(help: ArgumentHelp("How many shares recover the key (2 to --shares).", valueName: "k"))
    var threshold: Int

    func validate() throws {
        try InputCheck.validating {
            guard threshold >= 2, shares >= threshold, shares <= 255 else {
                throw CLIError.usage("Choose 2 <= --threshold <= --shares <= 255.")
            }
            try output.checkDestination()
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            try output.check(outside: vault)
            let session = try options.unlock(vault, purpose: "set up the recovery key")
            let setup = try vault.initRecovery(threshold: threshold, count: shares, by: session)
            let written = try output.write(setup.shares)
            if options.json {
                try Printer.json(RecoveryInitJSON(keyID: setup.keyID, files: written, status: setup.status))
            } else {
                Console.out("Recovery key \(setup.keyID): any \(threshold) of \(shares) shares recover it.")
                for file in written { Console.out("Share written to \(file) (print it, then delete the file).") }
            }
            RecoveryText.warn(setup.status)
        }
    }
}

struct RecoveryInitJSON: Encodable {
    let keyID: String
    let files: [String]
    let status: RecoveryStatus
}
