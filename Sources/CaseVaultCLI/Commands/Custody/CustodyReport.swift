import ArgumentParser
import CaseVaultCore
import CaseVaultIO
import Foundation

/// `casevault custody report ITEM|CASE`.
struct CustodyReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a court-ready custody report of an item or of every item of a case.",
        discussion: """
            The report gives each item's hashes in full and how to recompute them, every custody event with \
            its signer, times in UTC and Bolivian time, whether the chain is unbroken, the signers' key \
            fingerprints and the entries that bind them, the signed checkpoint and an inclusion proof of \
            every event. It needs no passphrase: an auditor's report shows staff names, roles, ids, times and \
            hashes, never content, titles or file names. With --as, a reader's report also shows remarks.

            Example:
              casevault custody report LPZ-2026-014 --lang es --format html -o informe.html
              casevault custody report it_3f9a0c2d4e5b6a71 --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, html, json }

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("An item id (it_…) or a case id.", valueName: "item-or-case"))
    var target: String

    @Option(help: ArgumentHelp("The report's language: es or en.", valueName: "lang"))
    var lang: String = "es"

    @Option(help: ArgumentHelp("md, html or json.", valueName: "format"))
    var format: Format = .md

    @Option(
        name: .shortAndLong, help: ArgumentHelp("Write to this file (default: standard output).", valueName: "path"))
    var output: String?

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        try InputCheck.validating {
            if target.hasPrefix("it_") { try InputCheck.itemID(target) } else { try InputCheck.caseID(target) }
            guard CustodyText.Language(rawValue: lang) != nil else { throw CLIError.usage("--lang must be es or en.") }
            if let output { try InputCheck.outputFile(output, option: "-o") }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlockIfNamed(vault, purpose: "read custody remarks")
            let dossier =
                target.hasPrefix("it_")
                ? try vault.custodyDossier(items: [target], as: session)
                : try vault.custodyDossier(ofCase: target, as: session)
            let now = Timestamp.format(Date())
            let language = CustodyText.Language(rawValue: lang)!
            let text: String
            switch format {
            case .json:
                text = try ReportJSON(dossier, generatedAt: now, generatedBy: session?.member).text()
            case .md, .html:
                let content = ReportContent(
                    dossier: dossier, language: language, generatedAt: now, generatedBy: session?.member)
                text =
                    format == .md
                    ? ReportRender.markdown(content.blocks)
                    : ReportRender.html(content.blocks, title: content.title, language: lang)
            }
            guard let output else { return Console.write(bytes: Array(text.utf8)) }
            let file = try AtomicFileSink(path: output, mode: 0o600, overwrite: force)
            try Array(text.utf8).withUnsafeBytes { try file.write($0) }
            try file.commit()
            Console.error(
                "casevault: wrote the custody report of \(dossier.records.count) item(s) to \(Printer.safe(output)).")
        }
    }
}
