import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension Vault {
    /// Makes a member's keys on their own machine: writes the passphrase-protected key file at `keyFile`
    /// (created 0600, never overwriting) and returns the public card to hand to an admin. With `cardFile`,
    /// the card is also written there. No vault is needed.
    @discardableResult
    public static func keygen(
        name: String, passphrase: SecureBytes, keyFile: String, cardFile: String? = nil,
        workFactor: Int = ScryptRecipient.defaultWorkFactor
    ) throws -> PublicCard {
        try Names.checkMember(name)
        if let cardFile, FileSystem.exists(cardFile) { throw VaultError.outputExists(path: cardFile) }
        let keys = try MemberKeys.generate()
        try VaultFiles.writeNewFile(
            keyFile, bytes: try keys.sealedKeyFile(member: name, passphrase: passphrase, workFactor: workFactor))
        let card = try PublicCard(name: name, keys: keys)
        if let cardFile { try card.write(to: cardFile) }
        return card
    }

    /// Adds a member from the public card they made with `keygen`, granting `roles`. Only admins add
    /// members; each role is granted under the usual rule (see `grant`). All or nothing.
    @discardableResult
    public func addMember(card: PublicCard, roles: [String] = [], by session: MemberSession) throws -> Member {
        try checkSession(session)
        try card.validate()
        for role in roles { try Names.checkRole(role) }
        return try write { db in
            try insertMember(
                db, name: card.name, recipient: card.recipient, signingKey: card.signingKey, roles: roles,
                by: session, detail: "from card")
        }
    }

    /// Adds a member whose keys are made here and sealed with the new member's own passphrase, in
    /// `keys/NAME.age` or at `keyFile` outside the vault. All or nothing: a failure removes the key file.
    @discardableResult
    public func addMember(
        name: String, newPassphrase: SecureBytes, roles: [String] = [], keyFile: String? = nil,
        by session: MemberSession
    ) throws -> Member {
        try checkSession(session)
        try checkWritable()
        try Names.checkMember(name)
        for role in roles { try Names.checkRole(role) }
        // Cheap checks first, so a typo does not cost a key derivation.
        try read { db in
            try requireAdmin(db, session, action: .addMembers)
            if try Row.fetchOne(db, sql: "SELECT 1 FROM members WHERE name = ?", arguments: [name]) != nil {
                throw VaultError.memberExists(name)
            }
        }
        let keys = try MemberKeys.generate()
        let path = keyFile ?? keyFilePath(for: name)
        try VaultFiles.writeNewFile(
            path,
            bytes: try keys.sealedKeyFile(
                member: name, passphrase: newPassphrase,
                workFactor: configuration.keyWorkFactor))
        do {
            return try write { db in
                try insertMember(
                    db, name: name, recipient: keys.recipient, signingKey: keys.signingPublicKeyHex, roles: roles,
                    by: session, detail: "keys made in the vault")
            }
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Every member (removed ones included), by name.
    public func members() throws -> [Member] {
        try read { db in
            try Row.fetchAll(db, sql: MemberRecord.selection + " ORDER BY m.name").map {
                try checkedMember(db, MemberRecord(row: $0))
            }
        }
    }

    /// One member, with their roles.
    public func member(named name: String) throws -> Member {
        try read { db in
            try checkedMember(db, try memberRecord(db, named: name))
        }
    }

    /// A member as the log says: their keys and roles must be what the log recorded.
    private func checkedMember(_ db: Database, _ record: MemberRecord) throws -> Member {
        try checkMemberKeys(name: record.name, recipient: record.recipient, signingKey: record.signingKey)
        let roles = try roleNames(db, member: record.id)
        let state = try trusted().state
        let logged = state.roleOrder.filter { state.holds(record.name, $0) }.sorted()
        guard roles == logged else { throw VaultError.notInLog(.member(record.name, field: "roles")) }
        guard (record.removedAt != nil) == (state.members[record.name]?.removed == true) else {
            throw VaultError.notInLog(.member(record.name, field: "removed"))
        }
        return record.member(roles: roles)
    }

    // MARK: Internals

    func memberRecord(named name: String) throws -> MemberRecord {
        try read { db in try memberRecord(db, named: name) }
    }

    func memberRecord(_ db: Database, named name: String) throws -> MemberRecord {
        guard let row = try Row.fetchOne(db, sql: MemberRecord.selection + " WHERE m.name = ?", arguments: [name])
        else {
            throw VaultError.unknownMember(name)
        }
        return MemberRecord(row: row)
    }

    func roleNames(_ db: Database, member: Int64) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT role FROM memberships WHERE member = ? ORDER BY role", arguments: [member])
    }

    func requireAdmin(_ db: Database, _ session: MemberSession, action: VaultError.AdminAction) throws {
        guard try holds(db, member: session.memberID, role: Self.adminRoleName) else {
            throw VaultError.notPermitted(.adminOnly(action))
        }
    }

    private func insertMember(
        _ db: Database, name: String, recipient: String, signingKey: String, roles: [String], by session: MemberSession,
        detail: String
    ) throws -> Member {
        try requireAdmin(db, session, action: .addMembers)
        if try Row.fetchOne(db, sql: "SELECT 1 FROM members WHERE name = ?", arguments: [name]) != nil {
            throw VaultError.memberExists(name)
        }
        if try Row.fetchOne(
            db, sql: "SELECT 1 FROM members WHERE recipient = ? OR signing_key = ?",
            arguments: [recipient, signingKey]) != nil
        {
            throw VaultError.keysInUse
        }
        let now = clock.timestamp()
        try db.execute(
            sql: "INSERT INTO members (name, recipient, signing_key, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
            arguments: [name, recipient, signingKey, now, session.memberID])
        let record = try memberRecord(db, named: name)
        try Journal.append(db, at: now, actor: session.member, action: "member.add", subject: name, detail: detail)
        try appendLog(
            db, .memberAdd, [("member", name), ("recipient", recipient), ("signing-key", signingKey)],
            by: LogAuthor(session: session), at: now)
        var seen: Set<String> = []
        for role in roles where seen.insert(role).inserted {
            try grantInTransaction(db, role: role, to: record, by: session, now: now)
        }
        return record.member(roles: try roleNames(db, member: record.id))
    }
}
