import ArgumentParser
import CaseVaultCore

/// `casevault audit upgrade --as ADMIN`.
struct AuditUpgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Give a vault made by an earlier CaseVault its signed log (once, by an admin).",
        discussion: """
            Vaults made before the signed log cannot be verified. An admin upgrades one once: the log's first \
            entries then attest, signed by that admin, every member, role key, grant, case and item the vault \
            holds now. The admin vouches for that state, so run it on a copy you trust (a backup you kept \
            yourself). The vault gets a new fingerprint, printed here; tell the members.

            Example:
              casevault audit upgrade --as ana
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "upgrade the vault")
            let upgraded = try vault.upgradeToSignedLog(by: session, stateFolder: options.stateFolder)
            let report = try upgraded.verifyWholeLog()
            Console.out(
                "The vault at \(upgraded.path) has a signed log of \(report.size) entries, attested by "
                    + "\(session.member). New fingerprint: \(upgraded.fingerprint).")
        }
    }
}
