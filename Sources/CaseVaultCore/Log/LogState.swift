/// The vault as its log says it is: what a client may rely on. It is built by replaying the log from
/// genesis, entry by entry, and each entry is applied only if its author was allowed to make it at that
/// point (`apply`). Nothing in it comes from the database's other tables.
struct LogState: Sendable, Equatable, Codable {
    struct Member: Sendable, Equatable, Codable {
        var recipient: String
        var signingKey: String
        var removed = false
    }

    struct Role: Sendable, Equatable, Codable {
        /// generation → recipient; generations are 1, 2, …
        var generations: [Int: String] = [:]
        var holders: Set<String> = []
        var current: Int { generations.count }
    }

    /// What an item's `item.add` entry binds: everything `get`, `show` and `list` report as authentic.
    struct Item: Sendable, Equatable, Codable {
        var caseID: String
        var itemClass: String
        var size: Int64
        var sha256: String
        var object: String
        var headerHash: String
        var metadataHash: String
        /// `role:generation` in stanza order.
        var readers: [String]
        var replaces: String?
        var author: String
        var time: String
        var index: Int
    }

    struct Case: Sendable, Equatable, Codable {
        var metadataHash: String
        var readers: [String]
        var author: String
    }

    static let adminRole = "admin"

    var vaultID: String?
    var members: [String: Member] = [:]
    var roles: [String: Role] = [:]
    /// The roles in the order the genesis lists them.
    var roleOrder: [String] = []
    var classReaders: [String: [String]] = [:]
    var caseReaders: [String] = []
    var cases: [String: Case] = [:]
    /// Items added by entries applied in memory; those a persistent cache already holds are found through
    /// the `lookup` that `apply` is given (a log of 100,000 items is not kept in memory).
    var items: [String: Item] = [:]
    /// Items whose custody moved on after their intake (`LogState+Custody.swift`); optional so that a state
    /// saved before custody chains still loads.
    var custodyChains: [String: CustodyChain]?
    /// Cases under legal hold, each with the index of the `case.hold` entry that placed it
    /// (`LogState+Hold.swift`); optional so that a state saved before holds still loads.
    var caseHolds: [String: Int]?
    /// While an upgraded vault's existing state is attested: the admin who attests it.
    var attestingAdmin: String?
    /// A member removal whose role rotations are still due (LogState+Removal.swift).
    var removal: Removal?
    /// The organisation recovery key, once an admin set one (`LogState+Recovery.swift`).
    var recovery: RecoveryKey?
    /// The ids of recovery keys that were replaced (never to be set again); optional, like `recovery`, so
    /// that a state saved before recovery keys still loads.
    var retiredRecoveryKeys: [String]?
    /// Each member's profiles, oldest first (`LogState+Profile.swift`); optional so that a state saved before
    /// profiles still loads.
    var profiles: [String: [MemberProfile]]?
    /// Entries applied so far (the index of the next one).
    var size = 0
    /// The author of the last entry applied: the checkpoint of the tree it ends must be theirs
    /// (`TrustedLog+Checkpoints.swift`). Optional so that a state saved before the rule still loads.
    var lastAuthor: String?
    /// The unsigned entries at the end of what was applied, waiting for their `run.seal`; nil otherwise.
    var openRun: OpenRun?

    func holds(_ member: String, _ role: String) -> Bool { roles[role]?.holders.contains(member) ?? false }

    /// The signing key (hex) that must have signed `entry`: the author's, as the state knows it before it.
    func signingKey(of entry: LogEntry) throws(LogProblem) -> String {
        if entry.type == .genesis {
            guard size == 0 else { throw .misplacedGenesis }
            let admin = (entry.value("admin") ?? "").split(separator: " ")
            guard admin.count == 3, String(admin[0]) == entry.author else {
                throw .malformed("the genesis admin line is not 'NAME RECIPIENT SIGNING-KEY' of its author")
            }
            try Self.check(.member, entry.author)
            return String(admin[2])
        }
        guard size > 0 else { throw .misplacedGenesis }
        if entry.type == .recoveryRestore {
            // Signed in the name of the member it admits, who is not a member yet: the name is checked first.
            try Self.check(.member, entry.author)
            return try recoverySigningKey(of: entry)
        }
        guard let member = members[entry.author] else { throw .unknownAuthor(entry.author) }
        guard !member.removed else { throw .removedAuthor(entry.author) }
        return member.signingKey
    }

    /// Applies `entry` if its author may make it now; otherwise throws and changes nothing. `lookup` finds
    /// items that earlier entries added and that are no longer held in `items`. `signed` is false for an
    /// entry stored without a signature, which a `run.seal` must cover (`LogState+Runs.swift`).
    mutating func apply(
        _ entry: LogEntry, signed: Bool = true, lookup: (String) throws(LogProblem) -> Item? = { _ in nil }
    ) throws(LogProblem) {
        try checkRun(entry, signed: signed)
        guard entry.type != .genesis else {
            // The genesis fills several tables and may fail half-way: it is applied to a copy (of an empty
            // state, so the copy costs nothing).
            var next = self
            try next.change(entry, lookup: lookup)
            next.size += 1
            next.lastAuthor = entry.author
            self = next
            return
        }
        // Every other change checks everything before it writes anything, so it is applied in place: a copy
        // of the state per entry would copy the items too, quadratic over a batch of 10,000.
        try change(entry, lookup: lookup)
        noteRun(entry, signed: signed, index: size)
        size += 1
        lastAuthor = entry.author
    }

