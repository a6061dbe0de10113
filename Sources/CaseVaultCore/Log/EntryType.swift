/// The kinds of change the log records, and the fields each carries, in order. A field marked `repeated`
/// may occur several times in a row; `optional` at most once.
public enum EntryType: String, Sendable, CaseIterable {
    /// The first entry: the founding admin's keys and the vault's roles and default readers. The vault id is
    /// derived from it. An upgraded vault's genesis says `upgrade yes`: the entries up to `upgrade.done`
    /// attest, signed by that admin, the state the vault had before it had a log.
    case genesis
    case memberAdd = "member.add"
    case roleGeneration = "role.generation"
    case roleGrant = "role.grant"
    case roleRevoke = "role.revoke"
    case caseCreate = "case.create"
    case itemAdd = "item.add"
    case itemGet = "item.get"
    case itemExport = "item.export"
    /// A member asked for an item none of whose reader roles they hold, and was refused. Signed by that
    /// member: the attempt is on the record (who tried to see what, when).
    case accessRefused = "access.refused"
    /// Closes the attestation of an upgraded vault's existing state.
    case upgradeDone = "upgrade.done"
    /// Custody events (Docs/FORMAT.md, "Custody events"): each names its item, the item's SHA-256 and object,
    /// and the index of the item's previous custody event (`prev-event`).
    case custodyTransfer = "custody.transfer"
    case custodyVerify = "custody.verify"
    case custodyNote = "custody.note"
    case custodySeal = "custody.seal"
    case custodyDisposal = "custody.disposal"
    /// An admin removes a member: every role they hold is revoked, and rotated by the entries that follow.
    case memberRemove = "member.remove"
    /// A holder of a role moves a batch of item headers (and their metadata) to the role's current key.
    case itemRewrap = "item.rewrap"
    /// A holder of a role moves a batch of case titles to the role's current key.
    case caseRewrap = "case.rewrap"
    /// A holder of a case's reader role adds a case-reader role that had no key when the case was made.
    case caseReader = "case.reader"
    /// A member replaces their key pair, signing with the old key.
    case memberRekey = "member.rekey"
    /// A member copied the vault to a backup folder (named by its backup id, never by a path); the tree
    /// the copy holds. Any member may record one.
    case backupDone = "backup.done"
    /// A member accepted a vault restored from a backup older than what their client had verified: the
    /// size and root of the history they had seen, which the vault now lacks the end of.
    case restore
    /// An admin sets the organisation recovery key (Docs/FORMAT.md, "Recovery"): its public keys and how it
    /// is shared. Replaces the previous one.
    case recoveryKey = "recovery.key"
    /// The holders of K shares of the recovery key admit a new admin, signed by the recovery signing key.
    case recoveryRestore = "recovery.restore"
    /// Legal hold (Docs/FORMAT.md, "Legal hold"): a case, or one item as a custody event, may not be disposed
    /// of until released. Made by an admin or a holder of one of the case's (item's) reader roles.
    case caseHold = "case.hold"
    case caseRelease = "case.release"
    case custodyHold = "custody.hold"
    case custodyRelease = "custody.release"
    /// A holder of one of an item's reader roles re-encrypted it (`keys rotate --reencrypt`): a new file key,
    /// payload object and metadata, for the same plaintext SHA-256 (Docs/FORMAT.md, "Re-encryption").
    case custodyReencrypt = "custody.reencrypt"
    /// An admin states a member's full name, position and institution (Docs/FORMAT.md, "Member profiles"),
    /// as they hold from this entry on: a report shows those in force at each event.
    case memberProfile = "member.profile"
    /// Signs the run of unsigned `item.add` entries just before it, all by its author: its `prev` line names
    /// the tree that ends with them, so one signature covers the run (Docs/FORMAT.md, "Runs").
    case runSeal = "run.seal"

    enum Occurrence { case once, optional, repeated }

