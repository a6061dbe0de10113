import CaseVaultCore
import CaseVaultIO

extension ErrorReport {
    /// What a vault error says to the person at the terminal: what happened, and what to do.
    static func message(for error: VaultError) -> String {
        switch error {
        case .notAVault(let path):
            "There is no vault at \(path). Create one with `casevault init` or pass the right --vault folder."
        case .vaultUnreadable(let path, let code):
            "Cannot open the vault: \(path) cannot be read (\(Errno.text(code))). Check its permissions and owner (ls -ld), or pass the right --vault folder."
        case .readOnlyVault(let path, pendingLog: false):
            "The vault at \(path) is read-only (write-protected media, a read-only mount, or a folder you may not write). Listing, showing and verifying work; this command records an entry in the signed log, so it needs a writable copy: `cp -a \(path) ~/casevault-copy`, then --vault ~/casevault-copy. Nothing was changed."
        case .readOnlyVault(let path, pendingLog: true):
            "The vault at \(path) is read-only and holds committed changes in vault.sqlite-wal that can only be read beside a vault.sqlite-shm file, which is missing and cannot be created here. Copy the whole folder, with vault.sqlite-wal, to a writable place (`cp -a \(path) ~/casevault-copy`) and use --vault ~/casevault-copy. Nothing was changed."
        case .vaultExists(let path):
            "\(path) already exists and is not empty. Choose a new folder for the vault."
        case .unsupportedFormat:
            "The vault database reported an error: this vault's format is not one this version of CaseVault reads. The change was not saved."
        case .invalidName(let kind, let value):
            "\"\(value.prefix(80))\" is not a valid \(name(of: kind)). \(rule(for: kind))"
        case .unknownMember(let name):
            "There is no member named \(name). `casevault member list` shows who there is."
        case .memberExists(let name):
            "A member named \(name) already exists. Choose another name."
        case .memberRemoved(let name):
            "The member \(name) has been removed from the vault. Ask an admin if this is unexpected."
        case .keysInUse:
            "These keys already belong to another member. Each member needs their own keys (`casevault keygen`)."
        case .unknownRole(let role):
            "There is no role named \(role). `casevault role list` shows the vault's roles."
        case .unknownCase(let id):
            "There is no case \(id). `casevault case list` shows the cases."
        case .caseExists(let id):
            "A case with id \(id) already exists. Choose another id."
        case .unknownItem(let id):
            "There is no item \(id). `casevault list` shows the items."
        case .unknownEntry(let index):
            "The signed log has no entry \(index). `casevault audit log` lists them."
        case .wrongPassphrase(let member):
            "The passphrase for \(member) is wrong. Nothing was changed; try again."
        case .emptyPassphrase:
            "The passphrase is empty. Choose a passphrase of several words."
        case .keyFileMismatch(let member, let path):
            "The key file \(path) does not hold the keys of \(member). Check --as and --identity."
        case .keyFileMissing(let path):
            "The key file \(path) does not exist. Pass the member's key file with --identity."
        case .keyFileExists(let path):
            "\(path) already exists. Choose another path; key files are never overwritten."
        case .fileTooLarge(let path, let limit):
            "\(path) is larger than \(limit) bytes, so it is not a CaseVault key file or card."
        case .invalidCard(let problem):
            message(for: problem)
        case .notPermitted(let refusal):
            message(for: refusal)
        case .custodyRefused(let item, let refusal):
            message(for: refusal, item: item)
        case .holdRefused(let target, let refusal):
            message(for: refusal, target: target)
        case .roleHasNoKey(let role):
            "Nobody holds the role \(role) yet, so nothing can be encrypted to it. Grant it to a member first."
        case .roleKeyChanged(let role):
            "The key of role \(role) changed while this command ran (another command rotated it). Nothing was changed; run the command again."
        case .notAReader(let subject, let readers):
            "You cannot read \(noun(subject)): only \(readers.joined(separator: ", ")) can. Ask a member with one of those roles."
        case .alreadyHolds(let member, let role):
            "\(member) already holds the role \(role). Nothing was changed."
        case .doesNotHold(let member, let role):
            "\(member) does not hold the role \(role). Nothing was changed."
        case .lastHolder(let member, let role):
            "\(member) is the last holder of \(role); without them nobody could open that role's keys. Grant \(role) to someone else first."
        case .invalidConfiguration(let problem):
            message(for: problem)
        case .invalidAdd(let problem):
            message(for: problem)
        case .invalidRecipient(let prefix):
            "\"\(prefix)…\" is not an age recipient. It should start with age1."
        case .unusableExportPassphrase:
            "The export passphrase is empty or its work factor is out of range. Choose another."
        case .inputNotFound(let path):
            "\(path) does not exist. Check the path; nothing was added."
        case .inputIsDirectory(let path):
            "\(path) is a folder where a file is needed. Give a file; nothing was added."
        case .inputNotRegularFile(let path):
            "\(path) is not a regular file (a pipe, device or socket). Add regular files only; nothing was changed."
        case .inputIsLink(let path):
            "\(path) is a symbolic link; links inside a folder are not followed. Add its target by its own path, or remove the link; nothing was added."
        case .inputUnreadable(let path, let code):
            "\(path) cannot be read (\(code.map(Errno.text) ?? "unknown reason")). Check its permissions; nothing was added."
        case .outputExists(let path):
            "\(path) already exists. Choose another output path, or add --force to replace it."
        case .integrityFailure(let subject, let damage):
            "\(capitalized(noun(subject))) failed its integrity check: \(message(for: damage)). The stored copy was altered or damaged; restore it from a backup."
        case .notInLog(let discrepancy):
            message(for: discrepancy)
        case .log(let error):
            message(for: error)
        case .missingObject(let subject, let path):
            "The encrypted data of \(noun(subject)) is missing (\(path)). Restore the vault's objects folder from a backup."
        case .database(let message):
            "The vault database reported an error: \(message). The change was not saved."
        case .agentUnavailable(let failure):
            "The unlock agent failed: \(message(for: failure))."
        case .agentDirectoryUnsafe(let path, let problem):
            "The agent folder \(path) is not safe to use: \(message(for: problem)). Remove it or set CASEVAULT_AGENT_DIR to a folder only you can open."
        case .verifiedStateUnsafe(let path, let problem): verifiedStateUnsafe(path: path, problem: problem)
        case .verifiedStateDamaged(let path): verifiedStateDamaged(path: path)
        case .agentMismatch(let member):
            "The unlock agent for \(member) holds keys that are not \(member)'s registered ones. Run `casevault lock` and unlock again."
        case .invalidShare(let source, let problem): message(for: problem, source: source)
        case .recoveryRefused(let problem): message(for: problem)
        }
    }

