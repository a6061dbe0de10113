import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What `recovery restore` did.
public struct RecoveryRestore: Sendable {
    /// The new admin.
    public let member: Member
    /// The new recovery key's shares: the old ones were exposed by the restore and match nothing now.
    public let shares: [RecoveryShare]
    public let status: RecoveryStatus
}

extension Vault {
    /// With `shares` of the recovery key (at least its threshold), admits `name` as a new member with new keys
    /// sealed with `newPassphrase` (in `keys/NAME.age` or at `keyFile`) and grants them `roles` (nil: every
    /// role whose current key is sealed to the recovery key; admin always), every generation of each that
    /// the recovery key opens. Signed by the recovery key (`recovery.restore`). Then, because the secret
    /// was reconstructed, a new recovery key with `threshold`-of-`count` shares (the old numbers when nil)
    /// replaces it, set by the new admin. All or nothing: a failure removes the key file.
    public func restoreFromRecovery(
        shares: [RecoveryShare], name: String, newPassphrase: SecureBytes, roles requested: [String]? = nil,
        keyFile: String? = nil, threshold: Int? = nil, count: Int? = nil
    ) throws -> RecoveryRestore {
        try checkWritable()
        try Names.checkMember(name)
        for role in requested ?? [] { try Names.checkRole(role) }
        let state = try trusted().state
        guard let logged = state.recovery, let vaultID = state.vaultID else {
            throw VaultError.recoveryRefused(.noRecoveryKey)
        }
        let newThreshold = threshold ?? logged.threshold
        let newCount = count ?? logged.shares
        guard newThreshold >= 2, newCount >= newThreshold, newCount <= 255 else {
            throw VaultError.recoveryRefused(.invalidParameters(threshold: newThreshold, shares: newCount))
        }
        let recovery = try combinedRecoveryKey(shares)
        let opened = try read { db in
            guard try currentRecoveryKey(db)?.keyID == logged.keyID else { throw VaultError.notInLog(.recoveryKey) }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM members WHERE name = ?", arguments: [name]) != nil {
                throw VaultError.memberExists(name)
            }
            return try openRecoveryEnvelopes(db, keyID: logged.keyID, identity: recovery.identity)
        }
        let covered = state.roleOrder.filter { role in
            state.roles[role].map { opened[role]?[$0.current] != nil && $0.current > 0 } ?? false
        }
        let granted = requested.map { Array(Set($0 + [Self.adminRoleName])) } ?? covered
        for role in granted where !covered.contains(role) {
            throw state.roles[role] == nil
                ? VaultError.unknownRole(role) : VaultError.recoveryRefused(.roleNotCovered(role))
        }
        guard granted.contains(Self.adminRoleName) else { throw VaultError.recoveryRefused(.adminRoleRequired) }
        let ordered = state.roleOrder.filter { granted.contains($0) }

        let keys = try MemberKeys.generate()
        let path = keyFile ?? keyFilePath(for: name)
        try VaultFiles.writeNewFile(
            path,
            bytes: try keys.sealedKeyFile(
                member: name, passphrase: newPassphrase, workFactor: configuration.keyWorkFactor))
        let next = try RecoveryKeys.generate()
        do {
            try write { db in
                let now = clock.timestamp()
                try admitRestored(db, name: name, keys: keys, roles: ordered, opened: opened, now: now)
                try Journal.append(
                    db, at: now, actor: name, action: "recovery.restore", subject: name,
                    detail: "by recovery key \(logged.keyID); roles \(ordered.joined(separator: ","))")
                try appendLog(
                    db, .recoveryRestore,
                    [
                        ("key-id", logged.keyID), ("member", name), ("recipient", keys.recipient),
                        ("signing-key", keys.signingPublicKeyHex),
                    ] + ordered.map { ("role", $0) }, by: LogAuthor(name: name, keys: recovery.asMemberKeys), at: now)
                // The reconstructed key is exposed: a new one, set by the new admin, takes over everything the
                // old one could open.
                try recordRecoveryKey(
                    db, next, threshold: newThreshold, count: newCount, author: LogAuthor(name: name, keys: keys),
                    now: now)
                try sealAll(db, opened, to: next, now: now)
            }
        } catch {
            unlink(path)
            throw error
        }
        return RecoveryRestore(
            member: try member(named: name),
            shares: try next.shares(vaultID: vaultID, threshold: newThreshold, count: newCount),
            status: try recoveryStatus())
    }

    /// Checks `shares` as a restore would (they combine to the current, unused recovery key), so that a
    /// caller can refuse them before asking anyone for a new passphrase.
    public func checkRecoveryShares(_ shares: [RecoveryShare]) throws {
        _ = try combinedRecoveryKey(shares)
    }

    private func combinedRecoveryKey(_ shares: [RecoveryShare]) throws -> RecoveryKeys {
        let state = try trusted().state
        guard let logged = state.recovery, let vaultID = state.vaultID else {
            throw VaultError.recoveryRefused(.noRecoveryKey)
        }
        guard !logged.used else { throw VaultError.recoveryRefused(.replacedKey(keyID: logged.keyID)) }
        return try RecoveryKeys.combine(
            shares, vaultID: vaultID, logged: (logged.keyID, logged.recipient, logged.signingKey))
    }

    /// Every role generation key sealed to the recovery key `keyID`, opened and checked against the log.
    private func openRecoveryEnvelopes(_ db: Database, keyID: String, identity: X25519Identity) throws
        -> [String: [Int: X25519Identity]]
    {
        var out: [String: [Int: X25519Identity]] = [:]
        let rows = try Row.fetchAll(
            db, sql: "SELECT role, generation, envelope FROM recovery_envelopes WHERE key_id = ?", arguments: [keyID])
        for row in rows {
            let role: String = row["role"]
            let generation: Int = row["generation"]
            let subject = VaultError.Subject.roleEnvelope(role: role, generation: generation, member: "recovery")
            guard
                let text = try SealedBlob.open(
                    Array(row["envelope"] as Data), identities: [identity], subject: subject, limit: 4096)
            else { throw VaultError.integrityFailure(subject: subject, damage: .notAddressedToMember) }
            let identities: [X25519Identity]
            do { identities = try IdentityFile.parse(text) } catch {
                throw VaultError.integrityFailure(subject: subject, damage: .malformedPlaintext)
            }
            try checkOpenedRoleKey(role: role, generation: generation, identity: identities[0])
            out[role, default: [:]][generation] = identities[0]
        }
        return out
    }

    /// The new member's row, memberships and role envelopes (every opened generation of each role).
    private func admitRestored(
        _ db: Database, name: String, keys: MemberKeys, roles: [String], opened: [String: [Int: X25519Identity]],
        now: String
    ) throws {
        try db.execute(
            sql: "INSERT INTO members (name, recipient, signing_key, created_at, created_by) VALUES (?, ?, ?, ?, NULL)",
            arguments: [name, keys.recipient, keys.signingPublicKeyHex, now])
        let id = db.lastInsertedRowID
        let recipient = try X25519Recipient(keys.recipient)
        for role in roles {
            for (generation, identity) in (opened[role] ?? [:]).sorted(by: { $0.key < $1.key }) {
                try insertEnvelope(
                    db, role: role, generation: generation, member: id,
                    envelope: RoleKeyring.sealEnvelope(
                        role: role, generation: generation, identity: identity, to: recipient),
                    now: now)
            }
            try insertMembership(db, member: id, role: role, grantedBy: id, now: now)
        }
    }
}
