import CaseVaultCrypto

/// A person as a custody event names them: a member with the key that signed for them and the profile in
/// force then, or someone outside the team as a transfer names them.
public struct CustodyParty: Sendable, Equatable, Codable {
    /// The member's name in the vault; nil for someone outside the team.
    public let member: String?
    public let fullName: String?
    public let position: String?
    public let institution: String?
    /// SHA-256 (hex) of the member's Ed25519 key in force at the event.
    public let fingerprint: String?
    /// The entry that bound that key to the member.
    public let keyBoundBy: Int?
    /// The `member.profile` entry stating the name, position and institution; nil when none preceded the event.
    public let profileEntry: Int?
}

/// Who acted, and from whom to whom a transfer moved an item, derived from signed entries alone (the events,
/// the entries binding keys, the `member.profile` entries), so that the vault's report and `verify-bundle`
/// compute the same parties (Docs/FORMAT.md, "Member profiles").
public struct CustodyParties: Sendable {
    private var keys: [String: [(index: Int, signingKey: String)]] = [:]
    private var profiles: [String: [(index: Int, profile: PersonProfile)]] = [:]
    /// The signing keys `recovery.key` entries set, with their indexes: what a `recovery.restore` is signed with.
    private var recoveryKeys: [(index: Int, signingKey: String)] = []

    /// From entries that bind keys (genesis, `member.add`, `member.rekey`) and `member.profile` entries, with
    /// their leaf indexes; others are ignored.
    public init(_ entries: [(index: Int, entry: LogEntry)]) {
        for (index, entry) in entries.sorted(by: { $0.index < $1.index }) {
            if let binding = entry.keyBinding { keys[binding.member, default: []].append((index, binding.signingKey)) }
            if entry.type == .recoveryKey, let key = entry.value("signing-key") { recoveryKeys.append((index, key)) }
            if entry.type == .memberProfile, let member = entry.value("member"),
                let profile = Self.profile(entry, ["full-name", "position", "institution"])
            {
                profiles[member, default: []].append((index, profile))
            }
        }
    }

    /// The key (hex) bound to `member` at entry `index`, and the entry that bound it: the last binding
    /// before `index` (the genesis binds its own author's key at index 0).
    public func key(of member: String, at index: Int) -> (signingKey: String, boundBy: Int)? {
        keys[member]?.last { $0.index < index || ($0.index == 0 && index == 0) }.map { ($0.signingKey, $0.index) }
    }

    /// The key entry `entry` (at `index`) must be signed with, and the entry that bound it: its author's key
    /// then, or, for a `recovery.restore` (signed in the name of the admin it admits), the recovery key the
    /// last `recovery.key` before it set.
    public func signingKey(of entry: LogEntry, at index: Int) -> (signingKey: String, boundBy: Int)? {
        guard entry.type == .recoveryRestore else { return key(of: entry.author, at: index) }
        return recoveryKeys.last { $0.index < index }.map { ($0.signingKey, $0.index) }
    }

    /// Every key bound to `member` with the entry that bound it, oldest first.
    public func allKeys(of member: String) -> [(index: Int, signingKey: String)] { keys[member] ?? [] }

    /// A signing key's fingerprint as reports show it: SHA-256 (hex) of the raw Ed25519 key given in hex.
    public static func fingerprint(ofSigningKey hex: String) -> String? {
        Hex.decode(hex).flatMap { try? Hex.encode(Digest.hash(.sha256, $0)) }
    }

    /// `member` as of entry `index`.
    public func member(_ member: String, at index: Int) -> CustodyParty {
        let key = key(of: member, at: index)
        let profile = profiles[member]?.last { $0.index < index }
        return CustodyParty(
            member: member, fullName: profile?.profile.fullName, position: profile?.profile.position,
            institution: profile?.profile.institution,
            fingerprint: key.flatMap { Self.fingerprint(ofSigningKey: $0.signingKey) },
            keyBoundBy: key?.boundBy, profileEntry: profile?.index)
    }

    /// Each event's signer, and for a transfer whom it moved the item from and to: the intake's author holds
    /// it first, then each transfer's target. Keyed by the event's index.
    public func resolve(_ events: [(index: Int, entry: LogEntry)])
        -> [Int: (actor: CustodyParty, from: CustodyParty?, to: CustodyParty?)]
    {
        var out: [Int: (actor: CustodyParty, from: CustodyParty?, to: CustodyParty?)] = [:]
        var holder: CustodyParty?
        for (index, entry) in events {
            let actor = member(entry.author, at: index)
            guard entry.type == .custodyTransfer else {
                if entry.type == .itemAdd { holder = actor }
                out[index] = (actor, nil, nil)
                continue
            }
            // The holder as of this transfer: a member's profile may have changed since they received it.
            let from = holder.map { held in held.member.map { member($0, at: index) } ?? held }
            let to: CustodyParty?
            if let name = entry.value("to") {
                to = member(name, at: index)
            } else if let name = entry.value("to-name"), let position = entry.value("to-position"),
                let institution = entry.value("to-institution")
            {
                to = Self.outside(name, position, institution)
            } else {
                to = nil
            }
            out[index] = (actor, from, to)
            holder = to ?? holder
        }
        return out
    }

    /// Who holds the item after `events` (its intake's actor, then each transfer's target): a member as of
    /// entry `size` (the log's size, or a bundle's checkpoint's), or someone outside the team.
    public func holder(after events: [(index: Int, entry: LogEntry)], at size: Int) -> CustodyParty? {
        let resolved = resolve(events)
        guard let last = events.last(where: { $0.entry.type == .custodyTransfer || $0.entry.type == .itemAdd }),
            let party = last.entry.type == .itemAdd ? resolved[last.index]?.actor : resolved[last.index]?.to
        else { return nil }
        return party.member.map { member($0, at: size) } ?? party
    }

    /// Someone outside the team, from a transfer's encoded `to-name`, `to-position`, `to-institution`; nil
    /// when one is not a canonical text.
    static func outside(_ name: String, _ position: String, _ institution: String) -> CustodyParty? {
        guard let name = ProfileText.decode(name), let position = ProfileText.decode(position),
            let institution = ProfileText.decode(institution)
        else { return nil }
        return CustodyParty(
            member: nil, fullName: name, position: position, institution: institution, fingerprint: nil,
            keyBoundBy: nil, profileEntry: nil)
    }

    private static func profile(_ entry: LogEntry, _ keys: [String]) -> PersonProfile? {
        let texts = keys.compactMap { entry.value($0).flatMap(ProfileText.decode) }
        guard texts.count == 3 else { return nil }
        return PersonProfile(fullName: texts[0], position: texts[1], institution: texts[2])
    }
}