    /// The documented exit code of each vault error (Docs/CLI.md, "Exit codes").
    static func exitCode(for error: VaultError) -> Int32 {
        switch error {
        case .invalidName, .memberExists, .caseExists, .alreadyHolds, .doesNotHold, .lastHolder, .roleHasNoKey,
            .inputIsDirectory, .inputNotRegularFile, .inputIsLink, .keysInUse, .emptyPassphrase,
            .fileTooLarge,
            .invalidCard, .invalidConfiguration, .invalidAdd, .invalidRecipient, .unusableExportPassphrase:
            ExitCodes.usage
        case .notAVault, .unknownMember, .unknownRole, .unknownCase, .unknownItem, .unknownEntry, .keyFileMissing,
            .inputNotFound,
            .inputUnreadable:
            ExitCodes.inputMissing
        case .vaultExists, .keyFileExists, .outputExists, .agentDirectoryUnsafe, .verifiedStateUnsafe:
            ExitCodes.cannotCreate
        case .wrongPassphrase, .keyFileMismatch, .memberRemoved, .notPermitted, .notAReader, .agentMismatch:
            ExitCodes.notEntitled
        case .roleKeyChanged: ExitCodes.tryAgain
        case .custodyRefused(_, .notReaderOrCustodian): ExitCodes.notEntitled
        case .custodyRefused: ExitCodes.usage
        case .holdRefused(_, .notAdminOrReader): ExitCodes.notEntitled
        case .holdRefused: ExitCodes.usage
        case .integrityFailure, .missingObject, .notInLog, .log, .invalidShare, .verifiedStateDamaged:
            ExitCodes.dataError
        case .recoveryRefused(let problem): exitCode(for: problem)
        case .database, .unsupportedFormat, .agentUnavailable, .vaultUnreadable, .readOnlyVault:
            ExitCodes.ioError
        }
    }

