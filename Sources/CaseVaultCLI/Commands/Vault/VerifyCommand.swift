import ArgumentParser
import CaseVaultCore

/// `casevault verify [--deep] [--repair-from DEST] [--grace SECONDS]`.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the whole vault: objects, database and signed log; repair objects from a backup.",
        discussion: """
            Checks every item's object against its name (which the item's signed entry names) and its \
            database row, PRAGMA integrity_check, and the whole signed log. With --deep, also decrypts \
            every item your roles can read (--as), checking every tag and the plaintext SHA-256. Each \
            damaged item is named, with the backup folders you made that hold a good copy. With \
            --repair-from, damaged or missing objects are replaced from that backup after their bytes are \
            checked against their names. Objects no item names (left by a killed add) are listed, and \
            removed once older than the grace period (default 86400 seconds, one day). Exit code 65 when \
            anything is still wrong.

            Example:
              casevault verify
              casevault verify --deep --as lucia
              casevault verify --repair-from /media/usb/casevault-backup
            """
    )

    @OptionGroup var options: VaultOptions

    @Flag(help: "Also decrypt every item the acting member can read.")
    var deep = false

    @Option(help: ArgumentHelp("Replace damaged or missing objects from this backup folder.", valueName: "dest"))
    var repairFrom: String?

    @Option(
        help: ArgumentHelp("Remove unnamed objects older than this many seconds (default 86400).", valueName: "seconds")
    )
    var grace = 86400

    func validate() throws {
        try InputCheck.validating {
            if grace < 0 { throw CLIError.usage("--grace must be 0 or more seconds.") }
            if deep && options.member == nil {
                throw CLIError.usage("Say who you are to decrypt with --deep: add --as NAME or set CASEVAULT_AS.")
            }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = deep ? try options.unlock(vault, purpose: "verify items by decrypting them") : nil
            let bar = ProgressBar.make(label: "Checking objects")
            defer { bar?.finish() }
            let report = try vault.scrub(
                ScrubOptions(
                    deep: deep, repairFrom: repairFrom, knownBackups: KnownBackups.list(vaultID: vault.fingerprint),
                    grace: grace), session: session,
                progress: bar.map { bar in { bar.update(done: $0, total: $1) } })
            bar?.finish()
            let problems = report.problems.map { problem in
                ProblemJSON(
                    problem: ErrorReport.message(for: problem),
                    goodCopies: problem.object.flatMap { report.goodCopies[$0] })
            }
            if options.json {
                try Printer.json(
                    VerifyJSON(
                        vault: vault.fingerprint, entries: report.log.size, items: report.items,
                        objects: report.objects, decrypted: report.decrypted, problems: problems,
                        repaired: report.repaired,
                        orphans: report.orphans.map { OrphanJSON(object: $0.object, age: $0.age, removed: $0.removed) },
                        superseded: report.superseded))
            } else {
                Console.out(
                    "Vault \(vault.fingerprint): \(report.log.size) log entries, \(report.items) items, "
                        + "\(report.custodyChains) custody chains, \(report.objects) objects\(deep ? ", \(report.decrypted) decrypted" : "")."
                )
                for object in report.repaired { Console.out("Repaired object \(object) from the backup.") }
                for problem in problems {
                    Console.out("PROBLEM: \(problem.problem)")
                    if let copies = problem.goodCopies {
                        Console.out(
                            copies.isEmpty
                                ? "  No known backup holds a good copy."
                                : "  A good copy is in: \(copies.map(Printer.safe).joined(separator: ", ")) "
                                    + "(casevault verify --repair-from FOLDER).")
                    }
                }
                for orphan in report.orphans {
                    Console.out(
                        "Unnamed object \(orphan.object) (\(orphan.age) s old): "
                            + (orphan.removed ? "removed." : "kept until it is \(grace) s old."))
                }
                if report.superseded > 0 {
                    Console.out(
                        "\(report.superseded) objects replaced by a re-encryption are kept until a backup holds their "
                            + "replacements (casevault backup DEST removes them then).")
                }
                if problems.isEmpty {
                    Console.out("Every object, the database, the signed log and every custody chain are sound.")
                }
            }
            if !problems.isEmpty { throw ExitCode(ExitCodes.dataError) }
        }
    }
}

extension BackupProblem {
    /// The object a problem is about, when it is about one.
    fileprivate var object: String? {
        switch self {
        case .objectDamaged(let object, _), .objectMissing(let object, _): object
        default: nil
        }
    }
}

private struct ProblemJSON: Encodable {
    let problem: String
    let goodCopies: [String]?
}

private struct OrphanJSON: Encodable {
    let object: String
    let age: Int
    let removed: Bool
}

private struct VerifyJSON: Encodable {
    let vault: String
    let entries: Int
    let items: Int
    let objects: Int
    let decrypted: Int
    let problems: [ProblemJSON]
    let repaired: [String]
    let orphans: [OrphanJSON]
    /// Objects a re-encryption replaced, kept until a backup holds their replacements.
    let superseded: Int
}
