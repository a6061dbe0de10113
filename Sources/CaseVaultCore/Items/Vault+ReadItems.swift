import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import GRDB

/// Where `get` and `export` put what they read.
public enum ItemOutput {
    /// A file that appears only once it is complete and verified. With a nil path, the item's original
    /// file name (made safe, shortened if the folder's file system needs it) in `folder`.
    case file(path: String?, folder: String = ".", overwrite: Bool = false)
    /// A stream that cannot be taken back (standard output): verified chunks are released as they
    /// decrypt, and the SHA-256 check comes after the last byte; on failure the reader must discard them.
    case stream(ByteSink)
}

/// What `get` or `export` wrote.
public struct ItemOutputResult: Sendable {
    public let item: Item
    /// The file written; nil for a stream.
    public let path: String?
    /// True when the original file name was too long for the destination and was shortened.
    public let shortenedName: Bool
}

extension Vault {
    /// Decrypts an item and checks its size and SHA-256 against the recorded ones. To a file, the
    /// plaintext goes to an unnamed file in the destination folder (0600), which is made durable,
    /// checked, and only then named: on any failure no output appears, and a killed process leaves nothing.
    ///
    /// `session` is evaluated only after the item is found, so an unknown item fails before anyone is
    /// asked for a passphrase; the item's record is read once and the member's role keys opened once.
    /// `progress` gets (bytes done, total) as plaintext is released.
    @discardableResult
    public func get(
        _ itemID: String, to output: ItemOutput, by session: @autoclosure () throws -> MemberSession,
        progress: ((Int64, Int64) -> Void)? = nil
    ) throws -> ItemOutputResult {
        // A read is recorded in the log before its first byte: on read-only media it cannot be.
        try checkWritable()
        // The output's writer hashes the plaintext on its own queue as it copies each block out, so the
        // SHA-256 overlaps the decryption of the next batch and the disk writes.
        let digest = try Digest(.sha256)
        // A named output that exists is refused before anyone is asked for a passphrase.
        var early: AtomicFileSink?
        if case .file(let path?, _, let overwrite) = output {
            early = try atomicOutput(path, overwrite: overwrite, digest: digest)
        }
        let opened = try openItem(itemID, session: session)
        let record = opened.record
        switch output {
        case .stream(let sink):
            // Recorded before the first byte leaves: a stream cannot be taken back.
            try recordRead(opened, .itemGet, [("output", "stream")], journal: "verified sha256; streamed")
            try decryptVerified(opened, to: counting(sink, record, progress))
            return ItemOutputResult(item: record.item, path: nil, shortenedName: false)
        case .file(let path, let folder, let overwrite):
            let (target, shortened) = try outputPath(path, folder: folder, suffix: "", opened)
            let file = try early ?? atomicOutput(target, overwrite: overwrite, digest: digest)
            try decryptPayload(opened, to: counting(file, record, progress))
            try file.finish()
            try checkPlaintext(record, size: Int64(file.byteCount), digest: digest)
            try recordRead(opened, .itemGet, [("output", "file")], journal: "verified sha256")
            try commit(file)
            return ItemOutputResult(item: record.item, path: target, shortenedName: shortened)
        }
    }

