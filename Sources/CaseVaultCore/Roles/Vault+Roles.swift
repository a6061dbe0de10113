import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

/// Roles, their key generations and who holds them.
///
/// The rules (THREAT_MODEL.md explains why):
/// - Granting role R means giving the member R's private keys, so only a member who holds R can grant
///   it: the grant opens the granter's own envelopes and seals each generation key to the new holder.
/// - The one exception is a role nobody has held yet: an admin may then create its first generation
///   directly for the new holder (the admin does not keep a copy).
/// - Revoking is for admins and holders of R. The last holder of a role cannot be revoked, because the
///   role's keys (and every item wrapped to them) would be lost. Revoking removes the envelopes and, unless
///   asked not to, rotates the role (Vault+Rotation.swift) in the same transaction: a revoked member who
///   copied their keys keeps what was wrapped to the old generations, and nothing added after.
extension Vault {
    /// Grants `role` to `member`, acting as `session`.
    public func grant(role: String, to member: String, by session: MemberSession) throws {
        try checkSession(session)
        try Names.checkRole(role)
        try write { db in
            let target = try memberRecord(db, named: member)
            try grantInTransaction(db, role: role, to: target, by: session, now: clock.timestamp())
        }
    }

    /// Revokes `role` from `member`, acting as `session` (an admin or a holder of the role), and rotates the
    /// role's key unless `rotate` is false. Returns the rotation, if one was made.
    @discardableResult
    public func revoke(role: String, from member: String, by session: MemberSession, rotate: Bool = true) throws
        -> RoleRotation?
    {
        try checkSession(session)
        try Names.checkRole(role)
        return try write { db in
            try requireRole(db, role)
            let target = try memberRecord(db, named: member)
            let actorHolds = try holds(db, member: session.memberID, role: role)
            let actorIsAdmin = try holds(db, member: session.memberID, role: Self.adminRoleName)
            guard actorHolds || actorIsAdmin else {
                throw VaultError.notPermitted(.revoke(role: role))
            }
            guard try holds(db, member: target.id, role: role) else {
                throw VaultError.doesNotHold(member: member, role: role)
            }
            let holders = try self.holders(db, role: role)
            guard holders.count > 1 else { throw VaultError.lastHolder(member: member, role: role) }
            try db.execute(
                sql: "DELETE FROM role_key_envelopes WHERE member = ? AND role = ?", arguments: [target.id, role])
            try db.execute(sql: "DELETE FROM memberships WHERE member = ? AND role = ?", arguments: [target.id, role])
            let now = clock.timestamp()
            try Journal.append(
                db, at: now, actor: session.member, action: "role.revoke", subject: member,
                detail: rotate ? role : "\(role); keys not rotated")
            try appendLog(
                db, .roleRevoke, [("role", role), ("member", member)], by: LogAuthor(session: session), at: now)
            return rotate ? try rotateInTransaction(db, role: role, by: session, now: now) : nil
        }
    }

    /// Every role with its generations and holders, in configuration order.
    public func roles() throws -> [RoleInfo] {
        try read { db in
            let state = try trusted().state
            return try configuration.roles.map { role in
                let count =
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM role_generations WHERE role = ?", arguments: [role])
                    ?? 0
                let current = try RoleKeyring.currentGeneration(db, role: role)?.recipient
                let holders = try holders(db, role: role)
                // Reported as the log says, or refused: the folder's tables are a copy nobody signed.
                let logged = state.roles[role]
                guard count == logged?.current ?? 0, current == logged.flatMap({ $0.generations[$0.current] }) else {
                    throw VaultError.notInLog(.roleKey(role: role, generation: count))
                }
                guard Set(holders) == logged?.holders ?? [] else {
                    throw VaultError.notInLog(.member(holders.first ?? role, field: "roles"))
                }
                return RoleInfo(
                    name: role, generations: count, currentRecipient: current, holders: holders,
                    defaultReaderOf: ItemClass.allCases.filter {
                        configuration.classReaders[$0]?.contains(role) ?? false
                    },
                    readsCaseMetadata: configuration.caseReaders.contains(role))
            }
        }
    }

    /// The key generations of `role`, oldest first.
    public func generations(of role: String) throws -> [RoleGeneration] {
        try read { db in
            try requireRole(db, role)
            return try Row.fetchAll(
                db,
                sql:
                    "SELECT generation, recipient, created_at, retired_at FROM role_generations WHERE role = ? ORDER BY generation",
                arguments: [role]
            ).map {
                RoleGeneration(
                    role: role, generation: $0["generation"], recipient: $0["recipient"], createdAt: $0["created_at"],
                    retiredAt: $0["retired_at"])
            }
        }
    }

