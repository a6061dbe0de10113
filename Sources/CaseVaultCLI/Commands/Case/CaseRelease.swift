import ArgumentParser
import CaseVaultCore

/// `casevault case release CASE --reason …`.
struct CaseRelease: CaseHoldEvent {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release a case's legal hold (placed by `case hold`).",
        discussion: """
            An admin or a holder of one of the case's reader roles may. Holds placed on single items with \
            `casevault custody hold` stay until each is released.

            Example:
              casevault case release LPZ-2026-014 --reason "sentencia firme"
            """
    )

    static let placing = false

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "id"))
    var id: String

    @OptionGroup var reason: CustodyReasonOptions
}
