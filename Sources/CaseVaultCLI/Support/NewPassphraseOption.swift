import ArgumentParser
import CaseVaultCore
import CaseVaultCrypto

/// `--new-passphrase-file`, as the commands that change the acting member's own passphrase take it.
struct NewPassphraseOption: ParsableArguments {
    @Option(
        help: ArgumentHelp("Read the new passphrase from the first line of this file (for scripts).", valueName: "file")
    )
    var newPassphraseFile: String?

    func validate() throws {
        try InputCheck.validating {
            if let newPassphraseFile { try InputCheck.readableFile(newPassphraseFile, what: "The passphrase file ") }
        }
    }

    /// The new passphrase of `member`: from the file, else typed twice.
    func read(for member: String) throws -> SecureBytes {
        try PassphraseInput.readNew(prompt: "New passphrase for \(member): ", file: newPassphraseFile)
    }
}
