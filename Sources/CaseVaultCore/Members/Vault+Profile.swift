import GRDB

/// A person as a custody record names them: full name, position and institution.
public struct PersonProfile: Sendable, Equatable, Codable {
    public let fullName: String
    public let position: String
    public let institution: String

    public init(fullName: String, position: String, institution: String) {
        self.fullName = fullName
        self.position = position
        self.institution = institution
    }

    /// The entry's encoded texts, in the order `fields` names them; throws for a text `ProfileText` refuses.
    func encoded(_ keys: [String]) throws -> [(String, String)] {
        try zip(keys, [fullName, position, institution]).map { key, text in
            guard let value = ProfileText.encode(text) else {
                throw VaultError.invalidName(kind: .profileText, value: text)
            }
            return (key, value)
        }
    }
}

extension Vault {
    /// States a member's full name, position and institution in the signed log (`member.profile`,
    /// Docs/FORMAT.md, "Member profiles"). Only an admin may. It holds from this entry on: events recorded
    /// before keep the profile in force when they were signed. Returns the entry's index.
    @discardableResult
    public func setProfile(of name: String, _ profile: PersonProfile, by session: MemberSession) throws -> Int {
        try checkSession(session)
        try Names.checkMember(name)
        let fields = try profile.encoded(["full-name", "position", "institution"])
        try refreshTrust()
        return try write { db in
            try requireAdmin(db, session, action: .setProfiles)
            guard let member = try trusted().state.members[name] else { throw VaultError.unknownMember(name) }
            guard !member.removed else { throw VaultError.memberRemoved(name) }
            let index = try trusted().size
            try appendLog(
                db, .memberProfile, [("member", name)] + fields, by: LogAuthor(session: session),
                at: clock.timestamp())
            return index
        }
    }

    /// Transfers custody of an item to someone outside the team (the prosecutor, the forensic institute),
    /// named in the signed event by full name, position and institution. The same members as for a transfer
    /// to a member may; `purpose` must be a handover. Returns the entry's index.
    @discardableResult
    public func transferCustody(
        _ itemID: String, toOutside person: PersonProfile, purpose: TransferPurpose, remarks: CustodyRemarks,
        by session: MemberSession
    ) throws -> Int {
        let fields = try person.encoded(["to-name", "to-position", "to-institution"])
        try checkSession(session)
        try refreshTrust()
        let facts = try custodyFacts(itemID)
        try checkMayAct(session.member, itemID, facts)
        guard LogState.externalPurposes.contains(purpose.rawValue) else {
            throw VaultError.custodyRefused(item: itemID, .notHandoverOutside(purpose: purpose.rawValue))
        }
        let held = try trusted().state.chain(of: itemID, item: facts).external
        guard held.map({ [$0.name, $0.position, $0.institution] }) != fields.map(\.1) else {
            throw VaultError.custodyRefused(item: itemID, .alreadyCustodian(person.fullName))
        }
        return try recordCustody(
            itemID, .custodyTransfer, remarks: remarks, roles: Self.roles(of: facts), session: session
        ) {
            fields + [("purpose", purpose.rawValue), ("private", $0)]
        }
    }
}
