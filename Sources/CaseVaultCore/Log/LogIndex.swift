import CaseVaultLog

/// What the verified cache indexes about entries verified since it was last saved (`VerifiedCache.save`
/// moves it there): each entry's leaf hash, and the subjects it is about, so that an item's custody events,
/// a member's key bindings and any inclusion proof are found without reading the log from its start.
/// Filled only as entries are verified and applied, never from the vault's tables.
struct LogIndex: Sendable {
    /// The first entry held here: entries below it are in the cache (or, without one, nowhere).
    var base = 0
    /// The leaf hashes of entries `base…`, 32 bytes each, end to end (one buffer: a state copied per write
    /// transaction copies one array, not one per entry).
    private(set) var leaves: [UInt8] = []
    /// (subject, entry) pairs, in log order. Subjects are `item:<id>` for an item's custody events (its
    /// intake included), `member:<name>` for the entries that bind a member's keys and `role:<role>:<name>`
    /// for the grants and revocations of a role to a member.
    private(set) var subjects: [(subject: String, index: Int)] = []

    init(base: Int = 0) { self.base = base }

    /// Entries held here.
    var count: Int { leaves.count / Merkle.hashByteCount }

    /// The leaf hash of entry `index` (`base ≤ index < base + count`).
    func leaf(_ index: Int) -> [UInt8] {
        let start = (index - base) * Merkle.hashByteCount
        return Array(leaves[start..<start + Merkle.hashByteCount])
    }

    /// Records entry `index` (the next one), with what it is about when it was parsed and applied.
    mutating func record(leaf: [UInt8], entry: LogEntry?, index: Int) {
        precondition(index == base + count, "entries are indexed in log order")
        leaves += leaf
        guard let entry else { return }
        for subject in Self.subjects(of: entry) { subjects.append((subject, index)) }
    }

    /// What an entry is about: the member whose keys it binds, the role and member it grants or revokes,
    /// or the item whose custody it records.
    static func subjects(of entry: LogEntry) -> [String] {
        switch entry.type {
        case .genesis: return [memberSubject(entry.author)]
        case .memberAdd, .memberRekey, .recoveryRestore:
            return entry.value("member").map { [memberSubject($0)] } ?? []
        case .recoveryKey: return [recoveryKeySubject]
        case .roleGrant, .roleRevoke:
            guard let role = entry.value("role"), let member = entry.value("member") else { return [] }
            return [roleSubject(role, member)]
        default:
            guard CustodyChainCheck.kinds[entry.type.rawValue] != nil, let item = entry.value("item") else {
                return []
            }
            return [itemSubject(item)]
        }
    }

    static func itemSubject(_ id: String) -> String { "item:" + id }
    static func memberSubject(_ name: String) -> String { "member:" + name }
    /// The `recovery.key` entries: the keys that sign a `recovery.restore`.
    static let recoveryKeySubject = "recovery-key"
    static func roleSubject(_ role: String, _ member: String) -> String { "role:\(role):\(member)" }
}
