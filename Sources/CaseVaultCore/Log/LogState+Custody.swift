/// Where an item's chain of custody stands after the events applied so far. An item with no entry here has
/// had only its intake (`item.add`): its last event is that entry and its custodian that entry's author.
struct CustodyChain: Sendable, Equatable, Codable {
    /// The leaf index of the item's latest custody event: what the next one's `prev-event` must name.
    var last: Int
    /// The member responsible for the item now.
    var custodian: String
    /// Sealed for court: from then on only access, verification and export.
    var sealed = false
    var disposalRequested = false
    /// The index of the `custody.hold` entry that put the item itself under legal hold, until released
    /// (`LogState+Hold.swift`); optional so that a chain saved before holds still loads.
    var hold: Int?
    /// Set while someone outside the team holds the item (a transfer with `to-name`, `LogState+Profile.swift`);
    /// `custodian` is then the member who handed it over, who may no longer act as its custodian.
    var external: ExternalCustodian?
}

/// The replay rules of custody events (Docs/FORMAT.md, "Custody events"). Each event names its item, the
/// item's SHA-256 and object as its intake bound them, and the leaf index of the item's previous custody
/// event, so one item's chain can be checked on its own and an event cannot be moved to another item.
extension LogState {
    /// Where custody of an item came from (`item.add`'s optional `origin`).
    static let intakeOrigins: Set<String> = ["survivor", "third-party", "team"]
    /// How it was acquired (`method`): the original, or an exact (bit-for-bit) copy.
    static let intakeMethods: Set<String> = ["original", "exact-copy"]
    /// What a transfer is for (`purpose`).
    static let transferPurposes: Set<String> = [
        "handover", "working-copy", "prosecutor", "forensic-institute", "return",
    ]

    /// The chain of `id` as it stands, `item` being its intake facts.
    func chain(of id: String, item: Item) -> CustodyChain {
        custodyChains?[id] ?? CustodyChain(last: item.index, custodian: item.author)
    }

    /// Whether `member` holds one of the item's reader roles now.
    func isReader(_ member: String, of item: Item) -> Bool {
        item.readers.contains { holds(member, String($0.split(separator: ":")[0])) }
    }

    /// The intake fields an `item.add` may carry: each from its fixed set, or 128 hex digits.
    func checkIntake(_ entry: LogEntry) throws(LogProblem) {
        if let origin = entry.value("origin"), !Self.intakeOrigins.contains(origin) {
            throw .malformed(
                "origin \(origin) is not one of \(Self.intakeOrigins.sorted().joined(separator: ", "))")
        }
        if let method = entry.value("method"), !Self.intakeMethods.contains(method) {
            throw .malformed(
                "method \(method) is not one of \(Self.intakeMethods.sorted().joined(separator: ", "))")
        }
        if let sha512 = entry.value("sha512") { try Self.checkHex(sha512, length: 128, "sha512") }
    }

