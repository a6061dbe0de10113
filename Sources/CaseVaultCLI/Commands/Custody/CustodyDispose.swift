import ArgumentParser
import CaseVaultCore

/// `casevault custody dispose ITEM --reason …`.
struct CustodyDispose: CustodyReasonEvent {
    static let configuration = CommandConfiguration(
        commandName: "dispose",
        abstract: "Record a request to dispose of the item (solicitud de baja); nothing is deleted.",
        discussion: """
            Only a holder of one of the item's reader roles, or its custodian, may request disposal, and not \
            once the item is sealed. The reason and authority are encrypted to the item's readers.

            Example:
              casevault custody dispose it_3f9a0c2d4e5b6a71 --reason "caso archivado"
            """
    )

    static let kind = "disposal request"

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @OptionGroup var reason: CustodyReasonOptions

    func record(_ vault: Vault, session: MemberSession) throws -> Int {
        try vault.requestDisposal(item, remarks: reason.remarks, by: session)
    }
}