    /// The fields of the type, in order.
    var fields: [(key: String, occurrence: Occurrence)] {
        switch self {
        case .genesis:
            [
                ("admin", .once), ("role", .repeated), ("class-readers", .repeated), ("case-readers", .once),
                ("upgrade", .once),
            ]
        case .memberAdd, .memberRekey: [("member", .once), ("recipient", .once), ("signing-key", .once)]
        case .roleGeneration: [("role", .once), ("generation", .once), ("recipient", .once)]
        case .roleGrant, .roleRevoke: [("role", .once), ("member", .once)]
        case .caseCreate: [("case", .once), ("metadata", .once), ("readers", .once)]
        case .itemAdd:
            [
                ("item", .once), ("case", .once), ("class", .once), ("size", .once), ("sha256", .once),
                ("object", .once), ("header", .once), ("metadata", .once), ("readers", .once),
                ("replaces", .optional), ("origin", .optional), ("method", .optional), ("sha512", .optional),
            ]
        case .itemGet: [("item", .once), ("output", .once)] + Self.optionalLink
        case .itemExport:
            [("item", .once), ("to", .once)] + Self.optionalLink + [
                ("export-sha256", .optional), ("private", .optional),
            ]
        case .accessRefused: [("item", .once), ("action", .once)]
        case .upgradeDone: [("entries", .once)]
        case .custodyTransfer:
            // `to` names a member; `to-name`, `to-position`, `to-institution` someone outside the team.
            Self.link + [
                ("to", .optional), ("to-name", .optional), ("to-position", .optional), ("to-institution", .optional),
                ("purpose", .once), ("private", .once),
            ]
        case .memberProfile: [("member", .once), ("full-name", .once), ("position", .once), ("institution", .once)]
        case .custodyVerify: Self.link + [("object-computed", .once), ("plaintext-computed", .optional)]
        case .custodyNote, .custodySeal, .custodyDisposal, .custodyHold, .custodyRelease:
            Self.link + [("private", .once)]
        case .caseHold, .caseRelease: [("case", .once), ("private", .once)]
        case .custodyReencrypt:
            Self.link + [
                ("role", .once), ("new-object", .once), ("header", .once), ("metadata", .once), ("readers", .once),
            ]
        case .memberRemove: [("member", .once)]
        case .runSeal: [("covers", .once)]
        case .itemRewrap: [("role", .once), ("generation", .once), ("item", .repeated)]
        case .caseRewrap, .caseReader: [("role", .once), ("generation", .once), ("case", .repeated)]
        case .backupDone:
            [("backup", .once), ("size", .once), ("root", .once), ("objects", .once), ("bytes", .once)]
        case .restore: [("seen", .once), ("seen-root", .once)]
        case .recoveryKey:
            [
                ("key-id", .once), ("recipient", .once), ("signing-key", .once), ("threshold", .once),
                ("shares", .once),
            ]
        case .recoveryRestore:
            [("key-id", .once), ("member", .once), ("recipient", .once), ("signing-key", .once), ("role", .repeated)]
        }
    }

    /// What every custody event starts with: the item, its SHA-256 and object, and the previous event's index.
    private static let link: [(key: String, occurrence: Occurrence)] = [
        ("item", .once), ("sha256", .once), ("object", .once), ("prev-event", .once),
    ]
    /// `item.get` and `item.export` made before custody chains carry no link; those made since carry all three.
    private static let optionalLink: [(key: String, occurrence: Occurrence)] = [
        ("sha256", .optional), ("object", .optional), ("prev-event", .optional),
    ]

    /// Checks that `entry` has exactly this type's fields, in order.
    func checkFields(_ entry: LogEntry) throws {
        var remaining = entry.fields[...]
        for (key, occurrence) in fields {
            var count = 0
            while let next = remaining.first, next.key == key {
                count += 1
                remaining = remaining.dropFirst()
            }
            switch (occurrence, count) {
            case (.once, 1), (.optional, 0), (.optional, 1): break
            case (.repeated, let n) where n >= 1: break
            default: throw SignedLogError.malformedEntry("field \(key) of \(rawValue) occurs \(count) times")
            }
        }
        guard remaining.isEmpty else { throw SignedLogError.malformedEntry("\(rawValue) has an unknown field") }
    }
}
