import CaseVaultAge
import CaseVaultIO

/// Everything that can go wrong in the vault, as meaning: a case and the fields a caller compares. The
/// sentences a person reads, the flags they name and the exit codes are the CLI's (`ErrorReport`), so the
/// core never speaks the command line's language. No case carries a secret (passphrases, keys, plaintext
/// titles or file names of stored items).
///
/// Failures of the file layer are not wrapped: they arrive as `IOError`, with the path and `errno`.
public enum VaultError: Error, Sendable, Equatable {
    /// `path` holds no vault (no `vault.sqlite`).
    case notAVault(path: String)
    /// The vault folder or its database exists (or may exist) but cannot be opened: permission denied, a
    /// path through a file, a symbolic link loop. Not the same as no vault.
    case vaultUnreadable(path: String, errno: Int32)
    /// The vault is on write-protected media, a read-only mount or a folder the user may not write: it can
    /// be listed, shown and verified, but nothing that records an entry can run. `pendingLog`: it could not
    /// even be opened, because committed changes sit in `vault.sqlite-wal` without the `-shm` file SQLite
    /// needs to read them.
    case readOnlyVault(path: String, pendingLog: Bool)
    /// `init` was asked to create a vault where something already is.
    case vaultExists(path: String)
    /// The database was written by a version of CaseVault this one cannot read.
    case unsupportedFormat
    /// A name, id or role given by the user has characters or a length the vault does not allow.
    case invalidName(kind: NameKind, value: String)
    case unknownMember(String)
    case memberExists(String)
    case memberRemoved(String)
    /// The keys of a new member already belong to another member.
    case keysInUse
    case unknownRole(String)
    case unknownCase(String)
    case caseExists(String)
    case unknownItem(String)
    /// No entry of the log has this number.
    case unknownEntry(Int)
    /// The passphrase did not open the member's key file. Nothing was changed.
    case wrongPassphrase(member: String)
    /// A new passphrase is empty.
    case emptyPassphrase
    /// The key file opened but holds keys of someone else, or is not a CaseVault key file.
    case keyFileMismatch(member: String, path: String)
    case keyFileMissing(path: String)
    case keyFileExists(path: String)
    /// A key file or card is larger than any real one.
    case fileTooLarge(path: String, limit: Int)
    /// A public card is not usable.
    case invalidCard(CardProblem)
    /// The acting member may not do this.
    case notPermitted(Refusal)
    /// The operation would need a role's key and nobody holds that role yet.
    case roleHasNoKey(role: String)
    /// A role's key was replaced while an operation that encrypts to it was running.
    case roleKeyChanged(role: String)
    /// The acting member holds none of the roles that can read `subject`.
    case notAReader(subject: Subject, readers: [String])
    case alreadyHolds(member: String, role: String)
    case doesNotHold(member: String, role: String)
    /// Refused because it would leave a role with nobody able to open its keys.
    case lastHolder(member: String, role: String)
    /// The vault configuration given to `init` is unusable.
    case invalidConfiguration(ConfigurationProblem)
    /// What was asked of `add` cannot work.
    case invalidAdd(AddProblem)
    /// A custody event the rules of the chain refuse (Docs/FORMAT.md, "Custody events").
    case custodyRefused(item: String, CustodyRefusal)
    /// A legal hold or release the rules refuse (Docs/FORMAT.md, "Legal hold").
    case holdRefused(HoldTarget, HoldRefusal)
    /// An export recipient is not an age recipient (`prefix`: its first characters, for the message).
    case invalidRecipient(prefix: String)
    /// An export passphrase is empty or its work factor out of range.
    case unusableExportPassphrase
    /// An input file could not be used.
    case inputNotFound(path: String)
    case inputIsDirectory(path: String)
    /// A FIFO, socket or device where a regular file is needed.
    case inputNotRegularFile(path: String)
    /// A symbolic link inside a folder given to `add` (links there are not followed).
    case inputIsLink(path: String)
    case inputUnreadable(path: String, errno: Int32?)
    case outputExists(path: String)
    /// The stored data of `subject` was altered or damaged.
    case integrityFailure(subject: Subject, damage: Damage)
    /// A record of the vault folder disagrees with the signed log (or is not in it): the folder was
    /// written by someone without a member's key. Named by what and which field.
    case notInLog(Discrepancy)
    /// The signed log itself is not valid (see `SignedLogError`).
    case log(SignedLogError)
    /// A file of the vault is missing (an object deleted by hand, a key file moved away).
    case missingObject(subject: Subject, path: String)
    /// The database refused the change or could not be read (SQLite's own message).
    case database(String)
    /// The unlock agent could not be started, reached or understood.
    case agentUnavailable(AgentFailure)
    /// The folder of agent sockets is not safe to use.
    case agentDirectoryUnsafe(path: String, problem: AgentDirectoryProblem)
    /// An agent answered, but for other keys than the member's registered ones.
    case agentMismatch(member: String)
    /// A recovery share that cannot be read as one (Docs/FORMAT.md, "Recovery shares"); `source` names it.
    case invalidShare(source: String, ShareProblem)
    /// Recovery with the shares given, or setting up recovery, was refused; nothing was changed.
    case recoveryRefused(RecoveryProblem)

