import ArgumentParser
import CaseVaultCore
import CaseVaultIO

/// `casevault init`: creates a vault and its first admin.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new vault with its first admin.",
        discussion: """
            The folder must be new or empty; it is made readable by its owner only (0700). The admin's keys \
            are generated here and sealed with a passphrase they choose (typed twice, or read from \
            --new-passphrase-file), in the vault's keys/ folder or in the file given with --identity. \
            The admin manages members but reads no case content unless also given a content role with \
            --role (for a one-person team).

            Example:
              casevault init --vault ./casevault --admin ana
              casevault init --vault ./casevault --admin ana --role lawyer --new-passphrase-file ana.pass
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("The first admin's member name.", valueName: "name"))
    var admin: String

    @Option(
        name: .customLong("role"),
        help: ArgumentHelp(
            "A content role the admin also holds, e.g. lawyer (repeatable).", valueName: "role"))
    var roles: [String] = []

    @Option(
        help: ArgumentHelp(
            "Read the admin's new passphrase from the first line of this file (for scripts).",
            valueName: "file"))
    var newPassphraseFile: String?

    func validate() throws {
        try InputCheck.validating {
            try InputCheck.member(admin, option: "--admin")
            for role in roles { try InputCheck.role(role) }
            if let identity = options.identity, FileSystem.exists(identity) {
                throw CLIError.cannotCreate(
                    "\(identity) already exists. Choose another --identity path; key files are never overwritten."
                )
            }
        }
    }

    func run() async throws {
        try await options.run {
            let path = options.vaultPath
            if FileSystem.exists(path) && !FileSystem.isEmptyDirectory(path) {
                throw VaultError.vaultExists(path: path)
            }
            let workFactor = try KeyWorkFactor.resolve(options.keyWorkFactor)
            let passphrase = try PassphraseInput.readNew(
                prompt: "New passphrase for \(admin): ", file: newPassphraseFile)
            KeyWorkFactor.warnIfLowered(workFactor)
            let vault = try Vault.create(
                at: path, admin: admin, passphrase: passphrase, extraRoles: roles,
                keyFile: options.identity,
                configuration: VaultConfiguration(keyWorkFactor: workFactor))
            let member = try vault.member(named: admin)
            let keyFile = options.identity ?? vault.keyFilePath(for: admin)
            if options.json {
                try Printer.json(
                    InitResult(vault: vault.path, fingerprint: vault.fingerprint, admin: member, keyFile: keyFile))
                return
            }
            Console.out(
                "Created the vault at \(vault.path) with admin \(admin) (roles: \(Printer.roles(member.roles)))."
            )
            Console.out(
                "Vault fingerprint: \(vault.fingerprint). Members who join compare it with this one, once, by "
                    + "phone or in person.")
            Console.out(
                "Key file: \(keyFile). Keep its passphrase safe: without it nobody can act as \(admin).")
            Console.out(
                "Next: export CASEVAULT_DIR=\(vault.path) CASEVAULT_AS=\(admin); casevault member add NAME --role lawyer"
            )
            RecoveryText.warn(try vault.recoveryStatus(), singleHolders: false)
        }
    }
}

private struct InitResult: Encodable {
    let vault: String
    let fingerprint: String
    let admin: Member
    let keyFile: String
}