    /// The item `id`, from this state or, for an item of an earlier entry the state no longer holds, `lookup`
    /// (the verified cache, which fails rather than answer "absent" when it cannot be read).
    func knownItem(_ id: String, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem) -> Item? {
        if let item = items[id] { return item }
        return try lookup(id)
    }

    private mutating func change(_ entry: LogEntry, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem) {
        let author = entry.author
        if entry.type != .genesis && entry.vault != vaultID { throw .wrongVault }
        if let attesting = attestingAdmin {
            guard author == attesting else { throw .notAuthorized("only the upgrading admin attests the state") }
        }
        let attesting = attestingAdmin != nil
        try checkSyntax(entry)
        try checkRemovalFollowUp(entry)
        switch entry.type {
        case .genesis:
            try genesis(entry)
        case .memberAdd:
            guard attesting || holds(author, Self.adminRole) else { throw .notAuthorized("only an admin adds members") }
            let name = try field(entry, "member")
            guard members[name] == nil else { throw .inconsistent("member \(name) exists") }
            let recipient = try field(entry, "recipient")
            let key = try field(entry, "signing-key")
            guard !members.values.contains(where: { $0.recipient == recipient || $0.signingKey == key }) else {
                throw .inconsistent("the keys of \(name) belong to another member")
            }
            members[name] = Member(recipient: recipient, signingKey: key)
        case .roleGeneration:
            let role = try field(entry, "role")
            guard var facts = roles[role] else { throw .inconsistent("no role \(role)") }
            guard Int(try field(entry, "generation")) == facts.current + 1 else {
                throw .inconsistent("generations of \(role) must follow each other")
            }
            let first = facts.current == 0
            // A rotation is made by a holder or by an admin (who seals it to the holders and keeps no copy).
            let mayRotate = facts.holders.contains(author) || holds(author, Self.adminRole)
            guard attesting || (first ? holds(author, Self.adminRole) : mayRotate) else {
                throw .notAuthorized(
                    first
                        ? "only an admin makes a role's first key"
                        : "only a holder of \(role) or an admin makes its next key")
            }
            let recipient = try field(entry, "recipient")
            guard !roles.values.contains(where: { $0.generations.values.contains(recipient) }) else {
                throw .inconsistent("the key of \(role) is another role's")
            }
            // As `recovery.key` refuses a member's recipient, a role key may be no member's nor the recovery key's.
            guard !members.values.contains(where: { $0.recipient == recipient }), recipient != recovery?.recipient
            else { throw .inconsistent("the key of \(role) is a member's or the recovery key's") }
            facts.generations[facts.current + 1] = recipient
            roles[role] = facts
        case .roleGrant:
            let (role, member) = try roleAndMember(entry)
            guard var facts = roles[role], facts.current > 0 else { throw .inconsistent("\(role) has no key yet") }
            guard !facts.holders.contains(member) else { throw .inconsistent("\(member) holds \(role)") }
            let mayGrant = facts.holders.contains(author) || (facts.holders.isEmpty && holds(author, Self.adminRole))
            guard attesting || mayGrant else {
                throw .notAuthorized("only a holder of \(role), or an admin for its first holder, grants it")
            }
            facts.holders.insert(member)
            roles[role] = facts
        case .roleRevoke:
            let (role, member) = try roleAndMember(entry)
            guard var facts = roles[role], facts.holders.contains(member) else {
                throw .inconsistent("\(member) does not hold \(role)")
            }
            guard facts.holders.contains(author) || holds(author, Self.adminRole) else {
                throw .notAuthorized("only an admin or a holder of \(role) revokes it")
            }
            guard facts.holders.count > 1 else { throw .inconsistent("\(member) is the last holder of \(role)") }
            facts.holders.remove(member)
            roles[role] = facts
        case .caseCreate:
            let id = try field(entry, "case")
            guard cases[id] == nil else { throw .inconsistent("case \(id) exists") }
            let readers = try currentReaders(entry, attesting: attesting)
            cases[id] = Case(metadataHash: try field(entry, "metadata"), readers: readers, author: author)
        case .itemAdd:
            try addItem(entry, attesting: attesting, lookup: lookup)
        case .itemGet, .itemExport:
            let id = try field(entry, "item")
            guard let item = try knownItem(id, lookup: lookup) else { throw .inconsistent("no item \(id)") }
            let readerRoles = item.readers.map { String($0.split(separator: ":")[0]) }
            guard readerRoles.contains(where: { holds(author, $0) }) else {
                throw .notAuthorized("only a holder of a reader role of \(id) reads it")
            }
            try linkAccess(entry, item: item)
        case .accessRefused:
            let id = try field(entry, "item")
            guard let item = try knownItem(id, lookup: lookup) else { throw .inconsistent("no item \(id)") }
            let readerRoles = item.readers.map { String($0.split(separator: ":")[0]) }
            guard !readerRoles.contains(where: { holds(author, $0) }) else {
                throw .inconsistent("\(author) holds a reader role of \(id)")
            }
        case .upgradeDone:
            guard attesting else { throw .inconsistent("no upgrade is under way") }
            attestingAdmin = nil
        case .custodyTransfer, .custodyVerify, .custodyNote, .custodySeal, .custodyDisposal:
            try applyCustody(entry, lookup: lookup)
        case .memberRemove:
            try removeMember(entry)
        case .itemRewrap:
            try rewrapItems(entry, lookup: lookup)
        case .caseRewrap:
            try rewrapCases(entry)
        case .caseReader: try addCaseReader(entry)
        case .memberRekey:
            try rekeyMember(entry)
        case .backupDone: try recordBackup(entry)
        case .restore: try recordRestore(entry)
        case .recoveryKey: try setRecoveryKey(entry)
        case .recoveryRestore: try restoreByRecovery(entry)
        case .caseHold, .caseRelease: try applyCaseHold(entry)
        case .custodyHold, .custodyRelease: try applyItemHold(entry, lookup: lookup)
        case .custodyReencrypt: try reencryptItem(entry, lookup: lookup)
        case .memberProfile: try setProfile(entry)
        case .runSeal: break  // its place among runs is checked before (`checkRun`); it changes nothing else
        }
        completeRemovalFollowUp(entry)
    }

