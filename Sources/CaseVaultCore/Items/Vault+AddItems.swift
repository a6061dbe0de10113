import CaseVaultAge
import CaseVaultCrypto
import Dispatch
import Foundation
import GRDB
import Glibc

extension Vault {
    /// Adds files to a case as new items, all or nothing.
    ///
    /// Each file is read once, in 1 MiB blocks: its SHA-256 (and any extra digests) is computed while it is
    /// encrypted into a new object, whose own SHA-256 is computed as it is written. Memory use does not
    /// depend on file size. Every object is durable (fsync, rename, folder fsync) before the single
    /// transaction that records the items, their reader roles and the journal entries commits; if anything
    /// fails, nothing is recorded and the objects already written are unnamed orphans, which are harmless.
    ///
    /// Anyone may add for any role: only the roles' public keys are needed.
    @discardableResult
    public func add(caseID: String, files: [String], options: AddOptions = AddOptions(), by session: MemberSession)
        throws -> [Item]
    {
        try checkSession(session)
        guard !files.isEmpty else {
            throw VaultError.invalidArgument("No file was given. Name at least one file to add.")
        }
        if files.count > 1 && (options.replaces != nil || options.filename != nil) {
            throw VaultError.invalidArgument(
                "--replaces and a file name apply to one file only. Add that file on its own.")
        }
        let requestedRoles = try readerRoles(for: options)
        let readers = try read { db -> [(role: String, generation: Int, recipient: X25519Recipient)] in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM cases WHERE id = ?", arguments: [caseID]) != nil else {
                throw VaultError.unknownCase(caseID)
            }
            if let replaces = options.replaces {
                guard
                    let other = try String.fetchOne(
                        db, sql: "SELECT case_id FROM items WHERE id = ?", arguments: [replaces])
                else {
                    throw VaultError.unknownItem(replaces)
                }
                guard other == caseID else {
                    throw VaultError.invalidArgument(
                        "Item \(replaces) belongs to case \(other), not \(caseID). A new version stays in its case.")
                }
            }
            // The class's default readers that nobody holds yet have no key to wrap to. They are left out
            // (as case titles do), so that a team without a mentor can still store evidence; what the item
            // is readable by is returned, and the CLI says so. An explicit --readers list stays strict.
            var roles = requestedRoles
            if options.readers == nil {
                roles = try requestedRoles.filter { try RoleKeyring.currentGeneration(db, role: $0) != nil }
                if roles.isEmpty { throw VaultError.roleHasNoKey(role: requestedRoles[0]) }
            }
            return try RoleKeyring.readerRecipients(db, roles: roles)
        }
        let readerRoles = readers.map(\.role)
        // Every input is opened before anything is written, so a typo in the last path costs nothing.
        let inputs = try files.map { try FileSystem.openInput($0) }

        var pending: [PendingItem] = []
        do {
            for (index, input) in inputs.enumerated() {
                pending.append(
                    try encrypt(input: input, index: index, path: files[index], readers: readers, options: options))
            }
        } catch {
            // No row can name these objects yet (every encryption makes a new one), so they can go now.
            // After the transaction has started they are left alone: a commit that reports an error may
            // still have landed, and an orphan is harmless where a dangling row would lose an item.
            for item in pending { unlink(objects.path(of: item.object)) }
            throw error
        }

