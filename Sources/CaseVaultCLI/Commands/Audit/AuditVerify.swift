import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault audit verify [--from CHECKPOINT]`.
struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the whole signed log from its first entry, and its consistency with a kept checkpoint.",
        discussion: """
            Replays every entry: its author's signature, that the author was allowed to make that change \
            at that point, and that it extends the log before it; then the latest checkpoint. Every problem \
            is named with its entry number; the exit code is 65 when there is any. With --from, also \
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
            let vault = try options.openVault()
            let report = try vault.verifyWholeLog()
            var problems = report.problems.map { ErrorReport.message(for: $0) }
            if let from, problems.isEmpty {
                let note = try FileSystem.readSmallFile(from, limit: 64 * 1024)
                do { try vault.verifyConsistency(withCheckpoint: note) } catch let error as SignedLogError {
                    problems.append(ErrorReport.message(for: error))
                }
            }
            if options.json {
                try Printer.json(
                    VerifyResult(
                        vault: vault.fingerprint, entries: report.size, root: report.root,
                        checkpointMatches: report.checkpointMatches, consistentWith: problems.isEmpty ? from : nil,
                        problems: problems))
            } else {
                Console.out("Vault \(vault.fingerprint): \(report.size) entries, tree root \(report.root).")
                for problem in problems { Console.out("PROBLEM: \(problem)") }
                if problems.isEmpty {
                    Console.out("Every entry is signed by a member allowed to make it; the latest checkpoint matches.")
                    if let from { Console.out("The log extends the checkpoint in \(Printer.safe(from)).") }
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
    let problems: [String]
}
