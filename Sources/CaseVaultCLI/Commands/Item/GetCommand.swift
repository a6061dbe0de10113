import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault get ITEM [-o PATH]`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Decrypt an item and check it against its recorded SHA-256.",
        discussion: """
            The file appears only after it decrypted completely and its size and SHA-256 matched the ones \
            recorded at `add`; on any failure, even a killed process, nothing is left behind. Without -o it \
            is written to the current folder under its original name (shortened, keeping the extension, if \
            the file system needs it). An existing file is never replaced unless --force is given. With -o -, \
            the content goes to standard output as it is verified chunk by chunk; the final SHA-256 check \
            then comes after the bytes, and a failure is reported with a non-zero exit.

            Example:
              casevault get --as lucia it_3f9a0c2d4e5b6a71
              casevault get --as lucia it_3f9a0c2d4e5b6a71 -o ~/Desktop/denuncia.pdf
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Where to write it (default: its original name in this folder; - for standard output).",
            valueName: "path"))
    var output: String?

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.itemID(item)
            if let output, output != "-" { try InputCheck.outputFile(output, option: "-o") }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let bar = ProgressBar.make(label: "Decrypting")
            defer { bar?.finish() }
            let destination: ItemOutput =
                output == "-"
                ? .stream(FileDescriptorStream(fd: 1, owned: false)) : .file(path: output, overwrite: force)
            let got = try vault.get(
                item, to: destination, by: try options.unlock(vault, purpose: "read an item"),
                progress: bar.map { bar in { bar.update(done: $0, total: $1) } })
            bar?.finish()
            guard let path = got.path else {
                Console.error(
                    "casevault: \(got.item.id): \(got.item.size) bytes written to standard output; SHA-256 verified.")
                return
            }
            if got.shortenedName {
                Console.error(
                    "casevault: note: the original file name is too long here; saved as \(Printer.safe(path)).")
            }
            if options.json {
                try Printer.json(GetResult(item: got.item, path: path, sha256Verified: true))
                return
            }
            Console.out(
                "Wrote \(Printer.safe(path)) (\(Printer.size(got.item.size))). SHA-256 verified: \(got.item.sha256)")
        }
    }
}

private struct GetResult: Encodable {
    let item: Item
    let path: String
    let sha256Verified: Bool
}
