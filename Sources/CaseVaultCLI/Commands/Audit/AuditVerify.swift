import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault audit verify [--from CHECKPOINT]`.
struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the whole signed log from its first entry, and its consistency with a kept checkpoint.",
        discussion: """
            Replays every entry from the first, whatever this computer verified before: its author's \
            signature, that the author was allowed to make that change at that point, and that it extends \
            the log before it; then the latest checkpoint. The first refused entry is named with its number \
            and the replay stops there; the exit code is 65 when there is a problem. What this computer \
            saved of the vault is compared with the replay: a log that does not extend it, or a saved \
            record that differs, is a problem too. With --from, also \
            proves (RFC 9162) that today's log extends a checkpoint kept earlier, so that a vault shown with \
            a rewritten or shortened history is caught.

            Example:
              casevault audit verify
              casevault audit verify --from checkpoint-2026-03-01.txt --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("A checkpoint kept earlier (as `audit checkpoint` prints it).", valueName: "file"))
    var from: String?

    func validate() throws {
        try InputCheck.validating { if let from { try InputCheck.readableFile(from, what: "The checkpoint ") } }
    }

    func run() async throws {
        try await options.run {
            // The log is replayed here from its first entry, not caught up from what this computer saved:
            // the saved state is only compared with the replay (a rollback, or an altered state file).
            let vault = try options.openVault(verifyingLog: false)
            let kept = try from.map { try FileSystem.readSmallFile($0, limit: 64 * 1024) }
            let report = try vault.verifyWholeLog(consistentWith: kept, savedStateIn: options.stateFolder)
            var problems = report.problems.map { ErrorReport.message(for: $0) }
            if case .altered(let path, let size, let difference) = report.savedState {
                problems.append(ErrorReport.savedStateAltered(path: path, size: size, difference: difference))
            }
            if options.json {
                try Printer.json(
                    VerifyResult(
                        vault: vault.fingerprint, entries: report.size, root: report.root,
                        checkpointMatches: report.checkpointMatches,
                        consistentWith: report.extendsKeptCheckpoint == true ? from : nil,
                        savedState: report.savedState.map(SavedStateJSON.init), problems: problems))
            } else {
                Console.out("Vault \(vault.fingerprint): \(report.size) entries, tree root \(report.root).")
                for problem in problems { Console.out("PROBLEM: \(problem)") }
                if problems.isEmpty {
                    Console.out(
                        "Every entry is signed by a member allowed to make it"
                            + (report.checkpointMatches ? "; the latest checkpoint matches." : "."))
                    if let from, report.extendsKeptCheckpoint == true {
                        Console.out("The log extends the checkpoint in \(Printer.safe(from)).")
                    }
                    if case .agrees(let size) = report.savedState {
                        Console.out("It extends the \(size) entries this computer verified before.")
                    }
                }
            }
            if !problems.isEmpty { throw ExitCode(ExitCodes.dataError) }
        }
    }
}

private struct VerifyResult: Encodable {
    let vault: String
    let entries: Int
    let root: String
    let checkpointMatches: Bool
    let consistentWith: String?
    let savedState: SavedStateJSON?
    let problems: [String]
}

/// What this computer had verified before, compared with the replay: `agrees` or `altered`, at `entries`.
private struct SavedStateJSON: Encodable {
    let result: String
    let entries: Int

    init(_ check: SavedStateCheck) {
        switch check {
        case .agrees(let size): (result, entries) = ("agrees", size)
        case .altered(_, let size, _): (result, entries) = ("altered", size)
        }
    }
}
