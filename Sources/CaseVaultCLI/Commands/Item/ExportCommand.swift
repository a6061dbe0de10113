import ArgumentParser
import CaseVaultCore

/// `casevault export ITEM --to age1…|--passphrase`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an item as a standard age file for someone outside the vault.",
        discussion: """
            For a prosecutor or partner who uses age: the file opens with `age -d -i their-key` (--to) or \
            `age -d` and the passphrase (--passphrase, typed twice or read from --new-passphrase-file; send \
            the passphrase by another channel). The item is decrypted on the way to check it, so a damaged \
            item is never exported. Without -o the file is named after the original, plus .age. With \
            --bundle, one or more items go into a BagIt evidence bundle with their signed custody events, \
            inclusion proofs, the checkpoint and the signers' keys, which `verify-bundle` checks without the vault.

            Example:
              casevault export --as lucia it_3f9a0c2d4e5b6a71 --to age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
              casevault export --as lucia it_3f9a0c2d4e5b6a71 --passphrase -o denuncia.pdf.age
              casevault export --as lucia it_3f9a… it_77c1… --to age1… --bundle evidencia-2026-014
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @Argument(help: ArgumentHelp("More items (with --bundle only).", valueName: "item"))
    var moreItems: [String] = []

    @Option(
        help: ArgumentHelp(
            "Write a verifiable evidence bundle (a BagIt bag) to this new folder instead.", valueName: "folder"))
    var bundle: String?

    @Flag(help: "With --bundle: put the plaintext in the bundle instead of an age file (readers only).")
    var plaintext = false

    @Option(help: ArgumentHelp("The recipient's age public key.", valueName: "age1…"))
    var to: String?

    @Flag(help: "Encrypt to a new passphrase instead (asked twice, or --new-passphrase-file).")
    var passphrase = false

    @Option(
        help: ArgumentHelp(
            "With --passphrase: read it from the first line of this file.", valueName: "file"))
    var newPassphraseFile: String?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Where to write the age file (default: ORIGINAL-NAME.age here).", valueName: "path"))
    var output: String?

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    @Option(
        help: ArgumentHelp(
            "What the export is for, e.g. \"para la Fiscalía\" (encrypted to the item's readers; custody).",
            valueName: "text"))
    var purpose: String?

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.itemID(item)
            try validateBundle()
            let usesPassphrase = passphrase || newPassphraseFile != nil
            if usesPassphrase == (to != nil) && !plaintext {
                throw CLIError.usage(
                    "Say whom to export to: --to age1… (their public key) or --passphrase, but not both.")
            }
            if let to, !to.hasPrefix("age1") {
                throw CLIError.usage(
                    "\(InputCheck.quoted(to)) is not an age public key; it should start with age1.")
            }
            if let output { try InputCheck.outputFile(output, option: "-o") }
            if let purpose { try InputCheck.text(purpose, option: "--purpose") }
        }
    }

    func run() async throws {
        if let bundle { return try await runBundle(bundle) }
        try await options.run {
            let vault = try options.openVault()
            let target: ExportTarget
            if let to {
                target = .recipient(to)
            } else {
                let secret = try PassphraseInput.readNew(
                    prompt: "Passphrase for the exported file: ", file: newPassphraseFile)
                target = .passphrase(secret, workFactor: try KeyWorkFactor.resolve(options.keyWorkFactor))
            }
            let bar = ProgressBar.make(label: "Exporting")
            defer { bar?.finish() }
            let exported = try vault.export(
                item, to: target, output: .file(path: output, overwrite: force),
                by: try options.unlock(vault, purpose: "export an item"),
                progress: bar.map { bar in { bar.update(done: $0, total: $1) } },
                purpose: purpose.map { CustodyRemarks(text: $0) })
            bar?.finish()
            let path = exported.path ?? ""
            if exported.shortenedName {
                Console.error(
                    "casevault: note: the original file name is too long here; saved as \(Printer.safe(path)).")
            }
            if options.json {
                try Printer.json(ExportResult(item: exported.item, path: path, recipient: to))
                return
            }
            Console.out(
                "Wrote \(Printer.safe(path)), a standard age file of \(exported.item.id) (\(Printer.size(exported.item.size)))."
            )
            Console.out(
                to == nil
                    ? "Open it with: age -d -o FILE \(path)"
                    : "Open it with: age -d -i KEY-FILE -o FILE \(path)")
        }
    }
}

private struct ExportResult: Encodable {
    let item: Item
    let path: String
    let recipient: String?
}
