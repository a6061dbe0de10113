import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

/// A role generation's private key and the envelopes that carry it to members.
///
/// An envelope is a complete age file (X25519 stanza to the member's recipient) whose plaintext is an
/// age identity file holding the generation's `AGE-SECRET-KEY-1…`, so `age -d -i member-key` opens it and
/// the result is usable as `age -d -i`.
enum RoleKeyring {
    static func identityText(role: String, generation: Int, identity: X25519Identity) -> SecureBytes {
        var text = Array("# CaseVault role key: \(role) generation \(generation)\n".utf8)
        defer { ConstantTime.wipe(&text) }
        identity.encoded().withUnsafeBytes { text += $0 }
        text.append(0x0A)
        return SecureBytes(copying: text)
    }

    static func sealEnvelope(role: String, generation: Int, identity: X25519Identity, to recipient: X25519Recipient)
        throws -> [UInt8]
    {
        try SealedBlob.seal(identityText(role: role, generation: generation, identity: identity), to: [recipient])
    }

    /// The generation keys of `roles` that `session` can open from its own envelopes:
    /// role → generation → identity. Roles the member does not hold are simply absent.
    static func openIdentities(
        _ db: Database, session: MemberSession, roles: [String]? = nil
    ) throws -> [String: [Int: X25519Identity]] {
        var sql = "SELECT role, generation, envelope FROM role_key_envelopes WHERE member = ?"
        var arguments: StatementArguments = [session.memberID]
        if let roles {
            guard !roles.isEmpty else { return [:] }
            sql += " AND role IN (\(databaseQuestionMarks(count: roles.count)))"
            arguments += StatementArguments(roles)
        }
        var out: [String: [Int: X25519Identity]] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let role: String = row["role"]
            let generation: Int = row["generation"]
            let subject = VaultError.Subject.roleEnvelope(role: role, generation: generation, member: session.member)
            guard
                let text = try SealedBlob.open(
                    Array(row["envelope"] as Data), identities: [session.identity], subject: subject, limit: 4096)
            else {
                throw VaultError.integrityFailure(subject: subject, damage: .notAddressedToMember)
            }
            let identities: [X25519Identity]
            do { identities = try IdentityFile.parse(text) } catch {
                throw VaultError.integrityFailure(subject: subject, damage: .malformedPlaintext)
            }
            out[role, default: [:]][generation] = identities[0]
        }
        return out
    }

    /// The current generation of `role`: number and recipient, nil while nobody has held the role.
    static func currentGeneration(_ db: Database, role: String) throws -> (generation: Int, recipient: String)? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT generation, recipient FROM role_generations
                    WHERE role = ? AND retired_at IS NULL ORDER BY generation DESC LIMIT 1
                    """, arguments: [role])
        else { return nil }
        return (row["generation"], row["recipient"])
    }

    /// The current generation of each reader role, or `roleHasNoKey` for the first role nobody holds.
    static func readerRecipients(_ db: Database, roles: [String]) throws -> [(
        role: String, generation: Int, recipient: X25519Recipient
    )] {
        try roles.map { role in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM roles WHERE name = ?", arguments: [role]) != nil else {
                throw VaultError.unknownRole(role)
            }
            guard let current = try currentGeneration(db, role: role) else { throw VaultError.roleHasNoKey(role: role) }
            return (role, current.generation, try X25519Recipient(current.recipient))
        }
    }
}
