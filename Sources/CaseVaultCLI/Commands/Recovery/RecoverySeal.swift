import ArgumentParser
import CaseVaultCore

/// `casevault recovery seal`.
struct RecoverySeal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "Seal the role keys you hold to the recovery key.",
        discussion: """
            `recovery init` seals the role keys its admin holds, and every later rotation seals the new key; \
            the older keys of roles the admin does not hold need one of their holders to run this. It seals \
            only to the recovery key the signed log names.

            Example:
              casevault recovery seal --as luis
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "seal role keys to the recovery key")
            let sealed = try vault.sealToRecovery(by: session)
            let status = try vault.recoveryStatus()
            if options.json {
                try Printer.json(RecoverySealJSON(sealed: sealed, status: status))
            } else {
                Console.out("Sealed \(sealed) role key\(sealed == 1 ? "" : "s") to the recovery key.")
            }
            RecoveryText.warn(status)
        }
    }
}

struct RecoverySealJSON: Encodable {
    let sealed: Int
    let status: RecoveryStatus
}
