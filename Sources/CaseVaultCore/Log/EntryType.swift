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
    /// A member copied the vault to a backup folder (named by its backup id, never by a path); the tree
    /// the copy holds. Any member may record one.
    case backupDone = "backup.done"
    /// A member accepted a vault restored from a backup older than what their client had verified: the
    /// size and root of the history they had seen, which the vault now lacks the end of.
    case restore

    enum Occurrence { case once, optional, repeated }

    /// The fields of the type, in order.
    var fields: [(key: String, occurrence: Occurrence)] {
        switch self {
        case .genesis:
            [
                ("admin", .once), ("role", .repeated), ("class-readers", .repeated), ("case-readers", .once),
                ("upgrade", .once),
            ]
        case .memberAdd: [("member", .once), ("recipient", .once), ("signing-key", .once)]
        case .roleGeneration: [("role", .once), ("generation", .once), ("recipient", .once)]
        case .roleGrant, .roleRevoke: [("role", .once), ("member", .once)]
        case .caseCreate: [("case", .once), ("metadata", .once), ("readers", .once)]
        case .itemAdd:
            [
                ("item", .once), ("case", .once), ("class", .once), ("size", .once), ("sha256", .once),
                ("object", .once), ("header", .once), ("metadata", .once), ("readers", .once),
                ("replaces", .optional),
            ]
        case .itemGet: [("item", .once), ("output", .once)]
        case .itemExport: [("item", .once), ("to", .once)]
        case .accessRefused: [("item", .once), ("action", .once)]
        case .upgradeDone: [("entries", .once)]
        case .backupDone:
            [("backup", .once), ("size", .once), ("root", .once), ("objects", .once), ("bytes", .once)]
        case .restore: [("seen", .once), ("seen-root", .once)]
        }
    }

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
