/// The replay rules of legal hold (Docs/FORMAT.md, "Legal hold"). A hold keeps evidence from being
/// disposed of while a court, a prosecutor or the team's own policy needs it: while an item, or the case
/// it belongs to, is under hold, a `custody.disposal` for it is refused, by the client and by every
/// verifier of the log. A hold and its release are made by an admin (who answers for retention) or by a
/// holder of one of the reader roles of what is held (who works the case); the reason is sealed to those
/// reader roles, as custody remarks are.
extension LogState {
    /// `case.hold` and `case.release`.
    mutating func applyCaseHold(_ entry: LogEntry) throws(LogProblem) {
        let id = try field(entry, "case")
        guard let facts = cases[id] else { throw .inconsistent("no case \(id)") }
        let roles = facts.readers.map { String($0.split(separator: ":")[0]) }
        try checkMayHold(entry.author, roles: roles, what: "case \(id)")
        try Self.checkHex(try field(entry, "private"), length: 64, "private")
        let held = caseHolds?[id] != nil
        if entry.type == .caseHold {
            guard !held else { throw .inconsistent("case \(id) is already under legal hold") }
            if caseHolds == nil { caseHolds = [:] }
            caseHolds?[id] = size
        } else {
            guard held else { throw .inconsistent("case \(id) is not under legal hold") }
            caseHolds?[id] = nil
        }
    }

    /// `custody.hold` and `custody.release`: custody events of the item's chain. Unlike other custody
    /// events they are allowed on a sealed item (a hold protects it; it does not change it).
    mutating func applyItemHold(_ entry: LogEntry, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem) {
        let (id, item, current) = try linked(entry, lookup: lookup)
        try checkMayHold(entry.author, roles: item.readers.map { String($0.split(separator: ":")[0]) }, what: id)
        try Self.checkHex(try field(entry, "private"), length: 64, "private")
        var chain = current
        if entry.type == .custodyHold {
            guard chain.hold == nil else { throw .inconsistent("\(id) is already under legal hold") }
            chain.hold = size
        } else {
            guard chain.hold != nil else { throw .inconsistent("\(id) is not under legal hold") }
            chain.hold = nil
        }
        chain.last = size
        setChain(chain, of: id)
    }

    /// Refuses a disposal of `id` while it, or its case, is under legal hold.
    func checkNoHold(_ id: String, item: Item, chain: CustodyChain) throws(LogProblem) {
        if chain.hold != nil { throw .inconsistent("\(id) is under legal hold") }
        if caseHolds?[item.caseID] != nil {
            throw .inconsistent("case \(item.caseID) of \(id) is under legal hold")
        }
    }

    /// The index of the entry that put `caseID` under hold, if it is.
    func caseHold(_ caseID: String) -> Int? { caseHolds?[caseID] }

    private func checkMayHold(_ author: String, roles: [String], what: String) throws(LogProblem) {
        guard holds(author, Self.adminRole) || roles.contains(where: { holds(author, $0) }) else {
            throw .notAuthorized("only an admin or a holder of a reader role of \(what) places or releases a hold")
        }
    }
}