    /// A custody event proper (`custody.*`): checks its link and its author's right to make it, then moves
    /// the chain on. Nothing is written before every check has passed.
    mutating func applyCustody(_ entry: LogEntry, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem) {
        let (id, item, current) = try linked(entry, lookup: lookup)
        var chain = current
        let author = entry.author
        let mayAct = isReader(author, of: item) || (chain.custodian == author && chain.external == nil)
        switch entry.type {
        case .custodyVerify:
            // Anyone who is a member may re-hash the object (an auditor included); only a reader can have
            // decrypted it to hash the plaintext.
            try Self.checkHex(try field(entry, "object-computed"), length: 64, "object-computed")
            if let plaintext = entry.value("plaintext-computed") {
                try Self.checkHex(plaintext, length: 64, "plaintext-computed")
                guard isReader(author, of: item) else {
                    throw .notAuthorized("only a holder of a reader role of \(id) hashes its plaintext")
                }
            }
        case .custodyTransfer:
            guard !chain.sealed else { throw .inconsistent("\(id) is sealed for court") }
            guard mayAct else {
                throw .notAuthorized(
                    "only a holder of a reader role of \(id) or its custodian transfers it")
            }
            let purpose = try field(entry, "purpose")
            guard Self.transferPurposes.contains(purpose) else {
                throw .malformed("purpose \(purpose) is unknown")
            }
            try Self.checkHex(try field(entry, "private"), length: 64, "private")
            if let external = try Self.externalTarget(entry) {
                try transferOut(id, to: external, purpose: purpose, chain: &chain)
            } else {
                let target = try field(entry, "to")
                guard let member = members[target], !member.removed, isReader(target, of: item) else {
                    throw .inconsistent("\(target) is no member holding a reader role of \(id)")
                }
                guard target != chain.custodian || chain.external != nil else {
                    throw .inconsistent("\(target) is already the custodian of \(id)")
                }
                chain.custodian = target
                chain.external = nil
            }
        case .custodyNote, .custodySeal, .custodyDisposal:
            guard !chain.sealed else { throw .inconsistent("\(id) is sealed for court") }
            guard mayAct else {
                throw .notAuthorized(
                    "only a holder of a reader role of \(id) or its custodian records this")
            }
            try Self.checkHex(try field(entry, "private"), length: 64, "private")
            if entry.type == .custodySeal { chain.sealed = true }
            if entry.type == .custodyDisposal {
                try checkNoHold(id, item: item, chain: chain)
                chain.disposalRequested = true
            }
        default:
            throw .malformed("\(entry.type.rawValue) is not a custody event")
        }
        chain.last = size
        setChain(chain, of: id)
    }

    /// `item.get` and `item.export` (already checked as reads): one made before custody chains carries no
    /// link and leaves the chain alone; one made since must link, and becomes the chain's last event.
    mutating func linkAccess(_ entry: LogEntry, item: Item) throws(LogProblem) {
        let linkFields = ["sha256", "object", "prev-event"].filter { entry.value($0) != nil }
        guard !linkFields.isEmpty else {
            guard entry.value("export-sha256") == nil, entry.value("private") == nil else {
                throw .malformed("an export without a custody link carries custody fields")
            }
            return
        }
        guard linkFields.count == 3 else {
            throw .malformed("a custody link needs sha256, object and prev-event")
        }
        let (id, _, current) = try linked(entry, lookup: { _ in item })
        if let exported = entry.value("export-sha256") {
            try Self.checkHex(exported, length: 64, "export-sha256")
        }
        if let sealed = entry.value("private") { try Self.checkHex(sealed, length: 64, "private") }
        var chain = current
        chain.last = size
        setChain(chain, of: id)
    }

    /// The item an event names, after checking that the event binds the item's own SHA-256 and object and
    /// links to the item's actual previous event.
    func linked(_ entry: LogEntry, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem)
        -> (String, Item, CustodyChain)
    {
        let id = try field(entry, "item")
        guard let item = try knownItem(id, lookup: lookup) else { throw .inconsistent("no item \(id)") }
        guard try field(entry, "sha256") == item.sha256, try field(entry, "object") == item.object
        else {
            throw .inconsistent("the event's sha256 or object is not that of \(id)")
        }
        let chain = chain(of: id, item: item)
        let previous = try field(entry, "prev-event")
        guard Int(previous).map(String.init) == previous, Int(previous) == chain.last else {
            throw .inconsistent(
                "prev-event \(previous) is not \(id)'s previous custody event, \(chain.last)")
        }
        return (id, item, chain)
    }

    mutating func setChain(_ chain: CustodyChain, of id: String) {
        if custodyChains == nil { custodyChains = [:] }
        custodyChains?[id] = chain
    }

    static func checkHex(_ value: String, length: Int, _ name: String) throws(LogProblem) {
        guard value.utf8.count == length,
            value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { throw .malformed("\(name) is not \(length) lowercase hex digits") }
    }
}
