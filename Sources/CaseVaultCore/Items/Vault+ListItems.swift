import CaseVaultAge
import Foundation
import GRDB

extension Vault {
    /// Items, oldest first: of one case, or of the whole vault. Reads no secrets.
    public func items(inCase caseID: String? = nil) throws -> [Item] {
        try read { db in
            // Listings read no blobs (headers, metadata), take each item's reader roles from one correlated
            // subquery, and decode rows from a cursor by position: a 10,000-item listing stays well under
            // 100 ms.
            var sql = Self.listingSelection
            var arguments: StatementArguments = []
            if let caseID {
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM cases WHERE id = ?", arguments: [caseID]) != nil else {
                    throw VaultError.unknownCase(caseID)
                }
                sql += " WHERE i.case_id = ?"
                arguments = [caseID]
            }
            sql += " ORDER BY i.created_at, i.rowid"
            var items: [Item] = []
            // The signed items in log order, which is the listing's order in a vault written by honest
            // clients: each listed item is compared with the next signed one, in step. Anything out of
            // step (a row added, dropped or reordered in the folder) falls back to a lookup per item, which
            // names the item and field that differ or finds that only the order changed.
            let signed = try trusted().listingKeys(inCase: caseID)
            var inStep = 0
            var key: [UInt8] = []
            key.reserveCapacity(256)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let readers: String = row[9] ?? ""
                var roles: [String] = []
                if readers.utf8.contains(UInt8(ascii: ",")) {
                    roles = readers.split(separator: ",").map(String.init)
                } else if !readers.isEmpty {
                    roles = [readers]  // one reader role, the common case, needs no splitting
                }
                let listed = try Self.item(row: row, readers: roles)
                if inStep == items.count, inStep < signed.count, signed[inStep].id == listed.id {
                    key.removeAll(keepingCapacity: true)
                    listed.listingKeyBytes(into: &key)
                    if ListingKey.equals(signed[inStep].key, key) { inStep += 1 }
                }
                items.append(listed)
            }
            if inStep < items.count {
                let keys = Dictionary(signed.map { ($0.id, $0.key) }, uniquingKeysWith: { first, _ in first })
                for listed in items[inStep...] { try checkListedItem(listed, keys: keys) }
            }
            // Every listed item is signed (above); a signed item with no row would vanish from the listing
            // without a word.
            if items.count < signed.count {
                let listed = Set(items.map(\.id))
                if let missing = signed.first(where: { !listed.contains($0.id) }) {
                    throw VaultError.notInLog(.item(missing.id, field: "row missing"))
                }
            }
            return items
        }
    }

    /// One item; with a session that holds a reader role, its metadata (file name, note, …) is decrypted.
    public func showItem(_ id: String, as session: MemberSession? = nil) throws -> ItemDetails {
        if let session { try checkSession(session) }
        var details = try read { db in
            let record = try itemRecord(db, id)
            var metadata: ItemMetadata?
            if let session {
                let identities = try readerIdentities(db, record: record, session: session)
                if !identities.isEmpty,
                    let plain = try SealedBlob.open(
                        record.metadata, identities: identities, subject: .itemMetadata(id))
                {
                    metadata = try decodeJSON(ItemMetadata.self, plain, subject: .itemMetadata(id))
                }
            }
            let replacedBy = try String.fetchAll(db, sql: Self.replacedBySelection, arguments: [id])
            return ItemDetails(item: record.item, metadata: metadata, replacedBy: replacedBy)
        }
        details.legalHold = try legalHolds(ofItem: id)
        return details
    }

    /// The roles whose keys can open `item` (one age X25519 stanza each in its header).
    public func whoCanRead(_ itemID: String) throws -> [String] {
        try read { db in try itemRecord(db, itemID).item.readers }
    }

    // MARK: Internals

    /// The columns `item(row:readers:)` reads, by position (positional access skips GRDB's case-insensitive
    /// name lookup, which dominated a 10,000-item listing).
    static let listingSelection = """
        SELECT i.id, i.case_id, i.class, i.size, i.sha256, i.object, i.replaces, i.created_at,
               m.name AS created_by,
               (SELECT group_concat(role, ',') FROM
                   (SELECT role FROM item_readers r WHERE r.item = i.id ORDER BY role)) AS readers
        FROM items i JOIN members m ON m.id = i.created_by
        """

    /// The items that replace one (a lookup in `items_by_replaces`, not a scan of every item).
    static let replacedBySelection = "SELECT id FROM items WHERE replaces = ? ORDER BY created_at"

    static let itemSelection = """
        SELECT i.id, i.case_id, i.class, i.size, i.sha256, i.object, i.replaces, i.created_at,
               m.name AS created_by, i.header, i.metadata
        FROM items i JOIN members m ON m.id = i.created_by
        """

    struct ItemRecord {
        let item: Item
        let header: [UInt8]
        let metadata: [UInt8]
        /// role → generation the header's stanza was wrapped to.
        let generations: [String: Int]
    }

    func itemRecord(_ db: Database, _ id: String) throws -> ItemRecord {
        let record = try itemRecordUnchecked(db, id)
        try checkItem(record)
        return record
    }

    /// The item's record as the database has it, not yet compared with the signed log.
    func itemRecordUnchecked(_ db: Database, _ id: String) throws -> ItemRecord { try Self.itemRecordUnchecked(db, id) }

    /// `itemRecordUnchecked` of any database (a backup's too).
    static func itemRecordUnchecked(_ db: Database, _ id: String) throws -> ItemRecord {
        // Cached statements: `list --names` looks up thousands of items in one transaction, and preparing
        // the same SQL each time was an eighth of its time.
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: Self.itemSelection + " WHERE i.id = ?"), arguments: [id])
        else {
            throw VaultError.unknownItem(id)
        }
        let readerRows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT role, generation FROM item_readers WHERE item = ? ORDER BY role"),
            arguments: [id])
        // Throwing decodes, and a repeated role kept once: a NULL, a value of another type or a duplicate row
        // in a table someone rewrote without its constraints is an error to name, never a crash.
        let generations = Dictionary(
            try readerRows.map {
                (try $0.decode(String.self, forColumn: "role"), try $0.decode(Int.self, forColumn: "generation"))
            }, uniquingKeysWith: { first, _ in first })
        return try itemRecord(row: row, generations: generations)
    }

    /// The record of a row of `itemSelection`, with its readers' generations (read apart).
    static func itemRecord(row: Row, generations: [String: Int]) throws -> ItemRecord {
        ItemRecord(
            item: try item(row: row, readers: generations.keys.sorted()),
            header: Array(try row.decode(Data.self, forColumn: "header")),
            metadata: Array(try row.decode(Data.self, forColumn: "metadata")),
            generations: generations)
    }

    /// The session's keys for the item's reader roles (at the generations the item was wrapped to).
    func readerIdentities(_ db: Database, record: ItemRecord, session: MemberSession) throws -> [Identity] {
        let opened = try openRoleKeys(db, session: session, roles: Array(record.generations.keys))
        return Self.identities(for: record, from: opened)
    }

    private static func item(row: Row, readers: [String]) throws -> Item {
        Item(
            id: try row.decode(atIndex: 0), caseID: try row.decode(atIndex: 1),
            itemClass: ItemClass(rawValue: try row.decode(String.self, atIndex: 2)) ?? .evidence,
            size: try row.decode(atIndex: 3), sha256: try row.decode(atIndex: 4), object: try row.decode(atIndex: 5),
            readers: readers, replaces: try row.decode(atIndex: 6), createdAt: try row.decode(atIndex: 7),
            createdBy: try row.decode(atIndex: 8))
    }
}