    /// A record that disagrees with the signed log.
    static func message(for refusal: VaultError.CustodyRefusal, item: String) -> String {
        switch refusal {
        case .sealed:
            "\(item) is sealed for court: only access, verification and export can be recorded now."
        case .notReaderOrCustodian(let readers, let custodian):
            "Only \(custodian) (its custodian) or a holder of \(readers.joined(separator: " or ")) "
                + "can do this for \(item)."
        case .targetNotReader(let member, let readers):
            "\(member) holds none of \(item)'s reader roles (\(readers.joined(separator: ", "))). "
                + "Grant one first, or choose another member."
        case .alreadyCustodian(let member): "\(member) is already the custodian of \(item)."
        case .notHandoverOutside(let purpose):
            "A transfer to someone outside the team is a handover (handover, prosecutor or forensic-institute), "
                + "not \(purpose). Nothing was changed."
        case .underHold(nil):
            "\(item) is under legal hold, so its disposal cannot be requested. Nothing was changed. "
                + "Release the hold first (`casevault custody release \(item) --reason …`)."
        case .underHold(let caseID?):
            "Case \(caseID), which \(item) belongs to, is under legal hold, so no disposal can be requested. "
                + "Nothing was changed. Release the hold first (`casevault case release \(caseID) --reason …`)."
        }
    }

    /// A legal hold or release that was refused.
    static func message(for refusal: VaultError.HoldRefusal, target: HoldTarget) -> String {
        let what =
            switch target {
            case .caseFile(let id): "case \(id)"
            case .item(let id): id
            }
        return switch refusal {
        case .notAdminOrReader(let readers):
            "Only an admin or a holder of \(readers.joined(separator: " or ")) can place or release a legal hold "
                + "on \(what). Nothing was changed."
        case .alreadyHeld: "\(what) is already under legal hold. Nothing was changed."
        case .notHeld: "\(what) is not under legal hold, so there is nothing to release. Nothing was changed."
        }
    }

    static func message(for discrepancy: VaultError.Discrepancy) -> String {
        let what: String
        switch discrepancy {
        case .item(let id, let field): what = "item \(id) (\(field))"
        case .member(let name, let field): what = "member \(name) (\(field))"
        case .roleKey(let role, let generation): what = "the key of role \(role), generation \(generation)"
        case .caseRecord(let id, let field): what = "case \(id) (\(field))"
        case .recoveryKey: what = "the recovery key"
        }
        return "The vault folder's record of \(what) does not match the signed log: someone changed the folder "
            + "without a member's key. Nothing was done. Run `casevault verify` to list every such record, and "
            + "restore the vault from a backup."
    }

