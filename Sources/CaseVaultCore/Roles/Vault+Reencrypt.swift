import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What a re-encryption did.
public struct ReencryptResult: Sendable, Equatable, Codable {
    public let role: String
    /// The role's current generation, to which everything re-encrypted is wrapped.
    public let generation: Int
    /// Items re-encrypted by this run (a rerun after an interruption counts only what was left), and their
    /// plaintext bytes.
    public let items: Int
    public let bytes: Int64
    /// Case titles rewrapped to the current generation (their header only: a title lives in the database,
    /// so whoever could copy it with an old key has read it already).
    public let cases: Int
}

/// How far a re-encryption is: items committed, and plaintext bytes streamed (the item under way included).
public struct ReencryptProgress: Sendable, Equatable {
    public let items: Int
    public let totalItems: Int
    public let bytes: Int64
    public let totalBytes: Int64
}

/// Re-encryption, for a role key known to be compromised: a rewrap keeps each item's file key, which whoever
/// held the old role key and a copy of the database (the headers) can have taken, and with it read the
/// payload from any later copy of the folder. Re-encryption gives each item of the role still on an older
/// generation a new file key, a new payload object and new encrypted metadata, wrapped to the current
/// generation of every reader role of the item; the plaintext and its SHA-256 do not change, and each item's
/// signed `custody.reencrypt` event links the new object to that unchanged hash in its custody chain.
///
/// The payload streams from the old object through decryption, the SHA-256 check and encryption into the new
/// object, in blocks, so memory does not grow with the file. Items go in batches: each batch's objects are
/// made durable (one `syncfs`), then one transaction records them, a signed event per item and the
/// superseded objects. A killed run leaves every item naming either its old object or a complete new one;
/// running it again picks up the items still on an older generation. The old objects stay until a backup
/// holds the new ones (`Vault+Superseded.swift`).
extension Vault {
    /// Re-encrypts every item of `role` wrapped to an older generation, then rewraps the role's case titles,
    /// acting as `session` (a holder of the role). A batch is committed after `batchSize` items or
    /// `batchBytes` plaintext bytes. `progress` is called as bytes stream and after each commit; an error it
    /// throws stops the run (the batch under way is dropped, its new objects removed).
    @discardableResult
    public func reencrypt(
        role: String, by session: MemberSession, batchSize: Int = 64, batchBytes: Int64 = 1 << 30,
        progress: ((ReencryptProgress) throws -> Void)? = nil
    ) throws -> ReencryptResult {
        try checkSession(session)
        try checkWritable()
        try Names.checkRole(role)
        try refreshTrust()
        let plan = try reencryptPlan(role: role, by: session)
        let totalBytes = plan.facts.values.reduce(Int64(0)) { $0 + $1.size }
        var committed = (items: 0, bytes: Int64(0))
        func report(streamed: Int64) throws {
            try progress?(
                ReencryptProgress(
                    items: committed.items, totalItems: plan.items.count, bytes: committed.bytes + streamed,
                    totalBytes: totalBytes))
        }
        try report(streamed: 0)
        var start = 0
        while start < plan.items.count {
            var end = start
            var bytes: Int64 = 0
            while end < plan.items.count && end - start < max(1, batchSize) && (end == start || bytes < batchBytes) {
                bytes += plan.facts[plan.items[end]]?.size ?? 0
                end += 1
            }
            var pending: [ReencryptedItem] = []
            do {
                var streamed: Int64 = 0
                for id in plan.items[start..<end] {
                    let done = streamed
                    pending.append(try reencryptItem(id, plan: plan) { try report(streamed: done + $0) })
                    streamed += pending.last!.size
                }
                try objects.syncAll()
            } catch {
                // No row names these objects yet: they can go now.
                for item in pending { unlink(objects.path(of: item.newObject)) }
                throw error
            }
            // Once the transaction has started they are left alone: a commit that reports an error may have
            // landed, and an unnamed object is harmless where a row naming a missing one would lose an item.
            try write { db in try commitReencryption(db, pending, role: role, plan: plan, by: session) }
            committed.items += pending.count
            committed.bytes += bytes
            try report(streamed: 0)
            start = end
        }
        let cases = try rewrap(role: role, by: session, includingItems: false).cases
        return ReencryptResult(
            role: role, generation: plan.generation, items: plan.items.count, bytes: totalBytes, cases: cases)
    }

    /// What a re-encryption works through, fixed when it starts.
    struct ReencryptPlan {
        let generation: Int
        /// The session's keys of the role, by generation.
        let keys: [String: [Int: X25519Identity]]
        /// Every role's current generation and key, checked against the log.
        let current: [String: (generation: Int, recipient: X25519Recipient)]
        let items: [String]
        /// The items' signed facts as the run starts.
        let facts: [String: LogState.Item]
    }

    private func reencryptPlan(role: String, by session: MemberSession) throws -> ReencryptPlan {
        try read { db in
            try requireRole(db, role)
            guard let current = try RoleKeyring.currentGeneration(db, role: role) else {
                throw VaultError.roleHasNoKey(role: role)
            }
            let keys = try openRoleKeys(db, session: session, roles: [role])
            guard keys[role]?[current.generation] != nil else { throw VaultError.notPermitted(.reencrypt(role: role)) }
            let items = try String.fetchAll(
                db, sql: "SELECT item FROM item_readers WHERE role = ? AND generation < ? ORDER BY 1",
                arguments: [role, current.generation])
            let facts = trust.withLock { $0.items(items) }
            let roles = Set(facts.values.flatMap(Self.roles(of:)))
            let recipients = try RoleKeyring.readerRecipients(db, roles: roles.sorted())
            try checkReaderKeys(recipients)
            return ReencryptPlan(
                generation: current.generation, keys: keys,
                current: Dictionary(uniqueKeysWithValues: recipients.map { ($0.role, ($0.generation, $0.recipient)) }),
                items: items, facts: facts)
        }
    }