    /// Writes a standard age file that `age -d` opens with the given recipient's key or passphrase. The
    /// item is re-encrypted under a fresh file key on the way out, so the export's key opens that copy and
    /// nothing in the vault; the plaintext is verified against the recorded SHA-256 before the file appears.
    /// A nil path exports to the item's original file name plus `.age` in `folder`.
    @discardableResult
    public func export(
        _ itemID: String, to target: ExportTarget, output: ItemOutput,
        by session: @autoclosure () throws -> MemberSession, progress: ((Int64, Int64) -> Void)? = nil,
        purpose: CustodyRemarks? = nil
    ) throws -> ItemOutputResult {
        try checkWritable()
        let recipient: Recipient
        let description: String
        let logTo: String
        switch target {
        case .recipient(let text):
            guard let parsed = try? X25519Recipient(text) else {
                throw VaultError.invalidRecipient(prefix: String(text.prefix(20)))
            }
            recipient = parsed
            description = "to \(parsed.description)"
            logTo = parsed.description
        case .passphrase(let passphrase, let workFactor):
            do { recipient = try ScryptRecipient(passphrase: passphrase, workFactor: workFactor) } catch {
                throw VaultError.unusableExportPassphrase
            }
            description = "to a passphrase"
            logTo = "passphrase"
        }
        // The exported bytes are hashed as they are written: the custody event records their SHA-256.
        let exported = try Digest(.sha256)
        var early: AtomicFileSink?
        if case .file(let path?, _, let overwrite) = output {
            early = try atomicOutput(path, overwrite: overwrite, digest: exported)
        }
        let opened = try openItem(itemID, session: session)
        let record = opened.record
        switch output {
        case .stream(let sink):
            try recordRead(
                opened, .itemExport, [("to", logTo)], journal: description + "; streamed", remarks: purpose)
            let writer = try AgeWriter(sink: sink, recipients: [recipient])
            try decryptVerified(opened, to: counting(writer, record, progress))
            try writer.finish()
            return ItemOutputResult(item: record.item, path: nil, shortenedName: false)
        case .file(let path, let folder, let overwrite):
            let (target, shortened) = try outputPath(path, folder: folder, suffix: ".age", opened)
            let file = try early ?? atomicOutput(target, overwrite: overwrite, digest: exported)
            let writer = try AgeWriter(sink: file, recipients: [recipient])
            try decryptVerified(opened, to: counting(writer, record, progress))
            try writer.finish()
            try file.finish()
            try recordRead(
                opened, .itemExport, [("to", logTo)], journal: description,
                exported: Hex.encode(try exported.finalize()), remarks: purpose)
            try commit(file)
            return ItemOutputResult(item: record.item, path: target, shortenedName: shortened)
        }
    }

    // MARK: Internals

    /// An item with what its reader needs: the record, the session's keys for it, and the file key.
    struct OpenedItem {
        let record: ItemRecord
        let session: MemberSession
        let identities: [Identity]
        let fileKey: SecureBytes
    }

    /// Loads the item's record, then (only then) the session, opens the session's role keys for the item
    /// once, and unwraps the file key. Access is decided here by cryptography: without an envelope that
    /// opens a reader role's key, there is no file key.
    func openItem(_ itemID: String, session: () throws -> MemberSession) throws -> OpenedItem {
        let record = try read { db in try itemRecord(db, itemID) }
        let session = try session()
        try checkSession(session)
        let opened = try read { db in
            try openRoleKeys(db, session: session, roles: Array(record.generations.keys))
        }
        let identities = Self.identities(for: record, from: opened)
        guard !identities.isEmpty else {
            // The refusal is recorded, signed by the member who asked, before it is reported.
            try write { db in
                try appendLog(
                    db, .accessRefused, [("item", itemID), ("action", "read")], by: LogAuthor(session: session),
                    at: clock.timestamp())
            }
            throw VaultError.notAReader(subject: .item(itemID), readers: record.item.readers)
        }
        let fileKey = try Self.unwrapFileKey(record, opened: opened)
        return OpenedItem(record: record, session: session, identities: identities, fileKey: fileKey)
    }

    /// The item's file key, from the member's opened role keys. The vault records (and the signed log
    /// binds) which role generations the header is wrapped to, so a member who holds one of those keys is
    /// owed a stanza that opens: when none does, the envelope is damaged (65), not a question of entitlement
    /// (77). age alone cannot tell the two apart.
    static func unwrapFileKey(_ record: ItemRecord, opened: [String: [Int: X25519Identity]]) throws -> SecureBytes {
        let itemID = record.item.id
        do {
            let (header, rest) = try Header.parse(record.header)
            guard rest.isEmpty else { throw AgeError.header("bytes follow the header") }
            return try FileKey.unwrap(header, identities: identities(for: record, from: opened))
        } catch let error as AgeError {
            if case .noMatch = error {
                let held = record.generations.keys.sorted().filter { opened[$0]?[record.generations[$0]!] != nil }
                throw VaultError.integrityFailure(
                    subject: .itemEnvelope(itemID), damage: .envelopeDoesNotOpen(role: held.joined(separator: ", ")))
            }
            throw VaultError.integrityFailure(subject: .itemEnvelope(itemID), damage: .age(error))
        }
    }

    /// The item's decrypted metadata, with keys already opened.
    func metadata(of opened: OpenedItem) throws -> ItemMetadata {
        let id = opened.record.item.id
        guard
            let plain = try SealedBlob.open(
                opened.record.metadata, identities: opened.identities, subject: .itemMetadata(id))
        else {
            throw VaultError.integrityFailure(subject: .itemMetadata(id), damage: .notAddressedToMember)
        }
        return try decodeJSON(ItemMetadata.self, plain, subject: .itemMetadata(id))
    }

