import CaseVaultCrypto
import GRDB

/// The database's working tables against the verified log, row by row, for `verify`, `backup` and
/// `backup verify`. Ordinary commands check each row they use as they use it; these three must also catch a
/// row nobody has read yet: a header or metadata swapped for another item's (the header is the only copy of
/// the item's wrapped file key, and a backup taken of it would overwrite the good copy), a signed item whose
/// row was deleted (it would vanish from listings and from every later backup), a role key, member or
/// membership that is not the log's.
enum RowCheck {
    /// `problems`, with rows a damaged database cannot even decode named as such rather than thrown.
    static func named(_ db: Database, signed: [(id: String, facts: LogState.Item)], state: LogState) -> [BackupProblem]
    {
        do { return try problems(db, signed: signed, state: state) } catch {
            return [.databaseUnreadable("some of its rows cannot be read")]
        }
    }

    /// Every problem found, each naming the item or the record. `signed` is every item the log signs, with
    /// its facts; `state` the replayed log (its items need not be in memory).
    static func problems(_ db: Database, signed: [(id: String, facts: LogState.Item)], state: LogState) throws
        -> [BackupProblem]
    {
        var problems: [BackupProblem] = []
        let facts = Dictionary(signed.map { ($0.id, $0.facts) }, uniquingKeysWith: { first, _ in first })
        // Every reader row in one query and every item row in one cursor: a lookup per item (its row, its
        // readers) was most of a no-change backup's time at 10,000 items.
        var readers: [String: [String: Int]] = [:]
        let readerRows = try Row.fetchCursor(db, sql: "SELECT item, role, generation FROM item_readers")
        while let row = try readerRows.next() {
            let (item, role) = (try row.decode(String.self, atIndex: 0), try row.decode(String.self, atIndex: 1))
            if readers[item]?[role] == nil { readers[item, default: [:]][role] = try row.decode(Int.self, atIndex: 2) }
        }
        var seen: Set<String> = []
        let rows = try Row.fetchCursor(db, sql: Vault.itemSelection + " ORDER BY i.id")
        while let row = try rows.next() {
            let id = try row.decode(String.self, atIndex: 0)
            seen.insert(id)
            guard let signedFacts = facts[id] else {
                problems.append(.rowNotInLog(item: id, field: "item"))
                continue
            }
            let record = try Vault.itemRecord(row: row, generations: readers[id] ?? [:])
            do { try Vault.check(record, against: signedFacts) } catch VaultError.notInLog(.item(_, let field)) {
                problems.append(.rowNotInLog(item: id, field: field))
            }
        }
        // A row whose author is no member is not in the cursor (it joins `members`): as good as missing.
        for (id, _) in signed where !seen.contains(id) { problems.append(.rowMissing(item: id)) }
        for id in try String.fetchAll(db, sql: "SELECT id FROM items ORDER BY id")
        where !seen.contains(id) && facts[id] == nil {
            problems.append(.rowNotInLog(item: id, field: "item"))
        }
        return problems + (try tableProblems(db, state: state)).map { .recordNotInLog($0) }
    }

    /// The role keys, members and memberships the tables hold against the log's, in both directions.
    private static func tableProblems(_ db: Database, state: LogState) throws -> [String] {
        var found: [String] = []
        var generations: Set<String> = []
        for row in try Row.fetchAll(
            db, sql: "SELECT role, generation, recipient FROM role_generations ORDER BY role, generation")
        {
            // Decoded with throwing calls: a NULL or a value of another type in a table someone rewrote is
            // named (`named`), never a crash as the plain subscripts would make it.
            let (role, generation, recipient) = (
                try row.decode(String.self, atIndex: 0), try row.decode(Int.self, atIndex: 1),
                try row.decode(String.self, atIndex: 2)
            )
            generations.insert("\(role):\(generation)")
            if state.roles[role]?.generations[generation] != recipient {
                found.append("the key of role \(role), generation \(generation)")
            }
        }
        for (role, info) in state.roles.sorted(by: { $0.key < $1.key }) {
            for generation in info.generations.keys.sorted() where !generations.contains("\(role):\(generation)") {
                found.append("the key of role \(role), generation \(generation) (missing)")
            }
        }
        var names: Set<String> = []
        for row in try Row.fetchAll(
            db, sql: "SELECT name, recipient, signing_key, removed_at IS NOT NULL FROM members ORDER BY name")
        {
            let (name, recipient, signingKey, removed) = (
                try row.decode(String.self, atIndex: 0), try row.decode(String.self, atIndex: 1),
                try row.decode(String.self, atIndex: 2), try row.decode(Bool.self, atIndex: 3)
            )
            names.insert(name)
            guard let member = state.members[name] else {
                found.append("member \(name) (not in the log)")
                continue
            }
            if member.recipient != recipient || member.signingKey != signingKey {
                found.append("the keys of member \(name)")
            }
            if member.removed != removed { found.append("whether member \(name) is removed") }
        }
        for name in state.members.keys.sorted() where !names.contains(name) {
            found.append("member \(name) (missing)")
        }
        var held: Set<String> = []
        for row in try Row.fetchAll(
            db,
            sql: "SELECT m.name, s.role FROM memberships s JOIN members m ON m.id = s.member ORDER BY m.name, s.role")
        {
            let (name, role) = (try row.decode(String.self, atIndex: 0), try row.decode(String.self, atIndex: 1))
            held.insert("\(name):\(role)")
            if !state.holds(name, role) { found.append("member \(name) holding role \(role)") }
        }
        for (role, info) in state.roles.sorted(by: { $0.key < $1.key }) {
            for name in info.holders.sorted() where !held.contains("\(name):\(role)") {
                found.append("member \(name) holding role \(role) (missing)")
            }
        }
        return found
    }
}
