import ArgumentParser
import CaseVaultCore

/// `casevault custody seal ITEM --reason …`.
struct CustodySeal: CustodyReasonEvent {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "Seal the item for court; from then on only access, verification and export are recorded.",
        discussion: """
            Only a holder of one of the item's reader roles, or its custodian, may seal an item, once. The \
            reason and authority are encrypted to the item's readers.

            Example:
              casevault custody seal it_3f9a0c2d4e5b6a71 --reason "audiencia" --authority REQ-2026-114
            """
    )

    static let kind = "seal"

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @OptionGroup var reason: CustodyReasonOptions

    func record(_ vault: Vault, session: MemberSession) throws -> Int {
        try vault.sealCustody(item, remarks: reason.remarks, by: session)
    }
}