    /// The given path, or the item's original file name (plus `suffix`) in `folder`.
    private func outputPath(_ path: String?, folder: String, suffix: String, _ opened: OpenedItem) throws
        -> (String, shortened: Bool)
    {
        if let path { return (path, false) }
        let original = Names.safeFileName(try metadata(of: opened).filename) ?? opened.record.item.id
        let (name, shortened) = Names.fitFileName(original + suffix, limit: FileSystem.nameLimit(in: folder))
        return (folder == "." ? name : folder + "/" + name, shortened)
    }

    /// Decrypts the payload into `sink`, and checks the recorded size and SHA-256.
    func decryptVerified(_ opened: OpenedItem, to sink: ByteSink) throws {
        let digest = try Digest(.sha256)
        // Verified plaintext arrives a batch (up to 2 MiB) at a time and is hashed while it is written and
        // while the next batch is opened.
        let tee = DigestingTee(BackgroundDigests([digest]), next: sink)
        try decryptPayload(opened, to: tee)
        try tee.finish()
        try checkPlaintext(opened.record, size: tee.byteCount, digest: digest)
    }

    /// Decrypts the payload into `sink`, verified chunk by chunk; checks nothing else.
    private func decryptPayload(_ opened: OpenedItem, to sink: ByteSink) throws {
        let item = opened.record.item
        let source = try objects.open(item.object, subject: .item(item.id))
        do {
            try PayloadDecryptor(fileKey: opened.fileKey, source: source).decrypt(to: sink)
        } catch let error as AgeError {
            throw VaultError.integrityFailure(subject: .item(item.id), damage: .age(error))
        }
    }

    /// Checks the decrypted plaintext's size and SHA-256 (`digest` has seen every byte) against the record.
    func checkPlaintext(_ record: ItemRecord, size: Int64, digest: Digest) throws {
        guard size == record.item.size else {
            throw VaultError.integrityFailure(
                subject: .item(record.item.id), damage: .sizeMismatch(actual: size, recorded: record.item.size))
        }
        guard ConstantTime.equals(Array(Hex.encode(try digest.finalize()).utf8), Array(record.item.sha256.utf8))
        else {
            throw VaultError.integrityFailure(subject: .item(record.item.id), damage: .sha256Mismatch)
        }
    }

    private func counting(_ sink: ByteSink, _ record: ItemRecord, _ progress: ((Int64, Int64) -> Void)?) -> ByteSink {
        guard let progress else { return sink }
        let total = record.item.size
        return CountingSink(sink) { progress($0, total) }
    }

    /// Records the read in the journal and the signed log before anything is released: an operation whose
    /// entry cannot be written does not happen.
    /// They are custody events: access, or export with the exported bytes' SHA-256 and the sealed purpose.
    private func recordRead(
        _ opened: OpenedItem, _ type: EntryType, _ fields: [(String, String)], journal detail: String,
        exported: String? = nil, remarks: CustodyRemarks? = nil
    ) throws {
        try write { db in
            let now = clock.timestamp()
            let id = opened.record.item.id
            try Journal.append(
                db, at: now, actor: opened.session.member, action: type.rawValue, subject: id, detail: detail)
            var trailing: [(String, String)] = exported.map { [("export-sha256", $0)] } ?? []
            if let remarks {
                trailing.append(("private", try storeRemarks(db, remarks, readers: opened.record.item.readers)))
            }
            try appendCustodyEvent(
                db, type, item: id, leading: fields, trailing: trailing, by: LogAuthor(session: opened.session),
                at: now)
        }
    }

    private func atomicOutput(_ path: String, overwrite: Bool, digest: Digest? = nil) throws -> AtomicFileSink {
        do {
            return try AtomicFileSink(path: path, mode: 0o600, overwrite: overwrite, digest: digest)
        } catch let error as IOError where error.code == .exists {
            throw VaultError.outputExists(path: path)
        }
    }

    private func commit(_ file: AtomicFileSink) throws {
        do { try file.commit() } catch let error as IOError where error.code == .exists {
            throw VaultError.outputExists(path: file.path)
        }
    }
}