    /// An item's new object (named and written, not yet durable), header and metadata, with the signed
    /// facts it was made from.
    struct ReencryptedItem {
        let id: String
        let size: Int64
        let newObject: String
        let header: [UInt8]
        let metadata: [UInt8]
        let readers: [(role: String, generation: Int)]
        let signed: LogState.Item
    }

    /// Streams one item from its object into a new one under a new file key, checking the plaintext's size
    /// and SHA-256 against its signed facts on the way, and seals its metadata anew.
    private func reencryptItem(
        _ id: String, plan: ReencryptPlan, streamed: @escaping (Int64) throws -> Void
    ) throws -> ReencryptedItem {
        let record = try read { db in try itemRecordUnchecked(db, id) }
        guard let signed = plan.facts[id] else { throw VaultError.notInLog(.item(id, field: "item")) }
        try Self.check(record, against: signed)
        let oldKey = try Self.unwrapFileKey(record, opened: plan.keys)
        let readers = try Self.roles(of: signed).map { role in
            guard let current = plan.current[role] else { throw VaultError.roleHasNoKey(role: role) }
            return (role: role, generation: current.generation, recipient: current.recipient)
        }
        let recipients: [Recipient] = readers.map(\.recipient)
        guard
            let metadata = try SealedBlob.open(
                record.metadata, identities: Self.identities(for: record, from: plan.keys), subject: .itemMetadata(id))
        else { throw VaultError.integrityFailure(subject: .itemMetadata(id), damage: .notAddressedToMember) }
        let fileKey = try FileKey.generate()
        let header = try Age.makeHeader(fileKey: fileKey, recipients: recipients).encoded()
        let object = try objects.makeObject(expectedSize: signed.size)
        let encryptor = try PayloadEncryptor(fileKey: fileKey, sink: object.file, expectedSize: signed.size)
        let digest = try Digest(.sha256)
        let tee = DigestingTee(BackgroundDigests([digest]), next: ThrowingCountingSink(encryptor, report: streamed))
        let source = try objects.open(signed.object, subject: .item(id))
        do {
            try PayloadDecryptor(fileKey: oldKey, source: source).decrypt(to: tee)
        } catch let error as AgeError {
            throw VaultError.integrityFailure(subject: .item(id), damage: .age(error))
        }
        try tee.finish()
        try checkPlaintext(record, size: tee.byteCount, digest: digest)
        try encryptor.finish()
        return ReencryptedItem(
            id: id, size: signed.size, newObject: try objects.commit(object, durable: false), header: header,
            metadata: try SealedBlob.seal(metadata, under: header, fileKey: fileKey),
            readers: readers.map { ($0.role, $0.generation) }, signed: signed)
    }

    /// Records a batch, inside the caller's transaction: per item, its signed `custody.reencrypt` event
    /// (which links to the item's previous event and names the old object), the superseded object, then the
    /// new object, header, metadata and reader generations.
    private func commitReencryption(
        _ db: Database, _ items: [ReencryptedItem], role: String, plan: ReencryptPlan, by session: MemberSession
    ) throws {
        let now = clock.timestamp()
        let author = LogAuthor(session: session)
        try trust.withLock { try $0.catchUp(db) }
        for item in items {
            // Another process may have changed the item, or rotated a role, since the batch was read.
            guard try trusted().item(item.id) == item.signed else { throw VaultError.roleKeyChanged(role: role) }
            for reader in item.readers
            where try RoleKeyring.currentGeneration(db, role: reader.role)?.generation != reader.generation {
                throw VaultError.roleKeyChanged(role: reader.role)
            }
            let entry = try appendCustodyEvent(
                db, .custodyReencrypt, item: item.id,
                trailing: [
                    ("role", role), ("new-object", item.newObject), ("header", try Self.sha256Hex(item.header)),
                    ("metadata", try Self.sha256Hex(item.metadata)), ("readers", Self.readerList(item.readers)),
                ], by: author, at: now)
            try db.execute(
                sql: """
                    INSERT INTO superseded_objects (object, item, replaced_by, entry, superseded_at)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [item.signed.object, item.id, item.newObject, entry, now])
            try db.execute(
                sql: "UPDATE items SET object = ?, header = ?, metadata = ? WHERE id = ?",
                arguments: [item.newObject, Data(item.header), Data(item.metadata), item.id])
            for reader in item.readers {
                try db.execute(
                    sql: "UPDATE item_readers SET generation = ? WHERE item = ? AND role = ?",
                    arguments: [reader.generation, item.id, reader.role])
            }
            try Journal.append(
                db, at: now, actor: session.member, action: EntryType.custodyReencrypt.rawValue, subject: item.id,
                detail: "object \(item.newObject) replaces \(item.signed.object); sha256 \(item.signed.sha256)")
        }
    }
}

/// Passes writes on and reports the running total; unlike `CountingSink`, the report may throw, which stops
/// the stream (a re-encryption's progress callback may end the run).
private final class ThrowingCountingSink: ByteSink {
    private let next: ByteSink
    private let report: (Int64) throws -> Void
    private var total: Int64 = 0

    init(_ next: ByteSink, report: @escaping (Int64) throws -> Void) {
        self.next = next
        self.report = report
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try next.write(bytes)
        total += Int64(bytes.count)
        try report(total)
    }
}