    /// A signed log that cannot be trusted.
    static func message(for error: SignedLogError) -> String {
        switch error {
        case .malformedEntry(let reason):
            return "An entry of the signed log is not valid (\(reason)). Run `casevault audit verify`."
        case .entry(let index, let problem):
            return
                "Entry \(index) of the signed log is refused: \(message(for: problem)). Run `casevault audit verify` "
                + "and restore the vault from a backup."
        case .rewritten(let after, let verifiedSize, let shownSize):
            return
                "History was rewritten after entry \(after): this computer verified \(verifiedSize) entries, and the "
                + "vault now shows \(shownSize) that do not extend them. Restore the vault from a backup, and ask an "
                + "auditor to compare checkpoints. If the vault was just restored from an older backup on purpose, "
                + "`casevault audit accept-restore` lists what it lacks and accepts it."
        case .alreadyUpgraded:
            return "This vault has a signed log already; nothing was changed."
        case .noLog:
            return "This vault was made before vaults had a signed log. An admin must upgrade it once: "
                + "`casevault audit upgrade --as ADMIN`."
        case .checkpoint(.missing):
            return "The signed log has no checkpoint: its last entry was removed or the folder was altered. "
                + "Run `casevault audit verify`."
        case .checkpoint(.badSignature):
            return "The signed log's latest checkpoint is not signed by a member. Run `casevault audit verify`."
        case .checkpoint(.rootMismatch):
            return "The signed log's entries do not make the tree its latest checkpoint signs: history was rewritten. "
                + "Run `casevault audit verify` and restore the vault from a backup."
        case .checkpoint(.sizeMismatch(let signed, let entries)) where signed < entries:
            return "The signed log has \(entries) entries, but its latest checkpoint signs only the first \(signed): "
                + "the checkpoint of the last change is missing, so entries were added or a checkpoint removed "
                + "without a member's key. Run `casevault audit verify` and restore the vault from a backup."
        case .checkpoint(.sizeMismatch(let signed, let entries)):
            return "The signed log's latest checkpoint signs \(signed) entries, but the log has only \(entries): "
                + "entries were cut from it. Run `casevault audit verify` and restore the vault from a backup."
        case .checkpoint(let problem):
            return "The signed log's latest checkpoint \(message(for: problem)). Run `casevault audit verify` and "
                + "restore the vault from a backup."
        case .storedCheckpoint(let size, let problem):
            return "The signed log's checkpoint of its first \(size) entries \(message(for: problem)). Run "
                + "`casevault audit verify` and restore the vault from a backup."
        case .cosignature(let size, let cosigner):
            return "The cosignature by \(cosigner) of the checkpoint of the first \(size) entries does not verify as "
                + "the signature of an auditor at that point; `audit checkpoint` and bundles leave it out. Ask "
                + "\(cosigner) to cosign again (`casevault audit cosign`)."
        }
    }

    /// What is wrong with a checkpoint, after "The signed log's … checkpoint".
    static func message(for problem: SignedLogError.CheckpointProblem) -> String {
        switch problem {
        case .missing: "is missing"
        case .badSignature: "is not signed by a member of this vault"
        case .rootMismatch: "signs another tree than its entries make"
        case .malformed: "is not a CaseVault checkpoint (origin, size and root lines, and one signature)"
        case .wrongSigner(let expected): "is not signed by \(expected), who appended the entry before it"
        case .sizeMismatch(let signed, let entries): "signs \(signed) entries where \(entries) are expected"
        case .insideRun: "ends inside a run of unsigned entries, before the run.seal that signs them"
        }
    }

    static func message(for problem: LogProblem) -> String {
        switch problem {
        case .malformed(let reason): "it is malformed (\(reason))"
        case .badSignature: "its signature does not verify with its author's key"
        case .unknownAuthor(let name): "its author \(name) is not a member"
        case .removedAuthor(let name): "its author \(name) had been removed"
        case .notAuthorized(let rule): "its author was not allowed to make it (\(rule))"
        case .wrongPrevious: "it was made against a history this log does not have"
        case .wrongVault: "it belongs to another vault"
        case .inconsistent(let reason): "it contradicts the log before it (\(reason))"
        case .misplacedGenesis: "a genesis entry is out of place"
        case .cacheUnreadable:
            "it could not be checked: this computer's record of what it verified (the vault's file in "
                + "$XDG_STATE_HOME/casevault/vaults/, by default ~/.local/state/casevault/vaults/) could not be read. "
                + "Remove that file; the next command rebuilds it from the vault's log"
        case .invalidName(let kind, let value):
            "it names \(kind.rawValue) '\(Printer.safe(value))', which is not a valid \(kind.rawValue)"
        case .invalidTime(let time): "its time '\(Printer.safe(time))' is not a real UTC time YYYY-MM-DDTHH:MM:SSZ"
        case .unsealedRun(let first):
            "the unsigned entries from entry \(first) on are not followed by their author's run.seal that "
                + "signs exactly them, so nobody signed them"
        case .runAltered(let first):
            "its prev line is not the root of the entries before it: one of the unsigned entries from entry "
                + "\(first) on, which only the run's seal signs, was altered (or this entry belongs to another history)"
        case .unsignedType(let type):
            "it is an unsigned \(type) entry (no signature line): only an item.add may be left unsigned, for a "
                + "run.seal to sign"
        }
    }