        return try write { db in
            let now = clock.timestamp()
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM cases WHERE id = ?", arguments: [caseID]) != nil else {
                throw VaultError.unknownCase(caseID)
            }
            // A generation retired while we were encrypting would leave the item wrapped to an old key.
            for reader in readers
            where try RoleKeyring.currentGeneration(db, role: reader.role)?.generation != reader.generation {
                throw VaultError.invalidArgument(
                    "The key of role \(reader.role) changed while adding. Run the command again.")
            }
            return try pending.map { item in
                try db.execute(
                    sql: """
                        INSERT INTO items (id, case_id, class, size, sha256, object, header, metadata, replaces, created_at, created_by)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        item.id, caseID, options.itemClass.rawValue, item.size, item.sha256, item.object,
                        Data(item.header),
                        Data(item.metadata), options.replaces, now, session.memberID,
                    ])
                // `readers` is the order of the header's stanzas (`Age.makeHeader` above): record it.
                for (stanza, reader) in readers.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO item_readers (item, role, generation, stanza) VALUES (?, ?, ?, ?)",
                        arguments: [item.id, reader.role, reader.generation, stanza])
                }
                var detail =
                    "case \(caseID); class \(options.itemClass.rawValue); size \(item.size); readers \(readerRoles.joined(separator: ","))"
                if let replaces = options.replaces { detail += "; replaces \(replaces)" }
                try Journal.append(
                    db, at: now, actor: session.member, action: "item.add", subject: item.id, detail: detail)
                return Item(
                    id: item.id, caseID: caseID, itemClass: options.itemClass, size: item.size, sha256: item.sha256,
                    object: item.object, readers: readerRoles, replaces: options.replaces, createdAt: now,
                    createdBy: session.member)
            }
        }
    }

    /// The reader roles for an add: the override (validated, de-duplicated) or the class defaults.
    func readerRoles(for options: AddOptions) throws -> [String] {
        var roles: [String] = []
        for role in options.readers ?? configuration.classReaders[options.itemClass] ?? [] where !roles.contains(role) {
            try Names.checkRole(role)
            guard configuration.roles.contains(role) else { throw VaultError.unknownRole(role) }
            roles.append(role)
        }
        guard !roles.isEmpty else {
            throw VaultError.invalidArgument("The item would have no reader role. Name at least one role in --readers.")
        }
        return roles
    }

    private struct PendingItem {
        let id: String
        let size: Int64
        let sha256: String
        let object: String
        let header: [UInt8]
        let metadata: [UInt8]
    }

    /// Streams one input into a new durable object and seals its header and metadata.
    private func encrypt(
        input: FileDescriptorStream, index: Int, path: String,
        readers: [(role: String, generation: Int, recipient: X25519Recipient)],
        options: AddOptions
    ) throws -> PendingItem {
        var info = stat()
        let total = fstat(input.fd, &info) == 0 ? Int64(info.st_size) : -1
        let fileKey = try FileKey.generate()
        let header = try Age.makeHeader(fileKey: fileKey, recipients: readers.map(\.recipient))
        let temporary = try objects.makeTemporary()
        let encryptor = try PayloadEncryptor(fileKey: fileKey, sink: temporary)
        let sha256 = try Digest(.sha256)
        let extras = try options.extraDigests.filter { $0 != .sha256 }.map { try Digest($0) }

        // Two blocks in turn: the next block is read while the plaintext digests still hash the current one,
        // so the read is off the digest's critical path (the digest is the slowest stage on two cores).
        var current = Payload.allocateIOBuffer(1 << 20)
        var next = Payload.allocateIOBuffer(1 << 20)
        defer {
            for block in [current, next] {
                ConstantTime.wipe(block)
                block.deallocate()
            }
        }
        func readBlock(into block: UnsafeMutableRawBufferPointer) throws -> Int {
            do { return try input.read(into: block) } catch let error as AgeError {
                throw VaultError.inputUnreadable(path: path, reason: error.detail)
            }
        }
        // The plaintext digests run on their own thread while the block is encrypted (and the object's own
        // SHA-256 computed) on this one: each SHA-256 costs about as much CPU as the encryption.
        let hashing = BackgroundDigests([sha256] + extras)
        var size: Int64 = 0
        var n = try readBlock(into: current)
        while n > 0 {
            let bytes = UnsafeRawBufferPointer(rebasing: current[0..<n])
            let hashed = hashing.start(bytes)
            let encrypted = Result { try encryptor.write(bytes) }
            let following = Result { try readBlock(into: next) }
            try hashed.wait()
            try encrypted.get()
            size += Int64(n)
            options.progress?(index, size, total)
            n = try following.get()
            swap(&current, &next)
        }
        try encryptor.finish()
        let object = try objects.commit(temporary)

        var metadata = ItemMetadata(
            filename: options.filename ?? FileSystem.baseName(path), note: options.note,
            collectedBy: options.collectedBy,
            collectedAt: options.collectedAt, source: options.source)
        for digest in extras { metadata.digests[digest.algorithm.rawValue] = Hex.encode(try digest.finalize()) }
        let sealedMetadata = try SealedBlob.seal(try encodeJSON(metadata), to: readers.map(\.recipient))
        return PendingItem(
            id: "it_" + FileSystem.randomHex(8), size: size, sha256: Hex.encode(try sha256.finalize()), object: object,
            header: header.encoded(), metadata: sealedMetadata)
    }
}
