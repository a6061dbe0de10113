import CaseVaultAge
import CaseVaultCrypto
import GRDB

/// The checks that make the vault folder untrusted storage: before a key is encrypted to, or a record is
/// reported as authentic, it is compared with what the verified signed log says. A mismatch means someone
/// wrote the folder without a member's key: it is refused and named (`VaultError.notInLog`).
extension Vault {
    /// Every reader key is its role's current key as the log records it.
    func checkReaderKeys(_ readers: [(role: String, generation: Int, recipient: X25519Recipient)]) throws {
        let state = try trusted().state
        for reader in readers {
            guard let role = state.roles[reader.role], role.current == reader.generation,
                role.generations[reader.generation] == reader.recipient.description
            else { throw VaultError.notInLog(.roleKey(role: reader.role, generation: reader.generation)) }
        }
    }

    /// An opened role key is the one the log records for that role and generation (an envelope swapped
    /// in the folder could hold any key).
    func checkOpenedRoleKey(role: String, generation: Int, identity: X25519Identity) throws {
        guard try trusted().state.roles[role]?.generations[generation] == identity.recipient.description else {
            throw VaultError.notInLog(.roleKey(role: role, generation: generation))
        }
    }

    /// A member's keys are the ones the log recorded when they were added.
    func checkMemberKeys(name: String, recipient: String, signingKey: String) throws {
        guard let member = try trusted().state.members[name] else {
            throw VaultError.notInLog(.member(name, field: "name"))
        }
        guard member.recipient == recipient else { throw VaultError.notInLog(.member(name, field: "recipient")) }
        guard member.signingKey == signingKey else { throw VaultError.notInLog(.member(name, field: "signing key")) }
    }

    /// An item's record is the one its `item.add` entry signed, field by field: the public fields, the
    /// readers at their generations, and the hashes of the header and the encrypted metadata.
    func checkItem(_ record: ItemRecord) throws {
        let item = record.item
        guard let facts = try trusted().item(item.id) else { throw VaultError.notInLog(.item(item.id, field: "item")) }
        try Self.check(record, against: facts)
    }

    /// `checkItem` against facts already looked up (off the caller's thread, for batch work).
    static func check(_ record: ItemRecord, against facts: LogState.Item) throws {
        let item = record.item
        try compare(item, with: facts)
        let readers = record.generations.map { "\($0.key):\($0.value)" }.sorted()
        let checks: [(String, Bool)] = [
            ("header", facts.headerHash == (try Self.sha256Hex(record.header))),
            ("metadata", facts.metadataHash == (try Self.sha256Hex(record.metadata))),
            ("readers", facts.readers.sorted() == readers),
        ]
        if let field = checks.first(where: { !$0.1 })?.0 { throw VaultError.notInLog(.item(item.id, field: field)) }
    }

    /// An item as listed (public fields only) is the one its entry signed; `keys` holds the listing keys of
    /// the signed items, fetched once for the whole listing. On a mismatch the item's facts are compared
    /// field by field, to name the field that differs.
    func checkListedItem(_ item: Item, keys: [String: String]) throws {
        guard let key = keys[item.id] else { throw VaultError.notInLog(.item(item.id, field: "item")) }
        guard key != item.listingKey else { return }
        guard let facts = try trusted().item(item.id) else { throw VaultError.notInLog(.item(item.id, field: "item")) }
        try Self.compare(item, with: facts)
        throw VaultError.notInLog(.item(item.id, field: "item"))
    }

    /// The public fields every report of an item shows, against its signed facts.
    private static func compare(_ item: Item, with facts: LogState.Item) throws {
        let checks: [(String, Bool)] = [
            ("case", facts.caseID == item.caseID), ("class", facts.itemClass == item.itemClass.rawValue),
            ("size", facts.size == item.size), ("sha256", facts.sha256 == item.sha256),
            ("object", facts.object == item.object), ("replaces", facts.replaces == item.replaces),
            ("readers", Set(facts.readers.map { String($0.split(separator: ":")[0]) }) == Set(item.readers)),
        ]
        if let field = checks.first(where: { !$0.1 })?.0 { throw VaultError.notInLog(.item(item.id, field: field)) }
    }

    /// A case's encrypted metadata is the one its `case.create` entry signed.
    func checkCaseMetadata(id: String, metadata: [UInt8]) throws {
        guard let facts = try trusted().state.cases[id] else {
            throw VaultError.notInLog(.caseRecord(id, field: "case"))
        }
        guard facts.metadataHash == (try Self.sha256Hex(metadata)) else {
            throw VaultError.notInLog(.caseRecord(id, field: "metadata"))
        }
    }
}

extension Vault {
    /// The session's role keys (`RoleKeyring.openIdentities`), each checked against the log.
    func openRoleKeys(_ db: Database, session: MemberSession, roles: [String]? = nil) throws
        -> [String: [Int: X25519Identity]]
    {
        let opened = try RoleKeyring.openIdentities(db, session: session, roles: roles)
        for (role, generations) in opened {
            for (generation, identity) in generations {
                try checkOpenedRoleKey(role: role, generation: generation, identity: identity)
            }
        }
        return opened
    }
}
