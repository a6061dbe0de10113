import ArgumentParser
import CaseVaultCore
import CaseVaultIO
import Foundation

/// `casevault audit cosign --as AUDITOR`.
struct AuditCosign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosign",
        abstract: "Countersign the latest checkpoint as an auditor (C2SP tlog-cosignature).",
        discussion: """
            First proves that the vault's log extends the last checkpoint you cosigned (kept in your own \
            state folder, never in the vault), so a vault that shows you a shorter or different history is \
            refused; then signs the latest checkpoint with your key and stores the cosignature with the \
            vault. `audit checkpoint` prints it with the checkpoint. Needs the auditor role.

            Example:
              casevault audit cosign --as diego
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "cosign the checkpoint")
            let kept = options.stateFolder.map { "\($0)/\(vault.fingerprint).cosigned-\(session.member)" }
            let previous = try kept.flatMap { path in
                FileSystem.exists(path) ? try FileSystem.readSmallFile(path, limit: 64 * 1024) : nil
            }
            let cosigned = try vault.cosignLatestCheckpoint(
                by: session, previous: previous, at: UInt64(Date().timeIntervalSince1970))
            if let kept {
                let file = try AtomicFileSink(path: kept, mode: 0o600)
                try file.write(cosigned)
                try file.commit()
            }
            Console.write(bytes: cosigned)
        }
    }
}
