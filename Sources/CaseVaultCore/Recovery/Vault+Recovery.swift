import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

/// The recovery key as `recovery init` reports it: the shares to print, once.
public struct RecoverySetup: Sendable {
    public let keyID: String
    public let shares: [RecoveryShare]
    /// Where the key stands after the setup (what it can open, what it cannot).
    public let status: RecoveryStatus
}

/// What one lost passphrase could cost, as `recovery status` and the warnings report it.
public struct RecoveryStatus: Sendable, Equatable, Codable {
    /// The current recovery key, nil when none was set.
    public let keyID: String?
    public let threshold: Int?
    public let shares: Int?
    /// Role generations whose key is not sealed to the recovery key: role → generations.
    public let uncovered: [String: [Int]]
    /// Roles that have a key and exactly one holder.
    public let singleHolderRoles: [String]
}

/// Setting up the organisation recovery key (`LogState+Recovery.swift` has the rules, THREAT_MODEL.md what
/// K shares can do). Every role generation key the setter can open is sealed to it, and every generation made
/// later (first keys, rotations) is sealed to it as it is made; a holder of a role the setter does not hold
/// seals that role's older generations with `sealToRecovery`. The recipient it seals to is always the one the
/// verified log names: a recovery key written into the folder by someone else receives nothing.
extension Vault {
    /// Makes a new recovery key (replacing the current one), records it, seals to it every generation key
    /// `session` (an admin) can open, and returns its `count` shares, any `threshold` of which recover it.
    public func initRecovery(threshold: Int, count: Int, by session: MemberSession) throws -> RecoverySetup {
        try checkSession(session)
        guard threshold >= 2, count >= threshold, count <= 255 else {
            throw VaultError.recoveryRefused(.invalidParameters(threshold: threshold, shares: count))
        }
        let keys = try RecoveryKeys.generate()
        let keyID = try keys.keyID()
        try write { db in
            try requireAdmin(db, session, action: .setRecoveryKey)
            let now = clock.timestamp()
            try recordRecoveryKey(
                db, keys, threshold: threshold, count: count, author: LogAuthor(session: session), now: now)
            let own = try openRoleKeys(db, session: session)
            try sealAll(db, own, to: keys, now: now)
        }
        let vaultID = try trusted().state.vaultID ?? ""
        return RecoverySetup(
            keyID: keyID, shares: try keys.shares(vaultID: vaultID, threshold: threshold, count: count),
            status: try recoveryStatus())
    }

    /// Seals to the current recovery key every generation key of the roles `session` holds that is not
    /// sealed to it yet; returns how many.
    @discardableResult
    public func sealToRecovery(by session: MemberSession) throws -> Int {
        try checkSession(session)
        return try write { db in
            guard let current = try currentRecoveryKey(db) else { throw VaultError.recoveryRefused(.noRecoveryKey) }
            let own = try openRoleKeys(db, session: session)
            let now = clock.timestamp()
            var sealed = 0
            for (role, generations) in own {
                for (generation, identity) in generations.sorted(by: { $0.key < $1.key })
                where try !isSealedToRecovery(db, keyID: current.keyID, role: role, generation: generation) {
                    try insertRecoveryEnvelope(
                        db, keyID: current.keyID, recipient: current.recipient, role: role, generation: generation,
                        identity: identity, now: now)
                    sealed += 1
                }
            }
            if sealed > 0 {
                try Journal.append(
                    db, at: now, actor: session.member, action: "recovery.seal", subject: current.keyID,
                    detail: "\(sealed) role keys")
            }
            return sealed
        }
    }

    /// The recovery key and what would be lost with one passphrase.
    public func recoveryStatus() throws -> RecoveryStatus {
        try read { db in
            let state = try trusted().state
            let current = try currentRecoveryKey(db)
            var uncovered: [String: [Int]] = [:]
            for role in state.roleOrder {
                guard let facts = state.roles[role], facts.current > 0 else { continue }
                for generation in 1...facts.current {
                    let sealed = try current.map {
                        try isSealedToRecovery(db, keyID: $0.keyID, role: role, generation: generation)
                    }
                    if sealed != true { uncovered[role, default: []].append(generation) }
                }
            }
            let single = state.roleOrder.filter {
                (state.roles[$0]?.current ?? 0) > 0 && state.roles[$0]?.holders.count == 1
            }
            return RecoveryStatus(
                keyID: current?.keyID, threshold: state.recovery?.threshold, shares: state.recovery?.shares,
                uncovered: uncovered, singleHolderRoles: single)
        }
    }

