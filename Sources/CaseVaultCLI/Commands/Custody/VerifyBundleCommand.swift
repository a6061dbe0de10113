import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault verify-bundle DIR`.
struct VerifyBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract: "Check an evidence bundle without the vault: every hash, signature, proof and chain in it.",
        discussion: """
            Checks the BagIt manifests (SHA-256 and SHA-512) and Payload-Oxum, the checkpoint's signatures, each \
            entry's signature, inclusion proof and prev root against that checkpoint, the entries that bind the \
            signers' keys, the key files, each custody.json against the signed entries, each item's chain on its \
            own, each payload against its recorded hash, and the newest cosigned checkpoint with its consistency \
            proof. Every problem is named; exit code 65 when there is any. Compare the vault id and key \
            fingerprints with a trusted copy. A bundle proves who signed, not that they were entitled to: that \
            needs the whole log (audit verify) or an auditor's cosignature over the events.

            Example:
              casevault verify-bundle evidencia-2026-014
              casevault verify-bundle evidencia-2026-014 --json
            """
    )

    @Argument(help: ArgumentHelp("The bundle's folder.", valueName: "folder"))
    var folder: String

    @Flag(help: "Print machine-readable JSON on standard output.")
    var json = false

    func validate() throws {
        try InputCheck.validating {
            guard FileSystem.isDirectory(folder) else {
                throw CLIError.inputMissing("There is no bundle folder at \(folder).")
            }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let result = try CustodyBundle.verify(folder: folder)
            if json {
                try Printer.json(result)
            } else {
                Console.out(
                    result.checkpointSigners.isEmpty
                        ? "Vault \(result.vault): its checkpoint does not verify."
                        : "Vault \(result.vault), checkpoint of \(result.treeSize) entries signed by "
                            + "\(result.checkpointSigners.joined(separator: ", ")).")
                for item in result.items {
                    let chain = item.gaps.isEmpty ? "unbroken chain" : "\(item.gaps.count) gap(s)"
                    Console.out(
                        "\(item.item): \(item.events.count) events, \(chain), payload (\(item.payload)) "
                            + (item.payloadMatches ? "matches" : "DOES NOT MATCH"))
                }
                if let witness = result.witness, !witness.cosigners.isEmpty {
                    Console.out(
                        "Witnessed: auditors (\(witness.cosigners.joined(separator: ", "))) cosigned the tree of the "
                            + "first \(witness.size) entries; later entries are not witnessed.")
                } else if !result.checkpointSigners.isEmpty {
                    Console.out(
                        "No auditor's cosignature: the checkpoint is only as trustworthy as the key of the member who "
                            + "signed it.")
                }
                for note in result.notes { Console.out("NOTE: \(note)") }
                for problem in result.problems { Console.out("PROBLEM: \(problem)") }
                Console.out(result.ok ? "The bundle verifies." : "The bundle does NOT verify.")
            }
            guard result.ok else {
                throw CLIError(
                    message: "the bundle does not verify (\(result.problems.count) problem(s)).",
                    code: ExitCodes.dataError)
            }
        }
    }
}
