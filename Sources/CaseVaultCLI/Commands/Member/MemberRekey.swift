import ArgumentParser
import CaseVaultCore

/// `casevault member rekey`.
struct MemberRekey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Replace your key pair, after a lost device or an exposed key file.",
        discussion: """
            Makes a new key pair, seals every role key you hold to it, and signs into the log, with your old \
            key, that the new keys are yours: from then on the old signing key signs nothing the vault \
            accepts, and the old key file opens no envelope in the vault. The new key file, sealed with a \
            new passphrase, replaces the old one. Role keys you held are not rotated by this: if the old key \
            file and its passphrase may be in someone else's hands, ask for `keys rotate` of your roles.

            Example:
              casevault member rekey --as lucia
              casevault member rekey --as sofia --identity sofia.key --new-passphrase-file new.pass
            """
    )

    @OptionGroup var options: VaultOptions

    @OptionGroup var newPassphrase: NewPassphraseOption

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlockWithPassphrase(
                vault, member: try options.requireMember(purpose: "replace your keys"))
            let new = try newPassphrase.read(for: session.member)
            let member = try vault.rekey(session, keyFile: options.identity, newPassphrase: new)
            if options.json {
                try Printer.json(member)
                return
            }
            Console.out(
                "New keys for \(member.name): \(member.recipient). Roles resealed: \(Printer.roles(member.roles)).")
            Console.out("If an unlock agent holds your old keys, run `casevault lock --as \(member.name)`.")
        }
    }
}
