import CaseVaultAge

/// Everything that can go wrong in the vault, as one or two plain sentences: what happened, and what to
/// do. No case carries a secret (passphrases, keys, plaintext titles or file names of stored items).
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `path` holds no vault (no `vault.sqlite`).
    case notAVault(path: String)
    /// The vault folder or its database exists (or may exist) but cannot be opened: permission denied, a
    /// path through a file, a symbolic link loop. Not the same as no vault.
    case vaultUnreadable(path: String, reason: String)
    /// `init` was asked to create a vault where something already is.
    case vaultExists(path: String)
    /// A name, id or role given by the user has characters or a length the vault does not allow.
    case invalidName(kind: String, value: String, rule: String)
    /// A user-supplied value that is not a name is unusable (an empty role list, a bad card, …).
    case invalidArgument(String)
    case unknownMember(String)
    case memberExists(String)
    case memberRemoved(String)
    case unknownRole(String)
    case unknownCase(String)
    case caseExists(String)
    case unknownItem(String)
    /// The passphrase did not open the member's key file. Nothing was changed.
    case wrongPassphrase(member: String)
    /// The key file opened but holds keys of someone else, or is not a CaseVault key file.
    case keyFileMismatch(member: String, path: String)
    case keyFileMissing(path: String)
    case keyFileExists(path: String)
    /// The acting member may not do this; `reason` says who may.
    case notPermitted(action: String, reason: String)
    /// The operation would need a role's key and nobody holds that role yet.
    case roleHasNoKey(role: String)
    /// The acting member holds none of the roles that can read `item`.
    case notAReader(subject: String, readers: [String])
    case alreadyHolds(member: String, role: String)
    case doesNotHold(member: String, role: String)
    /// Refused because it would leave a role with nobody able to open its keys.
    case lastHolder(member: String, role: String)
    /// An input file could not be used.
    case inputNotFound(path: String)
    case inputIsDirectory(path: String)
    /// A FIFO, device or socket: reading it could block forever or never end.
    case inputNotRegularFile(path: String)
    case inputUnreadable(path: String, reason: String)
    case outputExists(path: String)
    /// Decryption or a digest check failed: the stored data of `subject` was altered or damaged.
    case integrityFailure(subject: String, detail: String)
    /// A file of the vault is missing (an object deleted by hand, a key file moved away).
    case missingObject(subject: String, path: String)
    /// Reading or writing a file failed (full disk, permissions, …).
    case io(operation: String, reason: String)
    /// The database refused the change or could not be read.
    case database(String)
    /// The unlock agent could not be started, reached or understood.
    case agentUnavailable(String)
    /// The folder of agent sockets is not safe to use (another owner, open to others, not a folder).
    case agentDirectoryUnsafe(path: String, reason: String)
    /// An agent answered, but for other keys than the member's registered ones.
    case agentMismatch(member: String)

    public var description: String {
        switch self {
        case .notAVault(let path):
            "There is no vault at \(path). Create one with `casevault init` or pass the right --vault folder."
        case .vaultUnreadable(let path, let reason):
            "Cannot open the vault: \(path) cannot be read (\(reason)). Check its permissions and owner (ls -ld), or pass the right --vault folder."
        case .vaultExists(let path):
            "\(path) already exists and is not empty. Choose a new folder for the vault."
        case .invalidName(let kind, let value, let rule):
            "\"\(value.prefix(80))\" is not a valid \(kind). \(rule)"
        case .invalidArgument(let message):
            message
        case .unknownMember(let name):
            "There is no member named \(name). `casevault member list` shows who there is."
        case .memberExists(let name):
            "A member named \(name) already exists. Choose another name."
        case .memberRemoved(let name):
            "The member \(name) has been removed from the vault. Ask an admin if this is unexpected."
        case .unknownRole(let role):
            "There is no role named \(role). `casevault role list` shows the vault's roles."
        case .unknownCase(let id):
            "There is no case \(id). `casevault case list` shows the cases."
        case .caseExists(let id):
            "A case with id \(id) already exists. Choose another id."
        case .unknownItem(let id):
            "There is no item \(id). `casevault list` shows the items."
        case .wrongPassphrase(let member):
            "The passphrase for \(member) is wrong. Nothing was changed; try again."
        case .keyFileMismatch(let member, let path):
            "The key file \(path) does not hold the keys of \(member). Check --as and --identity."
        case .keyFileMissing(let path):
            "The key file \(path) does not exist. Pass the member's key file with --identity."
        case .keyFileExists(let path):
            "\(path) already exists. Choose another path; key files are never overwritten."
        case .notPermitted(let action, let reason):
            "You may not \(action). \(reason)"
        case .roleHasNoKey(let role):
            "Nobody holds the role \(role) yet, so nothing can be encrypted to it. Grant it to a member first."
        case .notAReader(let subject, let readers):
            "You cannot read \(subject): only \(readers.joined(separator: ", ")) can. Ask a member with one of those roles."
        case .alreadyHolds(let member, let role):
            "\(member) already holds the role \(role). Nothing was changed."
        case .doesNotHold(let member, let role):
            "\(member) does not hold the role \(role). Nothing was changed."
        case .lastHolder(let member, let role):
            "\(member) is the last holder of \(role); without them nobody could open that role's keys. Grant \(role) to someone else first."
        case .inputNotFound(let path):
            "\(path) does not exist. Check the path; nothing was added."
        case .inputIsDirectory(let path):
            "\(path) is a folder. Add the files inside it one by one; nothing was added."
        case .inputNotRegularFile(let path):
            "\(path) is not a regular file (a pipe, device or socket). Add regular files only; nothing was added."
        case .inputUnreadable(let path, let reason):
            "\(path) cannot be read (\(reason)). Check its permissions; nothing was added."
        case .outputExists(let path):
            "\(path) already exists. Choose another output path or remove the file first."
        case .integrityFailure(let subject, let detail):
            "\(subject) failed its integrity check: \(detail). The stored copy was altered or damaged; restore it from a backup."
        case .missingObject(let subject, let path):
            "The encrypted data of \(subject) is missing (\(path)). Restore the vault's objects folder from a backup."
        case .io(let operation, let reason):
            "Could not \(operation): \(reason). The vault was left unchanged."
        case .database(let message):
            "The vault database reported an error: \(message). The change was not saved."
        case .agentUnavailable(let reason):
            "The unlock agent failed: \(reason)."
        case .agentDirectoryUnsafe(let path, let reason):
            "The agent folder \(path) is not safe to use: \(reason). Remove it or set CASEVAULT_AGENT_DIR to a folder only you can open."
        case .agentMismatch(let member):
            "The unlock agent for \(member) holds keys that are not \(member)'s registered ones. Run `casevault lock` and unlock again."
        }
    }
}
