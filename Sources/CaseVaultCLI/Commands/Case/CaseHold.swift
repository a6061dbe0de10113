import ArgumentParser
import CaseVaultCore

/// `casevault case hold CASE --reason …`.
struct CaseHold: CaseHoldEvent {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Place a case under legal hold: no disposal of any of its items until it is released.",
        discussion: """
            An admin or a holder of one of the case's reader roles may. The hold is an entry of the signed \
            log; the reason and authority are encrypted to the case's reader roles. Items added later are held \
            too. To hold one item, use `casevault custody hold`.

            Example:
              casevault case hold LPZ-2026-014 --reason "orden judicial" --authority "JI-2026-77"
            """
    )

    static let placing = true

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The case id.", valueName: "id"))
    var id: String

    @OptionGroup var reason: CustodyReasonOptions
}

/// `case hold` and `case release`: they take the same input and run alike.
protocol CaseHoldEvent: AsyncParsableCommand {
    static var placing: Bool { get }
    var options: VaultOptions { get }
    var id: String { get }
    var reason: CustodyReasonOptions { get }
}

extension CaseHoldEvent {
    func validate() throws {
        try InputCheck.validating { try InputCheck.caseID(id) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let kind = Self.placing ? "legal hold" : "legal hold release"
            let session = try options.unlock(vault, purpose: "record a \(kind)")
            let entry =
                Self.placing
                ? try vault.placeHold(.caseFile(id), remarks: reason.remarks, by: session)
                : try vault.releaseHold(.caseFile(id), remarks: reason.remarks, by: session)
            if options.json { return try Printer.json(CaseHoldRecorded(case: id, kind: kind, entry: entry)) }
            Console.out("Recorded \(kind) of case \(id) as entry \(entry) of the signed log.")
        }
    }
}

private struct CaseHoldRecorded: Encodable {
    let `case`: String
    let kind: String
    let entry: Int
}
