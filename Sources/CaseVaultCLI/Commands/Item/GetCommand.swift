import ArgumentParser
import CaseVaultAge
import CaseVaultCore

/// `casevault get ITEM [-o PATH]`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Decrypt an item and check it against its recorded SHA-256.",
        discussion: """
            The file appears only after it decrypted completely and its size and SHA-256 matched the ones \
            recorded at `add`; on any failure nothing is left behind. Without -o it is written to the \
            current folder under its original name. An existing file is never replaced unless --force is \
            given. With -o -, the content goes to standard output as it is verified chunk by chunk; the \
            final SHA-256 check then comes after the bytes, and a failure is reported with a non-zero exit.

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
            if let output, output != "-" {
                if FileSystemCheck.isDirectory(output) {
                    throw CLIError.usage(
                        "\(output) is a folder. Give a file path with -o, e.g. \(output)/documento.pdf.")
                }
                if !force && FileSystemCheck.exists(output) {
                    throw CLIError.cannotCreate(
                        "\(output) already exists. Choose another -o path, or add --force to replace it.")
                }
            }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            _ = try vault.whoCanRead(item)  // an unknown item fails before a passphrase is asked
            let session = try options.unlock(vault, purpose: "read an item")
            if output == "-" {
                let got = try vault.decrypt(
                    item, to: FileDescriptorStream(fd: 1, owned: false), by: session)
                Console.error(
                    "casevault: \(got.id): \(got.size) bytes written to standard output; SHA-256 verified.")
                return
            }
            let path = try output ?? defaultPath(vault: vault, session: session)
            if !force && FileSystemCheck.exists(path) {
                throw CLIError.cannotCreate(
                    "\(path) already exists. Choose a path with -o, or add --force to replace it.")
            }
            let got = try fetch(vault: vault, session: session, to: path)
            if options.json {
                try Printer.json(GetResult(item: got, path: path, sha256Verified: true))
                return
            }
            Console.out(
                "Wrote \(Printer.safe(path)) (\(Printer.size(got.size))). SHA-256 verified: \(got.sha256)")
        }
    }

    /// The item's original file name in the current folder.
    private func defaultPath(vault: Vault, session: MemberSession) throws -> String {
        let details = try vault.showItem(item, as: session)
        guard let metadata = details.metadata else {
            throw VaultError.notAReader(subject: "item \(item)", readers: details.item.readers)
        }
        return ItemTable.safeFileName(metadata.filename) ?? item
    }

    /// Decrypts to `path`; with a progress bar (stderr is a terminal, the item is large) the plaintext is
    /// streamed through a counting sink into a file that appears only once everything verified.
    private func fetch(vault: Vault, session: MemberSession, to path: String) throws -> Item {
        let size = try vault.showItem(item).item.size
        guard let bar = ProgressBar.make(label: "Decrypting", total: size) else {
            return try vault.get(item, to: path, overwrite: force, by: session)
        }
        defer { bar.finish() }
        let file: AtomicFileSink
        do { file = try AtomicFileSink(path: path, mode: 0o600, overwrite: force) } catch {
            throw CLIError.cannotCreate("Cannot create \(path): \(errnoText()). Choose another -o path.")
        }
        let got = try vault.decrypt(
            item, to: CountingSink(file) { bar.update(done: $0, total: size) }, by: session)
        do { try file.commit() } catch {
            throw CLIError(
                message: "Could not finish writing \(path): \(errnoText()). Nothing was left behind.",
                code: ExitCodes.ioError)
        }
        return got
    }
}

/// Passes bytes on and reports the running total (for progress bars).
final class CountingSink: ByteSink {
    private let next: ByteSink
    private let report: (Int64) -> Void
    private var total: Int64 = 0

    init(_ next: ByteSink, report: @escaping (Int64) -> Void) {
        self.next = next
        self.report = report
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try next.write(bytes)
        total += Int64(bytes.count)
        report(total)
    }
}

private struct GetResult: Encodable {
    let item: Item
    let path: String
    let sha256Verified: Bool
}
