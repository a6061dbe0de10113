/// What a legal hold is placed on: a whole case, or one item.
public enum HoldTarget: Sendable, Equatable, Hashable {
    case caseFile(String)
    case item(String)
}

/// The legal holds that keep an item from disposal: each the index of the entry that placed it.
public struct ItemHolds: Sendable, Equatable, Codable {
    /// A hold on the item itself (`custody.hold`).
    public let item: Int?
    /// A hold on the item's case (`case.hold`).
    public let caseHold: Int?

    public var held: Bool { item != nil || caseHold != nil }
}

extension Vault {
    /// Places a legal hold on a case or an item (Docs/FORMAT.md, "Legal hold"): until it is released,
    /// no disposal of the item, or of any item of the case, is recorded. An admin or a holder of one of the
    /// reader roles of the case (its title's) or item may; the reason is sealed to those roles. Returns the
    /// entry's index.
    @discardableResult
    public func placeHold(_ target: HoldTarget, remarks: CustodyRemarks, by session: MemberSession) throws -> Int {
        try recordHold(target, placing: true, remarks: remarks, session: session)
    }

    /// Releases a legal hold placed by `placeHold`; the same members may. Returns the entry's index.
    @discardableResult
    public func releaseHold(_ target: HoldTarget, remarks: CustodyRemarks, by session: MemberSession) throws
        -> Int
    {
        try recordHold(target, placing: false, remarks: remarks, session: session)
    }

    /// The entry that put case `id` under legal hold, or nil when it is not under hold.
    public func legalHold(ofCase id: String) throws -> Int? {
        try refreshTrust()
        let state = try trusted().state
        guard state.cases[id] != nil else { throw VaultError.unknownCase(id) }
        return state.caseHold(id)
    }

    /// The holds that keep item `id` from disposal.
    public func legalHolds(ofItem id: String) throws -> ItemHolds {
        try refreshTrust()
        let facts = try custodyFacts(id)
        let state = try trusted().state
        return ItemHolds(item: state.chain(of: id, item: facts).hold, caseHold: state.caseHold(facts.caseID))
    }

    /// The rule of `LogState.checkNoHold`, checked first so that a refused disposal is worded for the user.
    func checkNoHold(_ itemID: String) throws {
        let holds = try legalHolds(ofItem: itemID)
        if holds.item != nil { throw VaultError.custodyRefused(item: itemID, .underHold(caseID: nil)) }
        if holds.caseHold != nil {
            throw VaultError.custodyRefused(item: itemID, .underHold(caseID: try custodyFacts(itemID).caseID))
        }
    }

    private func recordHold(
        _ target: HoldTarget, placing: Bool, remarks: CustodyRemarks, session: MemberSession
    ) throws -> Int {
        try checkSession(session)
        try refreshTrust()
        let state = try trusted().state
        let roles: [String]
        let held: Bool
        switch target {
        case .caseFile(let id):
            guard let facts = state.cases[id] else { throw VaultError.unknownCase(id) }
            roles = facts.readers.map { String($0.split(separator: ":")[0]) }
            held = state.caseHold(id) != nil
        case .item(let id):
            let facts = try custodyFacts(id)
            roles = Self.roles(of: facts)
            held = state.chain(of: id, item: facts).hold != nil
        }
        guard
            state.holds(session.member, LogState.adminRole)
                || roles.contains(where: { state.holds(session.member, $0) })
        else { throw VaultError.holdRefused(target, .notAdminOrReader(readers: roles)) }
        if placing && held { throw VaultError.holdRefused(target, .alreadyHeld) }
        if !placing && !held { throw VaultError.holdRefused(target, .notHeld) }
        let author = LogAuthor(session: session)
        return try write { db in
            let hash = try storeRemarks(db, remarks, readers: roles)
            switch target {
            case .caseFile(let id):
                return try trust.withLock { trusted in
                    try trusted.catchUp(db)
                    let index = trusted.size
                    try trusted.append(
                        db, type: placing ? .caseHold : .caseRelease,
                        fields: [(key: "case", value: id), (key: "private", value: hash)], author: author,
                        time: clock.timestamp())
                    return index
                }
            case .item(let id):
                return try appendCustodyEvent(
                    db, placing ? .custodyHold : .custodyRelease, item: id, trailing: [("private", hash)],
                    by: author, at: clock.timestamp())
            }
        }
    }
}
