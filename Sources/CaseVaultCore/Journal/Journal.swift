import GRDB

/// One line of the vault's journal.
public struct JournalEntry: Sendable, Equatable, Codable {
    public let seq: Int64
    /// ISO-8601 UTC.
    public let at: String
    /// The acting member's name.
    public let actor: String
    /// `vault.init`, `member.add`, `role.grant`, `role.revoke`, `role.generate`, `case.create`, `item.add`,
    /// `item.get`, `item.export`.
    public let action: String
    /// What was acted on: a member name, case id, item id or the vault id.
    public let subject: String
    /// Non-sensitive detail: role names, item classes, sizes. Never titles, pseudonyms or file names.
    public let detail: String
}

/// The one place every operation is recorded. Each entry is written in the same transaction as the
/// change it describes, so the journal and the vault cannot disagree. The next issue turns this table
/// into a signed, hash-chained audit log; until then the schema makes it append-only.
enum Journal {
    static func append(
        _ db: Database, at: String, actor: String, action: String, subject: String, detail: String = ""
    ) throws {
        try db.cachedStatement(sql: "INSERT INTO journal (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [at, actor, action, subject, detail])
    }

    static func entries(_ db: Database, after seq: Int64, limit: Int) throws -> [JournalEntry] {
        try Row.fetchAll(
            db, sql: "SELECT seq, at, actor, action, subject, detail FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
            arguments: [seq, limit]
        ).map {
            JournalEntry(
                seq: $0["seq"], at: $0["at"], actor: $0["actor"], action: $0["action"], subject: $0["subject"],
                detail: $0["detail"])
        }
    }
}

extension Vault {
    /// Journal entries in order, starting after `seq` (0 for the beginning).
    public func journal(after seq: Int64 = 0, limit: Int = 1000) throws -> [JournalEntry] {
        try read { db in try Journal.entries(db, after: seq, limit: limit) }
    }
}