    /// What a damaged or refused piece of data is.
    public enum Subject: Sendable, Equatable {
        case item(String)
        /// The item's age header: its key envelope.
        case itemEnvelope(String)
        case itemMetadata(String)
        case caseMetadata(String)
        /// A member's copy of a role key.
        case roleEnvelope(role: String, generation: Int, member: String)
    }

    /// What disagrees with the signed log.
    public enum Discrepancy: Sendable, Equatable {
        case item(String, field: String)
        case member(String, field: String)
        case roleKey(role: String, generation: Int)
        /// The recovery key in the folder is not the one the log's `recovery.key` entry names.
        case recoveryKey
        case caseRecord(String, field: String)
    }

    /// How it is damaged.
    public enum Damage: Sendable, Equatable {
        /// The age layer refused it (header, MAC, payload or armor failure).
        case age(AgeError)
        case sizeMismatch(actual: Int64, recorded: Int64)
        case sha256Mismatch
        /// It decrypted, but not to what the vault writes there.
        case malformedPlaintext
        /// A stanza addressed to the member's role does not open with the role's key.
        case envelopeDoesNotOpen(role: String)
        case notAddressedToMember
        /// Its object is not a regular file (a FIFO, a device or a folder put in its place).
        case objectNotRegularFile
    }

    public enum NameKind: String, Sendable, Equatable {
        case member
        case role
        case caseID = "case id"
        case itemID = "item id"
        /// A full name, position or institution (`ProfileText`).
        case profileText = "profile text"
    }

    public enum Refusal: Sendable, Equatable {
        /// Only admins may do `action`.
        case adminOnly(AdminAction)
        /// Only an admin or a holder of the role may revoke it.
        case revoke(role: String)
        /// Nobody holds the role yet, and only an admin may give it its first holder.
        case grantFirstHolder(role: String)
        /// Granting shares the role's keys, so only a holder may grant it.
        case grantByNonHolder(role: String, holders: [String])
        /// A session unlocked in one vault was used in another.
        case sessionOfAnotherVault
        /// Only holders of the auditor role cosign checkpoints.
        case cosignByNonAuditor
        /// Only an admin or a holder of the role may rotate its key.
        case rotate(role: String)
        /// An admin cannot remove themselves: the rotations that follow a removal are signed by the remover.
        case removeSelf
        /// Rewrapping opens file keys with the role's keys, so only a holder of the role may do it.
        case rewrap(role: String)
        /// Re-encrypting opens file keys with the role's keys, so only a holder of the role may do it.
        case reencrypt(role: String)
    }

    public enum AdminAction: String, Sendable, Equatable {
        case addMembers, createCases, setReaders, upgradeVault, removeMembers, setRecoveryKey, setProfiles
    }