    // MARK: Inside transactions

    func grantInTransaction(
        _ db: Database, role: String, to target: MemberRecord, by session: MemberSession, now: String
    ) throws {
        try requireRole(db, role)
        try checkNotRemoved(target)
        guard try !holds(db, member: target.id, role: role) else {
            throw VaultError.alreadyHolds(member: target.name, role: role)
        }
        // The role's private key is sealed to this recipient: it must be the one the log says is the member's.
        try checkMemberKeys(name: target.name, recipient: target.recipient, signingKey: target.signingKey)
        let recipient = try X25519Recipient(target.recipient)
        let generationCount =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM role_generations WHERE role = ?", arguments: [role]) ?? 0
        if generationCount == 0 {
            guard try holds(db, member: session.memberID, role: Self.adminRoleName) else {
                throw VaultError.notPermitted(.grantFirstHolder(role: role))
            }
            try createFirstGeneration(
                db, role: role, for: target.id, recipient: recipient, by: session.memberID,
                author: LogAuthor(session: session), now: now)
        } else {
            guard try holds(db, member: session.memberID, role: role) else {
                let holders = try self.holders(db, role: role)
                throw VaultError.notPermitted(.grantByNonHolder(role: role, holders: holders))
            }
            let generations = try Int.fetchAll(
                db, sql: "SELECT generation FROM role_generations WHERE role = ? ORDER BY generation",
                arguments: [role])
            let own = try openRoleKeys(db, session: session, roles: [role])[role] ?? [:]
            for generation in generations {
                guard let identity = own[generation] else {
                    throw VaultError.missingObject(
                        subject: .roleEnvelope(role: role, generation: generation, member: session.member),
                        path: "vault.sqlite")
                }
                try insertEnvelope(
                    db, role: role, generation: generation, member: target.id,
                    envelope: RoleKeyring.sealEnvelope(
                        role: role, generation: generation, identity: identity, to: recipient), now: now)
            }
        }
        try insertMembership(db, member: target.id, role: role, grantedBy: session.memberID, now: now)
        try Journal.append(db, at: now, actor: session.member, action: "role.grant", subject: target.name, detail: role)
        try appendLog(
            db, .roleGrant, [("role", role), ("member", target.name)], by: LogAuthor(session: session), at: now)
    }

    /// Makes generation 1 of `role` and seals it to its first holder only.
    func createFirstGeneration(
        _ db: Database, role: String, for member: Int64, recipient: X25519Recipient, by creator: Int64,
        author: LogAuthor, now: String
    ) throws {
        let identity = try X25519Identity.generate()
        try insertGeneration(db, role: role, generation: 1, identity: identity, by: creator, now: now)
        try sealNewGenerationToRecovery(db, role: role, generation: 1, identity: identity, now: now)
        try insertEnvelope(
            db, role: role, generation: 1, member: member,
            envelope: RoleKeyring.sealEnvelope(role: role, generation: 1, identity: identity, to: recipient), now: now)
        try Journal.append(
            db, at: now, actor: author.name, action: "role.generate", subject: role, detail: "generation 1")
        try appendLog(
            db, .roleGeneration, [("role", role), ("generation", "1"), ("recipient", identity.recipient.description)],
            by: author, at: now)
    }

    func insertEnvelope(_ db: Database, role: String, generation: Int, member: Int64, envelope: [UInt8], now: String)
        throws
    {
        try db.execute(
            sql:
                "INSERT INTO role_key_envelopes (role, generation, member, envelope, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [role, generation, member, Data(envelope), now])
    }

    func insertMembership(_ db: Database, member: Int64, role: String, grantedBy: Int64, now: String) throws {
        try db.execute(
            sql: "INSERT INTO memberships (member, role, granted_at, granted_by) VALUES (?, ?, ?, ?)",
            arguments: [member, role, now, grantedBy])
    }

    func holds(_ db: Database, member: Int64, role: String) throws -> Bool {
        try Row.fetchOne(db, sql: "SELECT 1 FROM memberships WHERE member = ? AND role = ?", arguments: [member, role])
            != nil
    }

    func holders(_ db: Database, role: String) throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT m.name FROM memberships s JOIN members m ON m.id = s.member
                WHERE s.role = ? AND m.removed_at IS NULL ORDER BY m.name
                """, arguments: [role])
    }

    func requireRole(_ db: Database, _ role: String) throws {
        guard try Row.fetchOne(db, sql: "SELECT 1 FROM roles WHERE name = ?", arguments: [role]) != nil else {
            throw VaultError.unknownRole(role)
        }
    }
}