    // MARK: Inside transactions

    /// The current recovery key as the log names it, after checking that the folder's record is that one;
    /// nil when the log names none.
    func currentRecoveryKey(_ db: Database) throws -> (keyID: String, recipient: X25519Recipient)? {
        guard let logged = try trusted().state.recovery else { return nil }
        let row = try Row.fetchOne(
            db, sql: "SELECT key_id, recipient, signing_key FROM recovery_keys WHERE retired_at IS NULL")
        guard let row, row["key_id"] == logged.keyID, row["recipient"] == logged.recipient,
            row["signing_key"] == logged.signingKey
        else { throw VaultError.notInLog(.recoveryKey) }
        return (logged.keyID, try X25519Recipient(logged.recipient))
    }

    /// Seals a new generation key to the current recovery key, if there is one.
    func sealNewGenerationToRecovery(
        _ db: Database, role: String, generation: Int, identity: X25519Identity, now: String
    ) throws {
        guard let current = try currentRecoveryKey(db) else { return }
        try insertRecoveryEnvelope(
            db, keyID: current.keyID, recipient: current.recipient, role: role, generation: generation,
            identity: identity, now: now)
    }

    /// Retires the current recovery key's record, records `keys` and appends its `recovery.key` entry.
    func recordRecoveryKey(
        _ db: Database, _ keys: RecoveryKeys, threshold: Int, count: Int, author: LogAuthor, now: String
    ) throws {
        let keyID = try keys.keyID()
        // The retired key's envelopes go with it: its shares (papers that may be lost or kept by someone who
        // has left) must open nothing in the vault from now on. Copies taken before keep them (FORMAT.md).
        try db.execute(
            sql:
                "DELETE FROM recovery_envelopes WHERE key_id IN (SELECT key_id FROM recovery_keys WHERE retired_at IS NULL)"
        )
        try db.execute(sql: "UPDATE recovery_keys SET retired_at = ? WHERE retired_at IS NULL", arguments: [now])
        try db.execute(
            sql: """
                INSERT INTO recovery_keys (key_id, recipient, signing_key, threshold, shares, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [keyID, keys.recipient, keys.signingPublicKeyHex, threshold, count, now])
        try Journal.append(
            db, at: now, actor: author.name, action: "recovery.key", subject: keyID,
            detail: "\(threshold) of \(count) shares")
        try appendLog(
            db, .recoveryKey,
            [
                ("key-id", keyID), ("recipient", keys.recipient), ("signing-key", keys.signingPublicKeyHex),
                ("threshold", String(threshold)), ("shares", String(count)),
            ], by: author, at: now)
    }

    /// Seals every key of `identities` (role → generation → key) to `keys`, which the log has just recorded.
    func sealAll(_ db: Database, _ identities: [String: [Int: X25519Identity]], to keys: RecoveryKeys, now: String)
        throws
    {
        guard let current = try currentRecoveryKey(db), current.keyID == (try keys.keyID()) else {
            throw VaultError.notInLog(.recoveryKey)
        }
        for (role, generations) in identities.sorted(by: { $0.key < $1.key }) {
            for (generation, identity) in generations.sorted(by: { $0.key < $1.key }) {
                try insertRecoveryEnvelope(
                    db, keyID: current.keyID, recipient: current.recipient, role: role, generation: generation,
                    identity: identity, now: now)
            }
        }
    }

    private func insertRecoveryEnvelope(
        _ db: Database, keyID: String, recipient: X25519Recipient, role: String, generation: Int,
        identity: X25519Identity, now: String
    ) throws {
        let envelope = try RoleKeyring.sealEnvelope(
            role: role, generation: generation, identity: identity, to: recipient)
        try db.execute(
            sql: """
                INSERT INTO recovery_envelopes (key_id, role, generation, envelope, created_at)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [keyID, role, generation, Data(envelope), now])
    }

    private func isSealedToRecovery(_ db: Database, keyID: String, role: String, generation: Int) throws -> Bool {
        try Row.fetchOne(
            db, sql: "SELECT 1 FROM recovery_envelopes WHERE key_id = ? AND role = ? AND generation = ?",
            arguments: [keyID, role, generation]) != nil
    }
}
