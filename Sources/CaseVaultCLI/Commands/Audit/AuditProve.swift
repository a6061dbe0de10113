import ArgumentParser
import CaseVaultCore

/// `casevault audit prove ENTRY|ITEM`.
struct AuditProve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print a proof that an entry (or the entry that added an item) is in the signed log.",
        discussion: """
            The proof is a C2SP tlog-proof: the entry's number, its RFC 9162 inclusion proof, and the latest \
            signed checkpoint with its cosignatures. Anyone with the entry's bytes (`audit log --json` gives \
            its leaf hash) and the signers' keys can check it offline, without the vault.

            Example:
              casevault audit prove 42 > entry-42.proof
              casevault audit prove it_3f9a0c2d4e5b6a71 > item.proof
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("An entry number, or an item id (it_…).", valueName: "entry-or-item"))
    var target: String

    func validate() throws {
        try InputCheck.validating {
            if Int(target) == nil { try InputCheck.itemID(target) }
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let index = try Int(target) ?? vault.entryIndex(ofItem: target)
            Console.write(bytes: try vault.inclusionProof(ofEntry: index))
        }
    }
}
