import GRDB

/// What `member remove` did.
public struct MemberRemoval: Sendable, Equatable, Codable {
    public let member: String
    /// The roles the member held, all revoked.
    public let revokedRoles: [String]
    /// One new generation per revoked role, sealed to the remaining holders.
    public let rotations: [RoleRotation]
}

/// Offboarding: one transaction records the removal in the log, revokes every role the member holds and
/// rotates each of them, so that nothing encrypted afterwards is readable with the removed member's keys,
/// and their signing key signs nothing the log accepts (LogState+Removal.swift states the replay rules).
/// What they read or copied before stays with them; THREAT_MODEL.md says so.
extension Vault {
    /// Removes `name`, acting as `session` (an admin other than `name`). Refused, with nothing changed, if
    /// the member is the last holder of a role they hold: grant it to someone else first.
    @discardableResult
    public func removeMember(named name: String, by session: MemberSession) throws -> MemberRemoval {
        try checkSession(session)
        try Names.checkMember(name)
        return try write { db in
            try requireAdmin(db, session, action: .removeMembers)
            let target = try memberRecord(db, named: name)
            let state = try trusted().state
            guard target.removedAt == nil, state.members[name]?.removed == false else {
                throw VaultError.memberRemoved(name)
            }
            guard target.id != session.memberID else { throw VaultError.notPermitted(.removeSelf) }
            try checkMemberKeys(name: name, recipient: target.recipient, signingKey: target.signingKey)
            // The roles as the log has them: those are the ones the log will expect to see rotated.
            let held = state.roleOrder.filter { state.holds(name, $0) }
            if let last = held.first(where: { state.roles[$0]?.holders.count == 1 }) {
                throw VaultError.lastHolder(member: name, role: last)
            }
            let now = clock.timestamp()
            try db.execute(sql: "UPDATE members SET removed_at = ? WHERE id = ?", arguments: [now, target.id])
            try db.execute(sql: "DELETE FROM role_key_envelopes WHERE member = ?", arguments: [target.id])
            try db.execute(sql: "DELETE FROM memberships WHERE member = ?", arguments: [target.id])
            try Journal.append(
                db, at: now, actor: session.member, action: "member.remove", subject: name,
                detail: held.isEmpty ? "held no role" : "revoked and rotated \(held.joined(separator: ","))")
            try appendLog(db, .memberRemove, [("member", name)], by: LogAuthor(session: session), at: now)
            let rotations = try held.map { try rotateInTransaction(db, role: $0, by: session, now: now) }
            return MemberRemoval(member: name, revokedRoles: held, rotations: rotations)
        }
    }
}