    private mutating func genesis(_ entry: LogEntry) throws(LogProblem) {
        let admin = (try field(entry, "admin")).split(separator: " ").map(String.init)
        let name = admin[0]
        members[name] = Member(recipient: admin[1], signingKey: admin[2])
        for role in entry.values("role") where roles[role] == nil {
            roles[role] = Role()
            roleOrder.append(role)
        }
        guard roles[Self.adminRole] != nil else { throw .malformed("the genesis names no admin role") }
        roles[Self.adminRole]?.holders.insert(name)
        for line in entry.values("class-readers") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { throw .malformed("a class-readers line is not 'CLASS ROLES'") }
            classReaders[String(parts[0])] = parts[1].split(separator: ",").map(String.init)
        }
        caseReaders = (try field(entry, "case-readers")).split(separator: ",").map(String.init)
        if try field(entry, "upgrade") == "yes" { attestingAdmin = name }
    }

    private mutating func addItem(
        _ entry: LogEntry, attesting: Bool, lookup: (String) throws(LogProblem) -> Item?
    ) throws(LogProblem) {
        let id = try field(entry, "item")
        guard items[id] == nil, (try lookup(id)) == nil else { throw .inconsistent("item \(id) exists") }
        let caseID = try field(entry, "case")
        guard cases[caseID] != nil else { throw .inconsistent("no case \(caseID)") }
        if let replaces = entry.value("replaces") {
            guard (try knownItem(replaces, lookup: lookup))?.caseID == caseID else {
                throw .inconsistent("\(replaces) is not in \(caseID)")
            }
        }
        guard let size = Int64(try field(entry, "size")) else { throw .malformed("the size is not a number") }
        try checkIntake(entry)
        items[id] = Item(
            caseID: caseID, itemClass: try field(entry, "class"), size: size, sha256: try field(entry, "sha256"),
            object: try field(entry, "object"), headerHash: try field(entry, "header"),
            metadataHash: try field(entry, "metadata"), readers: try currentReaders(entry, attesting: attesting),
            replaces: entry.value("replaces"), author: entry.author, time: entry.time, index: self.size)
    }

    /// The entry's `readers` (`role:generation,…`): each must be a role's current generation, so that nothing
    /// is encrypted to a key that was replaced (an attestation may name older generations).
    private func currentReaders(_ entry: LogEntry, attesting: Bool) throws(LogProblem) -> [String] {
        let readers = (try field(entry, "readers")).split(separator: ",").map(String.init)
        for reader in readers {
            let parts = reader.split(separator: ":")
            guard parts.count == 2, let generation = Int(parts[1]), let role = roles[String(parts[0])],
                role.generations[generation] != nil
            else { throw .inconsistent("reader \(reader) is no role key") }
            guard attesting || generation == role.current else {
                throw .inconsistent("reader \(reader) is not the role's current key")
            }
        }
        guard !readers.isEmpty else { throw .malformed("no readers") }
        return readers
    }

    private func roleAndMember(_ entry: LogEntry) throws(LogProblem) -> (String, String) {
        let member = try field(entry, "member")
        guard let facts = members[member], !facts.removed else { throw .inconsistent("no member \(member)") }
        return (try field(entry, "role"), member)
    }

    func field(_ entry: LogEntry, _ key: String) throws(LogProblem) -> String {
        guard let value = entry.value(key) else { throw .malformed("no \(key) field") }
        return value
    }
}
