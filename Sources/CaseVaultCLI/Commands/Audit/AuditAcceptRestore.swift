import ArgumentParser
import CaseVaultCore

/// `casevault audit accept-restore [--yes]`.
struct AuditAcceptRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept-restore",
        abstract: "Accept a vault restored from a backup older than what your client has seen.",
        discussion: """
            Your client remembers how much of the vault's signed log it verified, and refuses a vault that \
            shows less ("history was rewritten after entry N"). After a restore from an older backup, this \
            lists exactly what the vault lacks: the entries, and the items, cases and members they added. \
            With --yes it then forgets what your client had verified of this vault, verifies the whole log \
            again, and records a signed `restore` entry saying how much history you had seen.

            Example:
              casevault audit accept-restore --as lucia
              casevault audit accept-restore --as lucia --yes
            """
    )

    @OptionGroup var options: VaultOptions

    @Flag(help: "Accept the rollback and record it (without it, only list what is lacking).")
    var yes = false

    func run() async throws {
        try await options.run {
            guard let stateFolder = options.stateFolder else {
                throw CLIError.usage("Set HOME or XDG_STATE_HOME: your client's verified state lives there.")
            }
            let report: RollbackReport
            if yes {
                report = try Vault.acceptRollback(
                    at: options.vaultPath, stateFolder: stateFolder,
                    keyWorkFactor: try KeyWorkFactor.resolve(options.keyWorkFactor)
                ) { vault in try options.unlock(vault, purpose: "accept a restore") }
            } else {
                report = try Vault.rollback(at: options.vaultPath, stateFolder: stateFolder)
            }
            if options.json {
                try Printer.json(
                    AcceptJSON(
                        restoredEntries: report.restoredSize, seenEntries: report.seenSize,
                        lostItems: report.lostItems, lostCases: report.lostCases, lostMembers: report.lostMembers,
                        accepted: yes))
                return
            }
            Console.out(
                "The vault holds \(report.restoredSize) log entries; your client had verified \(report.seenSize). "
                    + "It lacks entries \(report.restoredSize) to \(report.seenSize - 1).")
            if !report.lostItems.isEmpty { Console.out("Items lacking: \(report.lostItems.joined(separator: ", "))") }
            if !report.lostCases.isEmpty { Console.out("Cases lacking: \(report.lostCases.joined(separator: ", "))") }
            if !report.lostMembers.isEmpty {
                Console.out("Members lacking: \(report.lostMembers.joined(separator: ", "))")
            }
            Console.out(
                yes
                    ? "Accepted: the restore is recorded in the signed log."
                    : "Nothing was changed. Run again with --yes to accept this and record it.")
        }
    }
}

private struct AcceptJSON: Encodable {
    let restoredEntries: Int
    let seenEntries: Int
    let lostItems: [String]
    let lostCases: [String]
    let lostMembers: [String]
    let accepted: Bool
}
