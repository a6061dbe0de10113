import ArgumentParser
import CaseVaultCore

/// `casevault custody verify ITEM`.
struct CustodyVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash the item (the object; for a reader also the plaintext) and record the result.",
        discussion: """
            Any member may verify: an auditor re-hashes the encrypted object, a holder of a reader role also \
            decrypts and re-hashes the plaintext. The result, match or not, is signed into the log as a \
            custody event. Exit code 65 when a hash does not match.

            Example:
              casevault custody verify it_3f9a0c2d4e5b6a71 --json
            """
    )

    @OptionGroup var options: VaultOptions

    @Argument(help: ArgumentHelp("The item id (it_…).", valueName: "item"))
    var item: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.itemID(item) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let result = try vault.verifyCustody(item, by: try options.unlock(vault, purpose: "verify an item"))
            if options.json {
                try Printer.json(result)
            } else {
                Console.out("Object SHA-256:    \(result.objectComputed) \(Self.word(result.objectMatches))")
                switch result.plaintextMatches {
                case let matches?:
                    Console.out("Plaintext SHA-256: \(result.plaintextComputed ?? "") \(Self.word(matches))")
                case nil where result.plaintextChecked:
                    Console.out("Plaintext SHA-256: not computed: the object does not decrypt.")
                case nil:
                    Console.out("Plaintext SHA-256: not checked (you hold none of the item's reader roles).")
                }
                Console.out("Recorded as entry \(result.entry) of the signed log.")
            }
            guard result.objectMatches, result.plaintextMatches != false else {
                throw CLIError(
                    message: "\(item) does not match the hashes bound at its intake; the mismatch is recorded.",
                    code: ExitCodes.dataError)
            }
        }
    }

    private static func word(_ matches: Bool) -> String {
        matches ? "matches (coincide)" : "DOES NOT MATCH (no coincide)"
    }
}
