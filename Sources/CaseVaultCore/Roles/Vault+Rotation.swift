import CaseVaultAge
import CaseVaultCrypto
import GRDB

/// A new generation of a role's key, as `keys rotate` reports it.
public struct RoleRotation: Sendable, Equatable, Codable {
    public let role: String
    /// The new generation; new items and cases are wrapped to it from now on.
    public let generation: Int
    /// Its public key, `age1…`.
    public let recipient: String
    /// The members its private key was sealed to: the role's holders at the rotation.
    public let sealedTo: [String]
}

/// Rotating a role's key: a new generation, sealed to the role's current holders only. Nothing else is
/// rewritten, so a rotation costs the same at any vault size: items and cases already stored stay wrapped
/// to the generation they were made with, which the holders keep (one envelope per holder per generation),
/// and a member granted the role later receives every generation from the granter. A member who lost the
/// role (revoked, removed) keeps what they had, and gets nothing of the new generation: whatever is
/// encrypted from now on is out of their reach, because the log accepts new items and cases only for a
/// role's current generation.
extension Vault {
    /// Makes the next generation of `role`'s key, acting as `session` (a holder of the role or an admin).
    @discardableResult
    public func rotate(role: String, by session: MemberSession) throws -> RoleRotation {
        try checkSession(session)
        try Names.checkRole(role)
        return try write { db in try rotateInTransaction(db, role: role, by: session, now: clock.timestamp()) }
    }

    func rotateInTransaction(_ db: Database, role: String, by session: MemberSession, now: String) throws
        -> RoleRotation
    {
        try requireRole(db, role)
        guard let current = try RoleKeyring.currentGeneration(db, role: role) else {
            throw VaultError.roleHasNoKey(role: role)
        }
        guard
            try holds(db, member: session.memberID, role: role)
                || holds(db, member: session.memberID, role: Self.adminRoleName)
        else { throw VaultError.notPermitted(.rotate(role: role)) }
        // The new key goes to the holders the log names, at the keys the log names: a membership or a
        // recipient written into the folder by someone without a member key receives nothing.
        let logged = try trusted().state.roles[role]
        guard let logged, logged.current == current.generation,
            logged.generations[current.generation] == current.recipient
        else { throw VaultError.notInLog(.roleKey(role: role, generation: current.generation)) }
        let holders = try self.holders(db, role: role)
        guard Set(holders) == logged.holders else {
            throw VaultError.notInLog(.member(holders.first { !logged.holders.contains($0) } ?? role, field: "roles"))
        }
        let records = try holders.map { name in
            let record = try memberRecord(db, named: name)
            try checkMemberKeys(name: name, recipient: record.recipient, signingKey: record.signingKey)
            return record
        }
        let generation = current.generation + 1
        let identity = try X25519Identity.generate()
        try db.execute(
            sql: "UPDATE role_generations SET retired_at = ? WHERE role = ? AND retired_at IS NULL",
            arguments: [now, role])
        try insertGeneration(db, role: role, generation: generation, identity: identity, by: session.memberID, now: now)
        try sealNewGenerationToRecovery(db, role: role, generation: generation, identity: identity, now: now)
        for record in records {
            try insertEnvelope(
                db, role: role, generation: generation, member: record.id,
                envelope: RoleKeyring.sealEnvelope(
                    role: role, generation: generation, identity: identity, to: try X25519Recipient(record.recipient)),
                now: now)
        }
        try Journal.append(
            db, at: now, actor: session.member, action: "role.rotate", subject: role,
            detail: "generation \(generation); sealed to \(holders.joined(separator: ","))")
        try appendLog(
            db, .roleGeneration,
            [("role", role), ("generation", String(generation)), ("recipient", identity.recipient.description)],
            by: LogAuthor(session: session), at: now)
        return RoleRotation(
            role: role, generation: generation, recipient: identity.recipient.description, sealedTo: holders)
    }

    /// Records generation `generation` of `role` (its public half; the private half goes into envelopes).
    func insertGeneration(
        _ db: Database, role: String, generation: Int, identity: X25519Identity, by creator: Int64, now: String
    ) throws {
        try db.execute(
            sql:
                "INSERT INTO role_generations (role, generation, recipient, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
            arguments: [role, generation, identity.recipient.description, now, creator])
    }

    /// What a member who lost `role` can still open with a copy of their keys: every item and case title
    /// wrapped to the role's generations up to now, and whatever is added until the role is rotated.
    public func readableAfterRevocation(of role: String) throws -> (items: Int, cases: Int, generation: Int) {
        try read { db in
            try requireRole(db, role)
            let items = try Int.fetchOne(db, sql: "SELECT count(*) FROM item_readers WHERE role = ?", arguments: [role])
            let cases = try Int.fetchOne(db, sql: "SELECT count(*) FROM case_readers WHERE role = ?", arguments: [role])
            let generation = try RoleKeyring.currentGeneration(db, role: role)?.generation ?? 0
            return (items ?? 0, cases ?? 0, generation)
        }
    }
}