    /// A failed file operation: what could not be done to which path, and the system's reason.
    static func message(for error: IOError) -> String {
        let path = error.path ?? "a file"
        let reason = error.reason.map { ": \($0)" } ?? ""
        switch error.code {
        case .exists: return "\(path) already exists. Choose another path, or remove it first."
        case .notRegularFile: return "\(path) is not a regular file, so it cannot be used or replaced here."
        case .tooLarge: return "\(path) is larger than this command accepts."
        case .nameTooLong: return "The path \(path) is too long\(reason)."
        case .timedOut: return "Nothing was heard in time from the other side\(reason)."
        default: return "Could not \(verb(error.code)) \(path)\(reason). Nothing was changed."
        }
    }

    private static func verb(_ code: IOError.Code) -> String {
        switch code {
        case .open: "open"
        case .create: "create"
        case .read: "read"
        case .write: "write"
        case .sync: "save to disk (fsync)"
        case .rename, .link: "give its final name to"
        case .remove: "remove"
        case .makeFolder: "create the folder"
        case .readFolder: "read the folder"
        case .status: "inspect"
        case .permissions: "restrict to its owner"
        case .socket: "create a socket for"
        case .connect: "connect to"
        case .listen: "listen at"
        case .accept: "accept a connection on"
        case .exists, .notRegularFile, .tooLarge, .nameTooLong, .timedOut: "use"
        }
    }

    private static func noun(_ subject: VaultError.Subject) -> String {
        switch subject {
        case .item(let id): "item \(id)"
        case .itemEnvelope(let id): "the envelope of item \(id)"
        case .itemMetadata(let id): "the metadata of item \(id)"
        case .caseMetadata(let id): "the metadata of case \(id)"
        case .roleEnvelope(let role, let generation, let member):
            "the \(role) key envelope (generation \(generation)) of \(member)"
        }
    }

    private static func message(for damage: VaultError.Damage) -> String {
        switch damage {
        case .age(let error): error.description
        case .sizeMismatch(let actual, let recorded): "it decrypted to \(actual) bytes, not the recorded \(recorded)"
        case .sha256Mismatch: "its SHA-256 does not match the recorded one"
        case .malformedPlaintext: "the decrypted content is not what the vault stores there"
        case .envelopeDoesNotOpen(let role):
            "no stanza opens with the key of \(role), a reader role you hold, so the envelope is damaged"
        case .notAddressedToMember: "it is not addressed to your key"
        case .objectNotRegularFile: "its object file is not a regular file (something else was put in its place)"
        }
    }

    private static func name(of kind: VaultError.NameKind) -> String {
        switch kind {
        case .member: "member name"
        case .role: "role name"
        case .caseID: "case id"
        case .itemID: "item id"
        case .profileText: "name, position or institution"
        }
    }

    private static func rule(for kind: VaultError.NameKind) -> String {
        switch kind {
        case .member:
            "Use 1 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."
        case .caseID: "Use 1 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit."
        case .role: "Use 1 to 32 characters: lower-case letters, digits or '-', starting with a letter."
        case .itemID: "An item id is it_ followed by 16 lower-case hex digits."
        case .profileText:
            "Use 1 to \(ProfileText.maxBytes) bytes of UTF-8 text without control characters, with single spaces and none at either end."
        }
    }

    private static func message(for refusal: VaultError.Refusal) -> String {
        switch refusal {
        case .adminOnly(let action): "You may not \(phrase(action)). Only members with the admin role can."
        case .revoke(let role): "You may not revoke \(role). Only an admin or a holder of \(role) can."
        case .grantFirstHolder(let role):
            "You may not grant \(role). Nobody holds \(role) yet, and only an admin can give it its first holder."
        case .grantByNonHolder(let role, let holders):
            "You may not grant \(role). Granting shares the role's keys, so only a holder of \(role) can grant it (\(holders.joined(separator: ", ")))."
        case .sessionOfAnotherVault: "You may not use this session here. It was unlocked in another vault."
        case .cosignByNonAuditor: "You may not cosign checkpoints. Only holders of the auditor role can."
        case .rotate(let role): "You may not rotate the key of \(role). Only an admin or a holder of \(role) can."
        case .removeSelf: "You may not remove yourself. Ask another admin to remove you."
        case .rewrap(let role): "You may not rewrap \(role). Only a holder of \(role) can, with the role's keys."
        case .reencrypt(let role):
            "You may not re-encrypt the items of \(role). Only a holder of \(role) can, with the role's keys."
        }
    }