    public enum CardProblem: Sendable, Equatable {
        case notACard
        case unknownFormat(String)
        case invalidRecipient
        case badSignature
    }

    public enum ConfigurationProblem: Sendable, Equatable {
        case duplicateRole
        case noAdminRole
        case classWithoutReaders(String)
        case workFactorOutOfRange(Int, ClosedRange<Int>)
    }

    public enum AddProblem: Sendable, Equatable {
        case noFiles
        /// `--replaces` or a file name given with several files.
        case oneFileOptionWithMany
        case replacesItemOfOtherCase(item: String, itsCase: String)
        case noReaderRoles
        /// A folder given to `add` holds no regular file, at any depth.
        case emptyFolder(path: String)
    }

    public enum AgentFailure: Sendable, Equatable {
        case couldNotStart(errno: Int32)
        case stoppedBeforeReady(String)
        case executableNotFound
        case alreadyRunning(member: String)
        case alreadyUnlocked(member: String)
        case handoffWithoutKeys
        case handoffNotAMemberKey
        case unresponsive(socket: String)
        case stopped(member: String)
        /// The agent said no, in its own words (a wire field).
        case refused(String)
        case closedWithoutAnswer
        case malformedMessage
        /// A socket, pipe or file operation failed.
        case io(IOError)
    }

    public enum AgentDirectoryProblem: Sendable, Equatable {
        case notAFolder
        case ownedByAnotherUser
        case openToOthers(mode: UInt32)
        case cannotCreate(errno: Int32)
        case cannotInspect(errno: Int32)
    }
}

extension VaultError {
    /// Why a custody event may not be recorded.
    public enum CustodyRefusal: Sendable, Equatable {
        /// The item is sealed for court: only access, verification and export are recorded.
        case sealed
        /// Only a holder of one of the item's reader roles, or its custodian, may do this.
        case notReaderOrCustodian(readers: [String], custodian: String)
        /// The new custodian must be a member who holds one of the item's reader roles.
        case targetNotReader(member: String, readers: [String])
        case alreadyCustodian(String)
        /// A transfer to someone outside the team must be a handover (`purpose`: a return or a working copy
        /// stays within the team).
        case notHandoverOutside(purpose: String)
        /// A disposal while the item (`caseID` nil) or its case is under legal hold.
        case underHold(caseID: String?)
    }

    /// Why a legal hold may not be placed or released.
    public enum HoldRefusal: Sendable, Equatable {
        /// Only an admin or a holder of one of these reader roles may.
        case notAdminOrReader(readers: [String])
        case alreadyHeld
        case notHeld
    }

    public enum ShareProblem: Sendable, Equatable {
        /// It does not start with the share header.
        case notAShare
        /// The line with this key is missing.
        case missingLine(String)
        /// Line `line` (of the text given) is not in the share format.
        case malformedLine(line: Int)
        /// Line `line` does not match its own checksum: a character of it was mistyped.
        case lineChecksum(line: Int, key: String)
        /// Every line matches its checksum but the share as a whole does not: lines of two shares mixed.
        case shareChecksum
    }

    public enum RecoveryProblem: Sendable, Equatable {
        /// The log records no recovery key.
        case noRecoveryKey
        case invalidParameters(threshold: Int, shares: Int)
        case tooFewShares(have: Int, need: Int)
        case duplicateShare(index: Int)
        /// Shares of different recovery keys (or splits) were given together.
        case mixedShares
        case otherVault(String)
        /// The shares belong to a recovery key that was replaced (`keyID`).
        case replacedKey(keyID: String)
        /// The shares combine to a key that is not the logged recovery key: one of them is wrong.
        case sharesDoNotMatch
        /// A restore must make its new member an admin.
        case adminRoleRequired
        /// The current key of the role is not sealed to the recovery key, so a restore cannot grant it.
        case roleNotCovered(String)
    }
}
