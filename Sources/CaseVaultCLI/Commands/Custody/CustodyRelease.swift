import ArgumentParser
import CaseVaultCore

/// `casevault custody release ITEM --reason …`.
struct CustodyRelease: CustodyReasonEvent {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release the item's legal hold (placed by `custody hold`).",
        discussion: """
            An admin or a holder of one of the item's reader roles may. A hold on the item's case stays until \
            `casevault case release`.

            Example:
              casevault custody release it_3f9a0c2d4e5b6a71 --reason "sentencia firme"
            """
    )

    static let kind = "legal hold release"

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    @OptionGroup var reason: CustodyReasonOptions

    func record(_ vault: Vault, session: MemberSession) throws -> Int {
        try vault.releaseHold(.item(item), remarks: reason.remarks, by: session)
    }
}
