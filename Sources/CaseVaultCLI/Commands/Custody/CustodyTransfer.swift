import ArgumentParser
import CaseVaultCore

/// `casevault custody transfer ITEM --to MEMBER --reason …`.
struct CustodyTransfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Make another member the item's custodian (they must hold one of its reader roles).",
        discussion: """
            Only a holder of one of the item's reader roles, or its custodian, may transfer it, and not once \
            it is sealed. The reason and authority are encrypted to the item's readers; the purpose is in clear.

            Example:
              casevault custody transfer it_3f9a0c2d4e5b6a71 --to mateo --purpose handover --reason "turno"
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @Option(help: ArgumentHelp("The new custodian.", valueName: "member"))
    var to: String

    @Option(
        help: ArgumentHelp(
            "What the transfer is for: \(TransferPurpose.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "purpose"))
    var purpose: String = TransferPurpose.handover.rawValue

    @OptionGroup var reason: CustodyReasonOptions

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.itemID(item)
            try InputCheck.member(to, option: "--to")
            guard TransferPurpose(rawValue: purpose) != nil else {
                throw CLIError.usage(
                    "--purpose must be one of \(TransferPurpose.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let entry = try vault.transferCustody(
                item, to: to, purpose: TransferPurpose(rawValue: purpose)!, remarks: reason.remarks,
                by: try options.unlock(vault, purpose: "transfer custody"))
            try CustodyRecorded(item: item, kind: "transfer to \(to)", entry: entry).print(json: options.json)
        }
    }
}
