import ArgumentParser
import CaseVaultCore

/// `casevault custody hold ITEM --reason …`.
struct CustodyHold: CustodyReasonEvent {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Place the item under legal hold: no disposal can be requested until it is released.",
        discussion: """
            An admin or a holder of one of the item's reader roles may, also once the item is sealed. The hold \
            is a custody event of the signed log; the reason and authority are encrypted to the item's \
            readers. To hold every item of a case, use `casevault case hold`.

            Example:
              casevault custody hold it_3f9a0c2d4e5b6a71 --reason "orden judicial" --authority "JI-2026-77"
            """
    )

    static let kind = "legal hold"

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @OptionGroup var reason: CustodyReasonOptions

    func record(_ vault: Vault, session: MemberSession) throws -> Int {
        try vault.placeHold(.item(item), remarks: reason.remarks, by: session)
    }
}
