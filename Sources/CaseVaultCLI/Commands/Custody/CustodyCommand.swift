import ArgumentParser
import CaseVaultCore

/// `casevault custody …`: an item's chain of custody, each event signed into the log.
struct CustodyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody",
        abstract: "Show, extend and report an item's chain of custody.",
        discussion: """
            Every event of an item's custody (intake, access, export, transfer, verification, note, seal, \
            disposal request, legal hold and its release) is an entry of the signed log, signed by whoever acted and linked to the item's \
            previous event. Reasons and notes are encrypted to the item's readers; names, times, actions and \
            hashes are in clear, so an auditor can check the whole chain without seeing the content.

            Example:
              casevault custody show it_3f9a0c2d4e5b6a71
              casevault custody transfer it_3f9a0c2d4e5b6a71 --to mateo --reason "revisión"
              casevault custody verify it_3f9a0c2d4e5b6a71
              casevault custody report LPZ-2026-014 --lang es --format html -o informe.html
            """,
        subcommands: [
            CustodyShow.self, CustodyTransfer.self, CustodyNote.self, CustodySeal.self, CustodyDispose.self,
            CustodyHold.self, CustodyRelease.self, CustodyVerify.self, CustodyReport.self,
        ]
    )
}

/// The authority behind an event, e.g. the prosecutor's request number (encrypted to the item's readers).
struct CustodyAuthorityOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The authority's reference, e.g. the prosecutor's request number (encrypted).", valueName: "ref"))
    var authority: String?

    func validate() throws {
        try InputCheck.validating {
            if let authority { try InputCheck.text(authority, option: "--authority", limit: 256, multiline: false) }
        }
    }

    /// `text` with this authority, as the event's remarks.
    func remarks(_ text: String) -> CustodyRemarks { CustodyRemarks(text: text, authority: authority) }
}

/// The free-text options of an event (encrypted to the item's readers).
struct CustodyReasonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Why (encrypted to the item's readers).", valueName: "text"))
    var reason: String

    @OptionGroup var authority: CustodyAuthorityOption

    func validate() throws {
        try InputCheck.validating { try InputCheck.text(reason, option: "--reason") }
    }

    var remarks: CustodyRemarks { authority.remarks(reason) }
}

/// What an event command prints: the entry it appended.
struct CustodyRecorded: Encodable {
    let item: String
    let kind: String
    let entry: Int

    func print(json: Bool) throws {
        if json { return try Printer.json(self) }
        Console.out("Recorded \(kind) of \(item) as entry \(entry) of the signed log.")
    }
}

/// A custody event whose only input is a reason (seal, disposal request): they validate and run alike.
protocol CustodyReasonEvent: AsyncParsableCommand {
    static var kind: String { get }
    var options: VaultOptions { get }
    var item: String { get }
    func record(_ vault: Vault, session: MemberSession) throws -> Int
}

extension CustodyReasonEvent {
    func validate() throws {
        try InputCheck.validating { try InputCheck.itemID(item) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let entry = try record(vault, session: try options.unlock(vault, purpose: "record a \(Self.kind)"))
            try CustodyRecorded(item: item, kind: Self.kind, entry: entry).print(json: options.json)
        }
    }
}
