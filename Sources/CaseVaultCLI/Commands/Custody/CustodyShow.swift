import ArgumentParser
import CaseVaultCore

/// `casevault custody show ITEM`.
struct CustodyShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show an item's chain of custody, checked against the signed log.",
        discussion: """
            Every event with its entry number, time (UTC and Bolivian time), author and hashes, and whether \
            the chain is unbroken. Without --as, or as a member who holds none of the item's reader roles \
            (an auditor), remarks stay encrypted and no content, title or file name is shown.

            Example:
              casevault custody show it_3f9a0c2d4e5b6a71
              casevault custody show it_3f9a0c2d4e5b6a71 --as diego --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.itemID(item) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            _ = try vault.whoCanRead(item)  // an unknown item fails before a passphrase is asked
            let session = try options.unlockIfNamed(vault, purpose: "read the item's custody remarks")
            let dossier = try vault.custodyDossier(items: [item], as: session)
            let record = dossier.records[0]
            if options.json { return try Printer.json(record) }
            Printer.fields([
                ("Item", record.item), ("Case", record.caseID), ("Size", Printer.size(record.size)),
                ("SHA-256", record.sha256), ("SHA-512", record.sha512 ?? "not recorded at intake"),
                ("Object", record.object), ("Custodian", CustodyText.party(record.holder, record.custodian, .en)),
                ("Sealed", record.sealed ? "yes" : "no"),
                ("Legal hold", CustodyText.legalHold(record.legalHold, .en)),
            ])
            Console.out("")
            Printer.table(
                ["ENTRY", "TIME (UTC)", "LA PAZ (UTC-4)", "EVENT", "BY", "DETAILS"],
                record.events.map { event in
                    [
                        String(event.entry), event.time, CustodyText.laPaz(event.time), event.kind, event.author,
                        Printer.safe(CustodyText.details(event, record, .en)),
                    ]
                })
            Console.out("")
            if record.unbroken {
                Console.out("Unbroken chain: every event links to the one before it.")
            } else {
                Console.out("Gaps in the chain:")
                for gap in record.gaps { Console.out("  - \(gap.description)") }
            }
        }
    }
}
