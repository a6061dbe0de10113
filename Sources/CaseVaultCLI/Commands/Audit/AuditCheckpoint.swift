import ArgumentParser
import CaseVaultCore

/// `casevault audit checkpoint`.
struct AuditCheckpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the vault's latest signed checkpoint (C2SP tlog-checkpoint).",
        discussion: """
            The checkpoint names the log's size and Merkle root, signed by the member who appended last. \
            Keep it somewhere else (printed in the case file, mailed to the auditor): later, `audit verify \
            --from` proves that the vault still holds that history. Verify its signature with the member's \
            Ed25519 key (`openssl pkeyutl -verify -rawin`; Docs/FORMAT.md says how).

            Example:
              casevault audit checkpoint > checkpoint-2026-03-01.txt
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let note = try options.openVault().latestCheckpoint()
            Console.write(bytes: note)
        }
    }
}
