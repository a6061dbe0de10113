import CaseVaultCrypto
import CaseVaultLog
import Foundation
import GRDB

extension Vault {
    /// Whether the vault has a signed log yet (vaults made before it have none until an admin upgrades them).
    public var hasSignedLog: Bool { trust.withLock { $0.size > 0 } }

    /// Gives a vault made before vaults had a signed log its log, once: a genesis entry marked `upgrade yes`
    /// naming `session` (an admin) and the vault's roles and default readers, then one entry attesting each
    /// existing member, role key, grant, case and item, all signed by that admin, then `upgrade.done`. The
    /// admin vouches for the state the folder has now: run it on a copy you trust (THREAT_MODEL.md). The
    /// vault's id changes to the one its genesis names. Returns the upgraded vault, opened anew.
    public func upgradeToSignedLog(by session: MemberSession, stateFolder: String? = nil) throws -> Vault {
        guard !hasSignedLog else { throw SignedLogError.alreadyUpgraded }
        try checkWritable()
        let admin = session.member
        let author = LogAuthor(session: session)
        let now = clock.timestamp()
        try Self.mapDatabaseErrors {
            try database.write { db in
                let adminRecord = try memberRecord(db, named: admin)
                guard try holds(db, member: adminRecord.id, role: Self.adminRoleName) else {
                    throw VaultError.notPermitted(.adminOnly(.upgradeVault))
                }
                let genesisEntry = LogEntry(
                    type: .genesis, vault: nil, previousSize: 0, previousRoot: try Merkle.emptyRoot(), time: now,
                    author: admin,
                    fields: try Self.genesisEntry(
                        admin: admin, recipient: adminRecord.recipient, signingKey: adminRecord.signingKey,
                        configuration: configuration, time: now, upgrade: true
                    ).fields)
                var trusted = TrustedLog()
                try trusted.append(db, note: try author.signedNote(genesisEntry.body).bytes, author: author)
                func attest(_ type: EntryType, _ fields: [(String, String)]) throws {
                    try trusted.append(
                        db, type: type, fields: fields.map { (key: $0.0, value: $0.1) }, author: author, time: now)
                }
                for row in try Row.fetchAll(
                    db, sql: "SELECT name, recipient, signing_key FROM members WHERE name <> ? ORDER BY id",
                    arguments: [admin])
                {
                    try attest(
                        .memberAdd,
                        [("member", row["name"]), ("recipient", row["recipient"]), ("signing-key", row["signing_key"])])
                }
                for row in try Row.fetchAll(
                    db, sql: "SELECT role, generation, recipient FROM role_generations ORDER BY role, generation")
                {
                    try attest(
                        .roleGeneration,
                        [
                            ("role", row["role"]), ("generation", String(row["generation"] as Int)),
                            ("recipient", row["recipient"]),
                        ])
                }
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT m.name, s.role FROM memberships s JOIN members m ON m.id = s.member ORDER BY s.role, m.id"
                )
                where !(row["name"] == admin && row["role"] == Self.adminRoleName) {
                    try attest(.roleGrant, [("role", row["role"]), ("member", row["name"])])
                }
                for row in try Row.fetchAll(db, sql: "SELECT id, metadata FROM cases ORDER BY created_at, id") {
                    let id: String = row["id"]
                    let readers = try Row.fetchAll(
                        db, sql: "SELECT role, generation FROM case_readers WHERE case_id = ? ORDER BY role",
                        arguments: [id]
                    ).map { (role: $0["role"] as String, generation: $0["generation"] as Int) }
                    try attest(
                        .caseCreate,
                        [
                            ("case", id), ("metadata", try Self.sha256Hex([UInt8](row["metadata"] as Data))),
                            ("readers", Self.readerList(readers)),
                        ])
                }
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT id, case_id, class, size, sha256, object, header, metadata, replaces FROM items ORDER BY created_at, rowid"
                ) {
                    let id: String = row["id"]
                    let readers = try Row.fetchAll(
                        db, sql: "SELECT role, generation FROM item_readers WHERE item = ? ORDER BY stanza, role",
                        arguments: [id]
                    ).map { (role: $0["role"] as String, generation: $0["generation"] as Int) }
                    var fields: [(String, String)] = [
                        ("item", id), ("case", row["case_id"]), ("class", row["class"]),
                        ("size", String(row["size"] as Int64)),
                        ("sha256", row["sha256"]), ("object", row["object"]),
                        ("header", try Self.sha256Hex([UInt8](row["header"] as Data))),
                        ("metadata", try Self.sha256Hex([UInt8](row["metadata"] as Data))),
                        ("readers", Self.readerList(readers)),
                    ]
                    if let replaces: String = row["replaces"] { fields.append(("replaces", replaces)) }
                    try attest(.itemAdd, fields)
                }
                try attest(.upgradeDone, [("entries", String(trusted.size))])
                try trusted.writeCheckpoint(db)
                try db.execute(
                    sql: "UPDATE settings SET value = ? WHERE key = 'vault_id'",
                    arguments: [trusted.state.vaultID ?? ""])
                try Journal.append(
                    db, at: now, actor: admin, action: "vault.upgrade", subject: trusted.state.vaultID ?? "",
                    detail: "signed log")
            }
        }
        return try Vault.open(
            at: path, keyWorkFactor: configuration.keyWorkFactor, clock: clock, stateFolder: stateFolder)
    }
}
