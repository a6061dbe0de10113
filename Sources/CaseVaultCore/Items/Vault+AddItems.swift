import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Dispatch
import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension Vault {
    /// Adds files to a case as new items, all or nothing. A path that names a folder adds every regular
    /// file under it (`expandInputs`); items come back in the order of the files.
    ///
    /// Each file is read once: its SHA-256 (and any extra digests) is computed while it is encrypted into a
    /// new object, whose own SHA-256 is computed as it is written. The files of a batch are encrypted on
    /// every core, one file per thread at a time (`FileWorkers.Pipeline`), so memory use depends neither on
    /// file size nor on the number of files (beyond each item's public record), while the single
    /// transaction records each finished file in turn: its item, reader roles, journal line and log entry
    /// (in the order of the files). Every object is durable before that transaction commits: one file is
    /// fsynced and named, its folder fsynced; a batch is written and named, then made durable by one
    /// `syncfs`, which costs one disk flush instead of one per file. If anything fails before the commit,
    /// nothing is recorded and the objects already written are removed (after a failed commit, which may
    /// still have landed, they are left: an orphan is harmless).
    ///
    /// Anyone may add for any role: only the roles' public keys are needed.
    @discardableResult
    public func add(caseID: String, files: [String], options: AddOptions = AddOptions(), by session: MemberSession)
        throws -> [Item]
    {
        try checkSession(session)
        try checkWritable()
        let files = try Self.expandInputs(files)
        guard !files.isEmpty else { throw VaultError.invalidAdd(.noFiles) }
        if files.count > 1 && (options.replaces != nil || options.filename != nil) {
            throw VaultError.invalidAdd(.oneFileOptionWithMany)
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
                    throw VaultError.invalidAdd(.replacesItemOfOtherCase(item: replaces, itsCase: other))
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
        // Nothing is encrypted to a key the signed log does not name as the role's current one.
        try checkReaderKeys(readers)
        // Every input is checked before anything is written, so a typo in the last path costs nothing.
        let totalBytes = try Self.checkInputs(files)
        let batch = files.count > 1
        // The files are encrypted on helper threads while this one records them, in the order of `files`
        // (so the log entries come out the same on any number of cores): each item's entry is signed while
        // the next files are encrypted. Every object written is noted, to be removed if nothing records it.
        let written = Mutex<[String]>([])
        let pipeline = FileWorkers.Pipeline(
            count: files.count, threads: batch ? options.threads ?? FileWorkers.cores : 1
        ) { index in
            let input = try VaultFiles.openInput(files[index])
            let item = try self.encrypt(
                input: input, index: index, path: files[index], readers: readers, options: options,
                durable: !batch)
            written.withLock { $0.append(item.object) }
            return item
        }
        let trace = DurabilityTrace.current
        // Set once the transaction's body has returned: from then on, a commit that reports an error may
        // still have landed, and the objects are left alone (an orphan is harmless where a dangling row
        // would lose an item). Before that, nothing can name them, and they are removed.
        let bodyReturned = Mutex(false)
        do {
            // Encrypting inside the write transaction holds the vault's write lock meanwhile, and every other
            // writer (another member's command, a backup's entry) waits for it, up to the busy timeout. That is
            // worth it for many small files, whose entries are signed while the next ones are encrypted; a
            // large add (a video, a folder of them: over 64 MiB, about a second of encryption on a modest
            // laptop) is encrypted whole first, and recorded after.
            if totalBytes > options.lockedEncryptionLimit { try pipeline.waitForAll() }
            let items = try write { db in
                let items = try record(
                    pipeline, count: files.count, caseID: caseID, readers: readers, options: options,
                    by: session, in: db)
                // Every object is durable before the one commit that names them all.
                if batch { try DurabilityTrace.$current.withValue(trace) { try objects.syncAll() } }
                bodyReturned.withLock { $0 = true }
                return items
            }
            return items
        } catch {
            pipeline.stop()
            if !bodyReturned.withLock({ $0 }) {
                for object in written.withLock({ $0 }) { unlink(objects.path(of: object)) }
            }
            throw error
        }
    }

    /// Inserts the items the pipeline yields (in the files' order), their readers, journal lines and log
    /// entries, inside the caller's write transaction.
    private func record(
        _ pipeline: FileWorkers.Pipeline<PendingItem>, count: Int, caseID: String,
        readers: [(role: String, generation: Int, recipient: X25519Recipient)], options: AddOptions,
        by session: MemberSession, in db: Database
    ) throws -> [Item] {
        let now = clock.timestamp()
        guard try Row.fetchOne(db, sql: "SELECT 1 FROM cases WHERE id = ?", arguments: [caseID]) != nil else {
            throw VaultError.unknownCase(caseID)
        }
        // A generation retired since the readers were read would leave the items wrapped to an old key.
        for reader in readers
        where try RoleKeyring.currentGeneration(db, role: reader.role)?.generation != reader.generation {
            throw VaultError.roleKeyChanged(role: reader.role)
        }
        // Prepared once for the batch, not once per item.
        let insertItem = try db.cachedStatement(
            sql: """
                INSERT INTO items (id, case_id, class, size, sha256, object, header, metadata, replaces, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let insertReader = try db.cachedStatement(
            sql: "INSERT INTO item_readers (item, role, generation, stanza) VALUES (?, ?, ?, ?)")
        let (author, checks) = LogAuthor.batch(session)
        let readerRoles = readers.map(\.role)
        let readerList = Self.readerList(readers.map { ($0.role, $0.generation) })
        let roleList = readerRoles.joined(separator: ",")
        // The entries are made in runs ahead of this thread (`EntryRuns`), each run stored unsigned under one
        // signed `run.seal`; this thread stores run k while run k + 1 is made and its seal signed: a run is
        // submitted before the one ahead of it is taken.
        let runs = EntryRuns(
            chain: try trust.withLock { try $0.chainEnd(db) }, author: author, checks: checks)
        var submitted: [[PendingItem]] = []
        var nextIndex = 0
        func submitRun() throws {
            let run = try (nextIndex..<min(nextIndex + EntryRuns.runLength, count)).map { try pipeline.take($0) }
            nextIndex += run.count
            runs.submit(
                run.map { item in
                    var fields: [(key: String, value: String)] = [
                        ("item", item.id), ("case", caseID), ("class", options.itemClass.rawValue),
                        ("size", String(item.size)), ("sha256", item.sha256), ("object", item.object),
                        ("header", item.headerHash), ("metadata", item.metadataHash), ("readers", readerList),
                    ]
                    if let replaces = options.replaces { fields.append(("replaces", replaces)) }
                    fields += item.intake.map { (key: $0.0, value: $0.1) }
                    return EntryTemplate(type: .itemAdd, time: now, fields: fields)
                })
            submitted.append(run)
        }
        try submitRun()
        var items: [Item] = []
        items.reserveCapacity(count)
        while !submitted.isEmpty {
            if nextIndex < count { try submitRun() }
            let run = submitted.removeFirst()
            trust.withLock { $0.noteNewItems(run.map(\.id)) }
            defer { trust.withLock { $0.forgetNewItems() } }
            let made = try runs.take()
            for (item, made) in zip(run, made) {
                try insertItem.execute(arguments: [
                    item.id, caseID, options.itemClass.rawValue, item.size, item.sha256, item.object,
                    Data(item.header), Data(item.metadata), options.replaces, now, session.memberID,
                ])
                // `readers` is the order of the header's stanzas (`Age.makeHeader` in `encrypt`): record it.
                for (stanza, reader) in readers.enumerated() {
                    try insertReader.execute(arguments: [item.id, reader.role, reader.generation, stanza])
                }
                var detail =
                    "case \(caseID); class \(options.itemClass.rawValue); size \(item.size); readers \(roleList)"
                if let replaces = options.replaces { detail += "; replaces \(replaces)" }
                try Journal.append(
                    db, at: now, actor: session.member, action: "item.add", subject: item.id, detail: detail)
                try trust.withLock { try $0.appendMade(db, made, author: author) }
                items.append(
                    Item(
                        id: item.id, caseID: caseID, itemClass: options.itemClass, size: item.size,
                        sha256: item.sha256, object: item.object, readers: readerRoles, replaces: options.replaces,
                        createdAt: now, createdBy: session.member))
            }
            // A run of more than one item ends with its `run.seal`, the one signed entry of the run.
            for seal in made.dropFirst(run.count) { try trust.withLock { try $0.appendMade(db, seal, author: author) } }
        }
        // Before the commit: no entry the agent signed is committed unchecked.
        try runs.finish()
        return items
    }

    /// The reader roles for an add: the override (validated, de-duplicated) or the class defaults.
    func readerRoles(for options: AddOptions) throws -> [String] {
        var roles: [String] = []
        for role in options.readers ?? configuration.classReaders[options.itemClass] ?? [] where !roles.contains(role) {
            try Names.checkRole(role)
            guard configuration.roles.contains(role) else { throw VaultError.unknownRole(role) }
            roles.append(role)
        }
        guard !roles.isEmpty else { throw VaultError.invalidAdd(.noReaderRoles) }
        return roles
    }

    /// Checks that every path is a readable regular file, without opening any (a FIFO must not be opened
    /// for reading: with no writer, that blocks). `add` runs it first; a caller may run it earlier, before
    /// asking for a passphrase.
    /// Returns the files' total size.
    @discardableResult
    public static func checkInputs(_ files: [String]) throws -> Int64 {
        var total: Int64 = 0
        for path in files {
            var info = stat()
            guard stat(path, &info) == 0 else {
                let code = errno
                if code == ENOENT || code == ENOTDIR { throw VaultError.inputNotFound(path: path) }
                throw VaultError.inputUnreadable(path: path, errno: code)
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw VaultError.inputIsDirectory(path: path)
            default: throw VaultError.inputNotRegularFile(path: path)
            }
            guard access(path, R_OK) == 0 else { throw VaultError.inputUnreadable(path: path, errno: errno) }
            total += Int64(info.st_size)
        }
        return total
    }

    struct PendingItem: Sendable {
        let id: String
        let size: Int64
        let sha256: String
        let object: String
        let header: [UInt8]
        let metadata: [UInt8]
        /// The entry's intake fields (the item's custody intake event).
        let intake: [(String, String)]
        /// The SHA-256 of `header` and `metadata`, hex, as the log entry names them (hashed on the worker).
        let headerHash: String
        let metadataHash: String
    }

    /// Streams one input into a new durable object and seals its header and metadata (under the same header).
    private func encrypt(
        input: FileDescriptorStream, index: Int, path: String,
        readers: [(role: String, generation: Int, recipient: X25519Recipient)],
        options: AddOptions, durable: Bool
    ) throws -> PendingItem {
        let total = input.regularFileSize ?? -1
        let fileKey = try FileKey.generate()
        let header = try Age.makeHeader(fileKey: fileKey, recipients: readers.map(\.recipient))
        let object = try objects.makeObject(expectedSize: total >= 0 ? total : nil)
        let encryptor = try PayloadEncryptor(
            fileKey: fileKey, sink: object.file, expectedSize: total >= 0 ? total : nil)
        let sha256 = try Digest(.sha256)
        let extras = try options.extraDigests.filter { $0 != .sha256 }.map { try Digest($0) }

        // Two blocks in turn: the next block is read while the plaintext digests still hash the current one,
        // so the read is off the digest's critical path (the digest is the slowest stage on two cores).
        // A small file gets blocks of its own size (plus a page, to see the end in one read).
        let blockSize = total >= 0 && total < 1 << 20 ? (Int(total) / 4096 + 1) * 4096 : 1 << 20
        var current = Payload.allocateIOBuffer(blockSize)
        var next = Payload.allocateIOBuffer(blockSize)
        defer {
            for block in [current, next] {
                ConstantTime.wipe(block)
                block.deallocate()
            }
        }
        func readBlock(into block: UnsafeMutableRawBufferPointer) throws -> Int {
            do { return try input.read(into: block) } catch let error as IOError {
                throw VaultError.inputUnreadable(path: path, errno: error.errno)
            }
        }
        // The plaintext digests run on their own thread while the block is encrypted (and the object's own
        // SHA-256 computed) on this one: each SHA-256 costs about as much CPU as the encryption. A file under
        // 64 KiB is hashed inline: waking another thread would cost more than hashing it.
        let hashing = BackgroundDigests([sha256] + extras, inline: total >= 0 && total < 1 << 16)
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
        let name = try objects.commit(object, durable: durable)

        var metadata = ItemMetadata(
            filename: options.filename ?? FileSystem.baseName(path), note: options.note,
            collectedBy: options.collectedBy,
            collectedAt: options.collectedAt, source: options.source)
        for digest in extras { metadata.digests[digest.algorithm.rawValue] = Hex.encode(try digest.finalize()) }
        let encodedHeader = header.encoded()
        let sealedMetadata = try SealedBlob.seal(try encodeJSON(metadata), under: encodedHeader, fileKey: fileKey)
        return PendingItem(
            id: "it_" + FileSystem.randomHex(8), size: size, sha256: Hex.encode(try sha256.finalize()), object: name,
            header: encodedHeader, metadata: sealedMetadata,
            intake: options.intakeFields(sha512: metadata.digests[Digest.Algorithm.sha512.rawValue]),
            headerHash: try Self.sha256Hex(encodedHeader), metadataHash: try Self.sha256Hex(sealedMetadata))
    }
}
