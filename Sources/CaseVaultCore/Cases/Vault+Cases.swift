import CaseVaultAge
import CaseVaultCrypto
import Foundation
import GRDB

extension Vault {
    /// Creates a case. Its title and survivor pseudonym are encrypted to the current key of every
    /// case-reader role that has a holder (by default lawyer, mentor, psychologist, social-worker); the id
    /// is in the clear, so it must not identify anyone.
    @discardableResult
    public func createCase(id: String, title: String? = nil, survivor: String? = nil, by session: MemberSession) throws
        -> VaultCase
    {
        try checkSession(session)
        try Names.checkCase(id)
        return try write { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM cases WHERE id = ?", arguments: [id]) == nil else {
                throw VaultError.caseExists(id)
            }
            var readers: [(role: String, generation: Int, recipient: X25519Recipient)] = []
            for role in configuration.caseReaders {
                if let current = try RoleKeyring.currentGeneration(db, role: role) {
                    readers.append((role, current.generation, try X25519Recipient(current.recipient)))
                }
            }
            guard !readers.isEmpty else {
                throw VaultError.roleHasNoKey(role: configuration.caseReaders.joined(separator: ", "))
            }
            try checkReaderKeys(readers)
            let metadata = try SealedBlob.seal(
                try encodeJSON(CaseMetadata(title: title, survivor: survivor)), to: readers.map(\.recipient))
            let now = clock.timestamp()
            try db.execute(
                sql: "INSERT INTO cases (id, created_at, created_by, metadata) VALUES (?, ?, ?, ?)",
                arguments: [id, now, session.memberID, Data(metadata)])
            for reader in readers {
                try db.execute(
                    sql: "INSERT INTO case_readers (case_id, role, generation) VALUES (?, ?, ?)",
                    arguments: [id, reader.role, reader.generation])
            }
            try Journal.append(
                db, at: now, actor: session.member, action: "case.create", subject: id,
                detail: "readers \(readers.map(\.role).joined(separator: ","))")
            try appendLog(
                db, .caseCreate,
                [
                    ("case", id), ("metadata", try Self.sha256Hex(metadata)),
                    ("readers", Self.readerList(readers.map { ($0.role, $0.generation) })),
                ], by: LogAuthor(session: session), at: now)
            return VaultCase(
                id: id, createdAt: now, createdBy: session.member, readers: readers.map(\.role), itemCount: 0,
                metadataReadable: true, title: title, survivor: survivor)
        }
    }

    /// Every case, oldest first. With a session, titles and pseudonyms the member can read are decrypted.
    public func cases(as session: MemberSession? = nil) throws -> [VaultCase] {
        if let session { try checkSession(session) }
        return try read { db in
            let identities = try session.map { try openRoleKeys(db, session: $0) } ?? [:]
            return try Row.fetchAll(db, sql: Self.caseSelection + " ORDER BY c.created_at, c.id").map {
                try vaultCase(db, row: $0, identities: identities)
            }
        }
    }

    /// One case. With a session that holds one of its reader roles, the title and pseudonym are decrypted.
    public func showCase(_ id: String, as session: MemberSession? = nil) throws -> VaultCase {
        if let session { try checkSession(session) }
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: Self.caseSelection + " WHERE c.id = ?", arguments: [id]) else {
                throw VaultError.unknownCase(id)
            }
            let identities = try session.map { try openRoleKeys(db, session: $0) } ?? [:]
            return try vaultCase(db, row: row, identities: identities)
        }
    }

    private static let caseSelection = """
        SELECT c.id, c.created_at, m.name AS created_by, c.metadata,
               (SELECT count(*) FROM items i WHERE i.case_id = c.id) AS item_count
        FROM cases c JOIN members m ON m.id = c.created_by
        """

    private func vaultCase(_ db: Database, row: Row, identities: [String: [Int: X25519Identity]]) throws -> VaultCase {
        let id: String = row["id"]
        let readerRows = try Row.fetchAll(
            db, sql: "SELECT role, generation FROM case_readers WHERE case_id = ? ORDER BY role",
            arguments: [id])
        let usable: [Identity] = readerRows.compactMap { identities[$0["role"]]?[$0["generation"]] }
        try checkCaseMetadata(id: id, metadata: Array(row["metadata"] as Data))
        var metadata: CaseMetadata?
        if !usable.isEmpty,
            let plain = try SealedBlob.open(
                Array(row["metadata"] as Data), identities: usable, subject: .caseMetadata(id))
        {
            metadata = try decodeJSON(CaseMetadata.self, plain, subject: .caseMetadata(id))
        }
        return VaultCase(
            id: id, createdAt: row["created_at"], createdBy: row["created_by"], readers: readerRows.map { $0["role"] },
            itemCount: row["item_count"], metadataReadable: metadata != nil, title: metadata?.title,
            survivor: metadata?.survivor)
    }
}