    private static func phrase(_ action: VaultError.AdminAction) -> String {
        switch action {
        case .addMembers: "add members"
        case .createCases: "create cases"
        case .setReaders: "set readers"
        case .upgradeVault: "upgrade the vault to a signed log"
        case .removeMembers: "remove members"
        case .setRecoveryKey: "set up the recovery key"
        case .setProfiles: "set members' positions and institutions"
        }
    }

    private static func message(for problem: VaultError.CardProblem) -> String {
        switch problem {
        case .notACard:
            "This is not a CaseVault public card (JSON with name, recipient and signingKey). Make one with `casevault keygen`."
        case .unknownFormat(let format):
            "This card's format is \(format), not \(PublicCard.format). Make it with `casevault keygen`."
        case .invalidRecipient: "The card's recipient is not a valid age1 public key. Ask for a new card."
        case .badSignature: "The card's signature does not verify, so it was altered or damaged. Ask for a new card."
        }
    }

    private static func message(for problem: VaultError.ConfigurationProblem) -> String {
        switch problem {
        case .duplicateRole: "The role list names a role twice. List each role once."
        case .noAdminRole: "The role list must include admin, the role that manages members."
        case .classWithoutReaders(let itemClass):
            "Item class \(itemClass) has no default readers. Give it at least one role."
        case .workFactorOutOfRange(_, let range):
            "The key work factor must be between \(range.lowerBound) and \(range.upperBound)."
        }
    }

    private static func message(for problem: VaultError.AddProblem) -> String {
        switch problem {
        case .noFiles: "No file was given. Name at least one file to add."
        case .oneFileOptionWithMany: "--replaces and a file name apply to one file only. Add that file on its own."
        case .replacesItemOfOtherCase(let item, let itsCase):
            "Item \(item) belongs to case \(itsCase), not this one. A new version stays in its case."
        case .noReaderRoles: "The item would have no reader role. Name at least one role in --readers."
        case .emptyFolder(let path): "The folder \(path) holds no files to add; nothing was added."
        }
    }

    private static func message(for failure: VaultError.AgentFailure) -> String {
        switch failure {
        case .couldNotStart(let code): "could not start it: \(Errno.text(code))"
        case .stoppedBeforeReady(let reason): reason.isEmpty ? "it stopped before it was ready" : reason
        case .executableNotFound: "cannot find the casevault executable"
        case .alreadyRunning(let member): "an unlock agent for \(member) is already running"
        case .alreadyUnlocked(let member): "\(member) is already unlocked by an agent"
        case .handoffWithoutKeys: "the agent was started without keys; use `casevault unlock`"
        case .handoffNotAMemberKey: "the keys handed to the agent are not a member key"
        case .unresponsive(let socket): "the unlock agent at \(socket) did not answer and could not be stopped"
        case .stopped(let member): "the unlock agent of \(member) has stopped; unlock again"
        case .refused(let reason): "the unlock agent refused: \(reason)"
        case .closedWithoutAnswer: "the unlock agent closed the connection without answering"
        case .malformedMessage: "a message from the unlock agent is malformed"
        case .io(let error):
            error.code == .timedOut
                ? "no answer in time"
                : "could not \(verb(error.code)) \(error.path ?? "its socket")\(error.reason.map { ": \($0)" } ?? "")"
        }
    }

    private static func message(for problem: VaultError.AgentDirectoryProblem) -> String {
        switch problem {
        case .notAFolder: "it is not a folder"
        case .ownedByAnotherUser: "it belongs to another user"
        case .openToOthers: "other users can open it (its mode should be 0700)"
        case .cannotCreate(let code): "it cannot be created: \(Errno.text(code))"
        case .cannotInspect(let code): Errno.text(code)
        }
    }
}
