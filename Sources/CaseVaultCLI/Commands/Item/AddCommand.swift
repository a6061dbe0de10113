import ArgumentParser
import CaseVaultCore
import CaseVaultCrypto

/// `casevault add CASE FILE|FOLDER…`, or with `--files-from LIST`.
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add files to a case, encrypted to the roles that may read them.",
        discussion: """
            Each file is read once: its SHA-256 is computed while it is encrypted, and the original is never \
            changed. The class decides who reads it by default (evidence, legal: lawyer, mentor; clinical: \
            psychologist; social: social-worker, psychologist); --readers overrides that. File name, note \
            and chain-of-custody fields are encrypted with the file. Either all files are added or none. A \
            new version of a document is a new item that names the old one with --replaces.

            A folder adds every regular file under it, at any depth, in byte order of their paths (each \
            item keeps its file's own name, without the folder); a link, pipe or device inside it is \
            refused, naming it, and nothing is added. --files-from reads the paths from a file, one per \
            line (- for standard input; -0 for NUL-separated, as `find -print0` writes).

            Example:
              casevault add --as lucia LPZ-2026-014 denuncia.pdf --class legal \\
                --collected-by lucia --collected-at 2026-03-01T10:30 --source "Fiscalía, El Alto"
              casevault add --as lucia LPZ-2026-014 foto1.jpg foto2.jpg --note "Fotos del lugar" --sha512
              casevault add --as lucia LPZ-2026-014 denuncia-v2.pdf --class legal --replaces it_3f9a0c2d4e5b6a71
              casevault add --as lucia LPZ-2026-014 fotos/
              find fotos -name '*.jpg' -print0 | casevault add --as lucia LPZ-2026-014 --files-from - -0
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "case"))
    var caseID: String

    @Argument(help: ArgumentHelp("The files to add; a folder adds every file under it.", valueName: "file"))
    var files: [String] = []

    @Option(
        name: .customLong("files-from"),
        help: ArgumentHelp(
            "Also add the paths listed in this file, one per line (- for standard input).", valueName: "list"))
    var filesFrom: String?

    @Flag(
        name: [.customShort("0"), .customLong("null")],
        help: "The --files-from list is separated by NUL bytes (find -print0), not by lines.")
    var nulSeparated = false

    @Option(
        name: .customLong("class"),
        help: ArgumentHelp("What the files are; decides the default readers.", valueName: "class"))
    var itemClass: ItemClassArgument = .evidence

    @Option(
        name: .customLong("readers"),
        help: ArgumentHelp(
            "The roles that may read the files, instead of the class's defaults (comma-separated or repeated).",
            valueName: "roles"))
    var readerArguments: [String] = []

    @Option(help: ArgumentHelp("A note (encrypted).", valueName: "text"))
    var note: String?

    @Option(
        help: ArgumentHelp(
            "Who collected the evidence (encrypted; chain of custody).", valueName: "name"))
    var collectedBy: String?

    @Option(
        help: ArgumentHelp(
            "When it was collected, e.g. 2026-03-01T10:30 (encrypted).", valueName: "date"))
    var collectedAt: String?

    @Option(
        help: ArgumentHelp(
            "Where it came from (encrypted), e.g. \"Fiscalía, El Alto\".", valueName: "text"))
    var source: String?

    @Option(
        help: ArgumentHelp("The item this file is a new version of (one file only).", valueName: "item")
    )
    var replaces: String?

    @Flag(help: "Also record the SHA-512 of each file (for forensic reports; slower).")
    var sha512 = false

    @Option(
        help: ArgumentHelp(
            "Custody intake, signed in clear: who supplied it (survivor, third-party, team).", valueName: "origin"))
    var origin: IntakeOrigin?

    @Option(
        help: ArgumentHelp("Custody intake, signed in clear: original or exact-copy.", valueName: "method"))
    var method: IntakeMethod?

    var readers: [String]? {
        let roles = readerArguments.flatMap { $0.split(separator: ",").map(String.init) }
        return roles.isEmpty ? nil : roles
    }

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.caseID(caseID)
            if !readerArguments.isEmpty && readers == nil {
                throw CLIError.usage(
                    "--readers names no role. Name at least one, or leave it out for the class's defaults.")
            }
            for role in readers ?? [] { try InputCheck.role(role) }
            if let replaces {
                try InputCheck.itemID(replaces)
                if files.count > 1 {
                    throw CLIError.usage(
                        "--replaces names the old version of one file. Add that file on its own.")
                }
            }
            if let note { try InputCheck.text(note, option: "--note") }
            if let collectedBy {
                try InputCheck.text(collectedBy, option: "--collected-by", limit: 256, multiline: false)
            }
            if let source { try InputCheck.text(source, option: "--source", limit: 1024, multiline: false) }
            if let collectedAt { try InputCheck.timestamp(collectedAt, option: "--collected-at") }
        }
    }

    /// The files named, folders expanded and the list read, each checked: all before a passphrase is
    /// asked for (`add` checks again as it opens each file).
    func inputs() throws -> [String] {
        // Checked here, not in validate(): a name such as -hechos.pdf leaves no file argument, and the
        // parser's own message for it (put -- before it) must be the only one.
        guard !files.isEmpty || filesFrom != nil else {
            throw CLIError.usage("Name at least one file or folder to add, or a list with --files-from.")
        }
        if nulSeparated && filesFrom == nil { throw CLIError.usage("-0 goes with --files-from.") }
        var paths = files
        if let filesFrom {
            let listed = try PathList.read(filesFrom, nulSeparated: nulSeparated)
            guard !listed.isEmpty else { throw CLIError.usage("The list of files \(filesFrom) names no file.") }
            paths += listed
        }
        let expanded = try Vault.expandInputs(paths)
        if replaces != nil && expanded.count > 1 {
            throw CLIError.usage("--replaces names the old version of one file. Add that file on its own.")
        }
        try Vault.checkInputs(expanded)
        return expanded
    }

    func run() async throws {
        try await options.run {
            let files = try inputs()
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "add items")
            let bar = ProgressBar.make(label: "Encrypting")
            var addOptions = AddOptions(
                itemClass: itemClass.itemClass, readers: readers, note: note,
                collectedBy: collectedBy, collectedAt: collectedAt,
                source: source, replaces: replaces, extraDigests: sha512 ? [.sha512] : [])
            addOptions.origin = origin
            addOptions.method = method
            if let bar {
                let count = files.count
                addOptions.progress = { @Sendable index, done, total in
                    bar.update(done: done, total: total, prefix: count > 1 ? "[\(index + 1)/\(count)] " : "")
                }
            }
            let items: [Item]
            do {
                items = try vault.add(caseID: caseID, files: files, options: addOptions, by: session)
                bar?.finish()
                noteMissingDefaultReaders(vault, items)
            } catch {
                bar?.finish()
                throw error
            }
            if options.json {
                try Printer.json(items)
                return
            }
            for (item, path) in zip(items, files) {
                Console.out(
                    "Added \(item.id)  \(Printer.safe(path))  \(Printer.size(item.size))  sha256 \(item.sha256)"
                )
            }
            if let first = items.first {
                Console.out(
                    "Readable by: \(Printer.roles(first.readers)) (\(items.count) item\(items.count == 1 ? "" : "s") in case \(caseID))."
                )
            }
        }
    }

    /// The class's default readers that nobody holds yet are left out by the vault (it has no key to wrap
    /// to); say so, so that nobody assumes a mentor can read what only lawyers can.
    private func noteMissingDefaultReaders(_ vault: Vault, _ items: [Item]) {
        guard readers == nil, let first = items.first else { return }
        let defaults = vault.configuration.classReaders[itemClass.itemClass] ?? []
        let missing = defaults.filter { !first.readers.contains($0) }
        guard !missing.isEmpty else { return }
        Console.error(
            "casevault: note: nobody holds \(missing.joined(separator: ", ")) yet, so \(items.count == 1 ? "this item" : "these items") "
                + "will be readable by \(first.readers.joined(separator: ", ")) only.")
    }
}

extension IntakeOrigin: ExpressibleByArgument {}
extension IntakeMethod: ExpressibleByArgument {}
