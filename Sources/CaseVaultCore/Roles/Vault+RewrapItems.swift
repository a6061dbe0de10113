import CaseVaultAge
import CaseVaultCrypto
import Dispatch
import Foundation
import GRDB
import Synchronization

/// The items of a rewrap, in batches that overlap: while one batch is written on the calling thread (its
/// rows, its signed `item.rewrap` entry, the commit and its fsync), the X25519 work of the next one runs on
/// the cores (`FileWorkers`). A batch's records are read and checked against the log's facts before its
/// headers are opened; inside the transaction that writes it, those facts are compared with the log's again,
/// so an item that changed in between (another process rewrapped it) stops the run instead of being
/// written from a stale header.
extension Vault {
    /// Rewraps `plan.items` in batches of `batchSize`; `committed(n)` after each batch of n is committed.
    func rewrapItems(
        _ plan: RewrapPlan, role: String, batchSize: Int, by session: MemberSession,
        committed: (Int) throws -> Void
    ) throws {
        let batches = stride(from: 0, to: plan.items.count, by: batchSize).map {
            Array(plan.items[$0..<min($0 + batchSize, plan.items.count)])
        }
        guard !batches.isEmpty else { return }
        var ahead = try startRewrap(batches[0], role: role, plan: plan)
        // However the loop ends, the batch under way finishes before this returns: it holds the session's keys.
        defer { ahead.finish() }
        for index in batches.indices {
            let rewrapped = try ahead.result()
            if index + 1 < batches.count { ahead = try startRewrap(batches[index + 1], role: role, plan: plan) }
            try write { db in try commitRewrap(db, rewrapped, role: role, plan: plan, by: session) }
            try committed(rewrapped.count)
        }
    }

    /// An item's new header and metadata, its line in the batch's `item.rewrap` entry, and the signed facts
    /// it was rewrapped from.
    struct RewrappedItem: Sendable {
        let id: String
        let header: [UInt8]
        let metadata: [UInt8]
        let line: String
        let signed: LogState.Item
    }

    /// Reads a batch's records and their signed facts (one query to the verified cache), and starts their
    /// X25519 work in the background.
    private func startRewrap(_ ids: [String], role: String, plan: RewrapPlan) throws -> Background<[RewrappedItem]> {
        let (records, facts) = try read { db in
            (try ids.map { try itemRecordUnchecked(db, $0) }, trust.withLock { $0.items(ids) })
        }
        return Background { try Self.rewrap(records, facts: facts, role: role, plan: plan) }
    }

    /// Checks each record against its signed facts, then moves its header's and metadata's stanza of `role`
    /// to the current key, on every core.
    private static func rewrap(
        _ records: [ItemRecord], facts: [String: LogState.Item], role: String, plan: RewrapPlan
    ) throws -> [RewrappedItem] {
        try inParallel(records.count) { i in
            let record = records[i]
            let id = record.item.id
            guard let signed = facts[id] else { throw VaultError.notInLog(.item(id, field: "item")) }
            try check(record, against: signed)
            guard let stanza = signed.readers.firstIndex(where: { $0.hasPrefix(role + ":") }),
                let generation = record.generations[role], let key = plan.keys[generation]
            else { throw VaultError.notInLog(.item(id, field: "readers")) }
            let subject = VaultError.Subject.itemEnvelope(id)
            let header = try rewrapHeader(
                record.header, stanza: stanza, key: key, to: plan.recipient, role: role, subject: subject)
            // Metadata sealed under the item's own header (how `add` and re-encryption seal it now, FORMAT.md)
            // keeps sharing it: its header is replaced by the new one, no second X25519. Older metadata has
            // stanzas of its own, rewrapped the same way.
            let metadata =
                record.metadata.starts(with: record.header)
                ? header + record.metadata[record.header.count...]
                : try rewrapHeader(
                    record.metadata, stanza: stanza, key: key, to: plan.recipient, role: role, subject: subject)
            return RewrappedItem(
                id: id, header: header, metadata: metadata,
                line: "\(id) \(try sha256Hex(header)) \(try sha256Hex(metadata))", signed: signed)
        }
    }

    /// Writes a rewrapped batch and its signed entry, inside the caller's transaction.
    private func commitRewrap(
        _ db: Database, _ items: [RewrappedItem], role: String, plan: RewrapPlan, by session: MemberSession
    ) throws {
        // In memory for the replay of the batch's entry too: a cache query per item cost more than its X25519.
        let facts = trust.withLock { $0.loadItems(items.map(\.id)) }
        // Cached statements: preparing the same SQL for each of a batch's items cost more than its X25519.
        let updateItem = try db.cachedStatement(sql: "UPDATE items SET header = ?, metadata = ? WHERE id = ?")
        let updateReader = try db.cachedStatement(
            sql: "UPDATE item_readers SET generation = ? WHERE item = ? AND role = ?")
        for item in items {
            guard facts[item.id] == item.signed else { throw VaultError.roleKeyChanged(role: role) }
            try updateItem.execute(arguments: [Data(item.header), Data(item.metadata), item.id])
            try updateReader.execute(arguments: [plan.generation, item.id, role])
        }
        try appendRewrap(db, .itemRewrap, "item", items.map(\.line), role: role, plan: plan, by: session)
    }

    /// `body(0..<count)` on every core (`FileWorkers`' threads: Dispatch's concurrent queue, called from the
    /// CLI's Swift concurrency thread, gave this work a single core), results in order; the error of the
    /// lowest failed index is thrown.
    static func inParallel<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = Slots<T>(count: count)
        try FileWorkers.forEach(count, threads: FileWorkers.cores) { i in
            let result = try body(i)
            results.values.withLock { $0[i] = result }
        }
        return results.values.withLock { $0 }.map { $0! }
    }
}

/// The results of `Vault.inParallel`, filled in by its threads.
private final class Slots<T: Sendable>: Sendable {
    let values: Mutex<[T?]>
    init(count: Int) { values = Mutex([T?](repeating: nil, count: count)) }
}

/// Work running on a thread of its own, whose result the caller collects later.
private final class Background<T: Sendable>: @unchecked Sendable {
    // @unchecked: DispatchGroup is thread-safe (it is made for this), and `outcome` is behind a lock.
    private let group = DispatchGroup()
    private let outcome = Mutex<Result<T, any Error>?>(nil)

    init(_ body: @escaping @Sendable () throws -> T) {
        // A queue of its own is served by a thread started on demand (see `FileWorkers.queues`).
        DispatchQueue(label: "casevault.rewrap.ahead").async(group: group) { [self] in
            let result = Result { try body() }
            outcome.withLock { $0 = result }
        }
    }

    /// Waits for the work and returns its result, or throws its error.
    func result() throws -> T {
        group.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Waits for the work, whatever its outcome.
    func finish() { group.wait() }
}
