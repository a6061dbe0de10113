/// What the custody events of one item say about its chain, checked on their own: without the vault, from
/// the events alone (a bundle holds exactly these). The signatures and the inclusion of each event in the
/// log are checked elsewhere; this checks that the events form one unbroken chain of that item.
public enum CustodyChainCheck {
    /// A break or a gap in an item's chain, with the entry where it was found.
    public enum Problem: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The first event is not the item's intake (`item.add`).
        case noIntake
        /// The event names another item: it was grafted from another item's chain.
        case otherItem(entry: Int, names: String)
        /// The event's SHA-256 or object is not the one the intake bound.
        case otherHashes(entry: Int)
        /// The event's `prev-event` is not the previous event in the chain: one was dropped, reordered or
        /// inserted.
        case brokenLink(entry: Int, points: Int, previous: Int)
        /// Events are not in log order.
        case outOfOrder(entry: Int)
        /// An access or export recorded before custody chains existed: it is on the log, but no later event
        /// links to it. A gap to declare, not a forgery.
        case unlinked(entry: Int)
        /// The event is not an entry this format defines as custody.
        case notCustody(entry: Int, type: String)
        /// A transfer, note, seal or disposal request after the item's seal, which the log's replay refuses.
        case afterSeal(entry: Int)

        public var description: String {
            switch self {
            case .noIntake: "the chain does not start with the item's intake"
            case .otherItem(let entry, let names): "entry \(entry) belongs to item \(names), not this one"
            case .otherHashes(let entry): "entry \(entry) names other hashes than the intake"
            case .brokenLink(let entry, let points, let previous):
                "entry \(entry) links to entry \(points), but the previous event is entry \(previous)"
            case .outOfOrder(let entry): "entry \(entry) is out of order"
            case .unlinked(let entry):
                "entry \(entry) was recorded before custody chains and is not linked"
            case .notCustody(let entry, let type): "entry \(entry) (\(type)) is not a custody event"
            case .afterSeal(let entry): "entry \(entry) was recorded after the item was sealed"
            }
        }

        /// True for a problem that means the record was altered; false for a declared gap.
        public var isTampering: Bool {
            if case .unlinked = self { return false }
            return true
        }
    }

    /// The custody entry types, and the word each is reported with.
    public static let kinds: [String: String] = [
        EntryType.itemAdd.rawValue: "intake", EntryType.itemGet.rawValue: "access",
        EntryType.itemExport.rawValue: "export", EntryType.custodyTransfer.rawValue: "transfer",
        EntryType.custodyVerify.rawValue: "verified", EntryType.custodyNote.rawValue: "annotated",
        EntryType.custodySeal.rawValue: "sealed",
        EntryType.custodyDisposal.rawValue: "disposal-requested",
        EntryType.custodyHold.rawValue: "hold", EntryType.custodyRelease.rawValue: "hold-released",
        EntryType.custodyReencrypt.rawValue: "re-encrypted",
    ]

    /// What a seal ends (`LogState+Custody`): access, verification, export, holds and re-encryption go on.
    static let refusedAfterSeal: Set<EntryType> = [.custodyTransfer, .custodyNote, .custodySeal, .custodyDisposal]

    /// Every problem of the chain `events` (index and entry, in the order given) of item `item`.
    public static func problems(item: String, events: [(index: Int, entry: LogEntry)]) -> [Problem] {
        guard let intake = events.first, intake.entry.type == .itemAdd,
            intake.entry.value("item") == item
        else {
            return [.noIntake]
        }
        let sha256 = intake.entry.value("sha256")
        // A re-encryption moves the item to a new object; the plaintext SHA-256 never changes.
        var object = intake.entry.value("object")
        var problems: [Problem] = []
        var last = intake.index
        var previousIndex = intake.index
        var sealed = false
        for (index, entry) in events.dropFirst() {
            guard kinds[entry.type.rawValue] != nil, entry.type != .itemAdd else {
                problems.append(.notCustody(entry: index, type: entry.type.rawValue))
                continue
            }
            if index <= previousIndex { problems.append(.outOfOrder(entry: index)) }
            previousIndex = max(previousIndex, index)
            let names = entry.value("item") ?? ""
            guard names == item else {
                problems.append(.otherItem(entry: index, names: names))
                continue
            }
            guard let link = entry.value("prev-event") else {
                problems.append(.unlinked(entry: index))
                continue
            }
            if entry.value("sha256") != sha256 || entry.value("object") != object {
                problems.append(.otherHashes(entry: index))
            }
            if Int(link) != last {
                problems.append(.brokenLink(entry: index, points: Int(link) ?? -1, previous: last))
            }
            if sealed && refusedAfterSeal.contains(entry.type) { problems.append(.afterSeal(entry: index)) }
            sealed = sealed || entry.type == .custodySeal
            last = index
            if entry.type == .custodyReencrypt { object = entry.value("new-object") }
        }
        return problems
    }
}
