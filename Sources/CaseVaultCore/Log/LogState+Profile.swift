/// A member's full name, position and institution as an admin stated them (`member.profile`), from entry
/// `entry` on. Texts are as the entry has them (`ProfileText`-encoded).
struct MemberProfile: Sendable, Equatable, Codable {
    var entry: Int
    var fullName: String
    var position: String
    var institution: String
}

/// Someone outside the team who holds an item after a `custody.transfer` to them (a prosecutor, a forensic
/// institute), as the entry names them (`ProfileText`-encoded).
struct ExternalCustodian: Sendable, Equatable, Codable {
    var name: String
    var position: String
    var institution: String
}

/// The replay rules of member profiles and of transfers to someone outside the team (Docs/FORMAT.md,
/// "Member profiles").
extension LogState {
    /// Applies `member.profile`: only an admin states who a member is, for a member not removed; every text
    /// canonical. A later profile replaces it from its own entry on; earlier events keep the one they had.
    mutating func setProfile(_ entry: LogEntry) throws(LogProblem) {
        guard holds(entry.author, Self.adminRole) else {
            throw .notAuthorized("only an admin states a member's position and institution")
        }
        let name = try field(entry, "member")
        guard members[name]?.removed == false else { throw .inconsistent("no member \(name)") }
        for key in ["full-name", "position", "institution"] { try Self.checkText(try field(entry, key), key) }
        let profile = MemberProfile(
            entry: size, fullName: try field(entry, "full-name"), position: try field(entry, "position"),
            institution: try field(entry, "institution"))
        if profiles == nil { profiles = [:] }
        profiles?[name, default: []].append(profile)
    }

    /// The profile of `member` in force at entry `index` (the last one stated before it), if any.
    func profile(of member: String, at index: Int) -> MemberProfile? {
        profiles?[member]?.last { $0.entry < index }
    }

    /// The person outside the team a `custody.transfer` names (`to-name`, `to-position`, `to-institution`,
    /// all three, canonical, and then no `to`), or nil when it names a member (`to` alone).
    static func externalTarget(_ entry: LogEntry) throws(LogProblem) -> ExternalCustodian? {
        let external = ["to-name", "to-position", "to-institution"].map { entry.value($0) }
        if external.allSatisfy({ $0 == nil }) {
            guard entry.value("to") != nil else { throw .malformed("a transfer names no one it is to") }
            return nil
        }
        guard entry.value("to") == nil, let name = external[0], let position = external[1],
            let institution = external[2]
        else {
            throw .malformed("a transfer names either a member (to) or to-name, to-position and to-institution")
        }
        try checkText(name, "to-name")
        try checkText(position, "to-position")
        try checkText(institution, "to-institution")
        return ExternalCustodian(name: name, position: position, institution: institution)
    }

    static func checkText(_ value: String, _ key: String) throws(LogProblem) {
        guard ProfileText.decode(value) != nil else {
            throw .malformed("\(key) is not a canonically encoded text of 1 to \(ProfileText.maxBytes) bytes")
        }
    }
}

extension LogState {
    /// A transfer to someone outside the team: for a handover to the prosecutor or the forensic institute (or
    /// another handover), never a return or a working copy, which stay within the team; not to whoever holds
    /// it outside already.
    func transferOut(
        _ id: String, to external: ExternalCustodian, purpose: String, chain: inout CustodyChain
    ) throws(LogProblem) {
        guard Self.externalPurposes.contains(purpose) else {
            throw .inconsistent("a transfer outside the team is a handover, not \(purpose)")
        }
        guard chain.external != external else {
            throw .inconsistent("\(id) is already held by that person")
        }
        chain.external = external
    }

    /// The purposes of a transfer to someone outside the team.
    static let externalPurposes: Set<String> = ["handover", "prosecutor", "forensic-institute"]
}
