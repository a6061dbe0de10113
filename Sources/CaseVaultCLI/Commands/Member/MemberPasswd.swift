import ArgumentParser
import CaseVaultCore

/// `casevault member passwd`.
struct MemberPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Choose a new passphrase for your key file (same keys).",
        discussion: """
            Opens your key file with your current passphrase and seals the same keys under a new one. The \
            file is replaced atomically; nothing in the vault changes. Anyone who copied the old file can \
            still try the old passphrase on that copy: if the file may have been copied, use \
            `member rekey` instead.

            Example:
              casevault member passwd --as lucia
              casevault member passwd --as sofia --identity sofia.key --new-passphrase-file new.pass
            """
    )

    @OptionGroup var options: VaultOptions

    @OptionGroup var newPassphrase: NewPassphraseOption

    func run() async throws {
        try await options.run {
            let member = try options.requireMember(purpose: "change your passphrase")
            let vault = try options.openVault()
            let current = try PassphraseInput.read(
                prompt: "Current passphrase for \(member): ", file: options.passphraseFile)
            let new = try newPassphrase.read(for: member)
            try vault.changePassphrase(
                member: member, keyFile: options.identity, passphrase: current, newPassphrase: new)
            Console.out("The key file of \(member) now opens with the new passphrase.")
        }
    }
}
