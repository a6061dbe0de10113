import ArgumentParser
import CaseVaultAge
import CaseVaultCore
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// The options every vault command shares: which vault, who is acting, where their key and passphrase
/// are, and how to print. Values fall back to the CASEVAULT_* environment variables; passphrases are
/// only ever read from files or the terminal, never from argv or an environment value.
struct VaultOptions: ParsableArguments {
    static let defaultVault = "./casevault"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The vault folder (env CASEVAULT_DIR; default ./casevault).", valueName: "dir"))
    var vault: String?

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "The acting member (env CASEVAULT_AS).", valueName: "name"))
    var actingMember: String?

    @Option(
        help: ArgumentHelp(
            "The acting member's key file, when it is kept outside the vault.", valueName: "file"))
    var identity: String?

    @Option(
        help: ArgumentHelp(
            "Read the acting member's passphrase from the first line of this file (env CASEVAULT_PASSPHRASE_FILE).",
            valueName: "file"))
    var passphraseFile: String?

    @Flag(help: "Ask for the passphrase even when an unlock agent holds the acting member's key.")
    var noAgent = false

    @Flag(help: "Print machine-readable JSON on standard output.")
    var json = false

    @Flag(help: "Print more detail about what happens and about errors.")
    var verbose = false

    @Option(help: .hidden)
    var keyWorkFactor: Int?

    func validate() throws {
        try InputCheck.validating {
            if let member = member { try InputCheck.member(member, option: "--as") }
            _ = try KeyWorkFactor.resolve(keyWorkFactor)
            if let vault, vault.isEmpty {
                throw CLIError.usage("--vault is empty. Give the vault folder.")
            }
        }
    }

    /// The vault folder: --vault, else $CASEVAULT_DIR, else ./casevault.
    var vaultPath: String { vault ?? Environment.value("CASEVAULT_DIR") ?? Self.defaultVault }

    /// The acting member: --as, else $CASEVAULT_AS.
    var member: String? { actingMember ?? Environment.value("CASEVAULT_AS") }

    /// This user's folder of verified vault state (outside every vault).
    var stateFolder: String? { UserState.folder.map { $0 + "/vaults" } }

    /// Opens the vault named by --vault / CASEVAULT_DIR; `verifyingLog` false leaves its log to
    /// `verifyWholeLog` (`audit verify`).
    func openVault(verifyingLog: Bool = true) throws -> Vault {
        let vault = try Vault.open(
            at: vaultPath, keyWorkFactor: try KeyWorkFactor.resolve(keyWorkFactor),
            stateFolder: stateFolder, verifyingLog: verifyingLog)
        note("Opened the vault at \(vault.path).")
        PermissionWarnings.warnIfOpenToOthers(vault: vault.path)
        return vault
    }

    /// The acting member, or a usage error that says how to name one.
    func requireMember(purpose: String) throws -> String {
        guard let member else {
            throw CLIError.usage("Say who you are to \(purpose): add --as NAME or set CASEVAULT_AS.")
        }
        return member
    }

    /// Unlocks the acting member: through their unlock agent when one runs for this vault (unless
    /// --no-agent), else with their passphrase from the terminal or --passphrase-file.
    func unlock(_ vault: Vault, purpose: String) throws -> MemberSession {
        let member = try requireMember(purpose: purpose)
        if !noAgent {
            do {
                if let session = try vault.sessionFromAgent(member, in: AgentLauncher.directory) {
                    note("Using the unlock agent of \(member).")
                    return session
                }
            } catch VaultError.agentDirectoryUnsafe(let path, let problem) {
                // Never talk to a socket others could have planted; the passphrase still works.
                let reason = ErrorReport.message(for: VaultError.agentDirectoryUnsafe(path: path, problem: problem))
                Console.error("casevault: warning: not using unlock agents in \(path). \(reason)")
            } catch let error as VaultError where error.isAgentFailure {
                // A stuck, stopped or mismatched agent must not lock the member out: fall back to the key file.
                Console.error(
                    "casevault: warning: \(ErrorReport.message(for: error)) Asking for the passphrase instead.")
            }
        }
        return try unlockWithPassphrase(vault, member: member)
    }

    /// Opens the member's key file with their passphrase (terminal or --passphrase-file).
    func unlockWithPassphrase(_ vault: Vault, member: String) throws -> MemberSession {
        let keyFile = identity ?? vault.keyFilePath(for: member)
        // The passphrase still protects such a file, but a copy is the first step of guessing it offline
        // (a clone of the repository, a shared folder, a backup with loose permissions).
        if FileSystem.isOpenToOthers(keyFile) {
            Console.error(
                "casevault: warning: other users can read the key file \(keyFile). Run `chmod 600 \(keyFile)`.")
        }
        let passphrase = try PassphraseInput.read(
            prompt: "Passphrase for \(member): ", file: passphraseFile)
        let session = try vault.unlock(member, passphrase: passphrase, keyFile: identity)
        note("Unlocked \(member).")
        return session
    }

    /// Unlocks the acting member when one is named; otherwise nil (public metadata only).
    func unlockIfNamed(_ vault: Vault, purpose: String) throws -> MemberSession? {
        member == nil ? nil : try unlock(vault, purpose: purpose)
    }

    /// A `--verbose` note on standard error.
    func note(_ text: String) {
        if verbose { Console.error("casevault: \(text)") }
    }

    /// Runs a command body with error reporting that honours --verbose.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        try await reportingErrors(verbose: verbose, body)
    }
}

extension VaultError {
    /// An agent that could not be reached or understood, or that holds other keys.
    fileprivate var isAgentFailure: Bool {
        switch self {
        case .agentUnavailable, .agentMismatch: true
        default: false
        }
    }
}
