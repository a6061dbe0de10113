import CaseVaultAge
import CaseVaultCrypto
import GRDB

extension Vault {
    /// Decrypts an item to `outputPath` and checks its size and SHA-256 against the recorded ones before
    /// the file appears: plaintext goes to a temporary file beside the output (0600), which is fsynced and
    /// renamed into place only after every check passed. On any failure no output file is left.
    @discardableResult
    public func get(_ itemID: String, to outputPath: String, overwrite: Bool = false, by session: MemberSession) throws
        -> Item
    {
        let (record, fileKey) = try unlockItem(itemID, session: session)
        if !overwrite && FileSystem.exists(outputPath) { throw VaultError.outputExists(path: outputPath) }
        // The output's writer hashes the plaintext on its own queue as it copies each block out, so the
        // SHA-256 overlaps the decryption of the next batch and the disk writes instead of holding up the
        // decryptor. The temporary file is made durable, then checked, and only then shown under its name.
        let digest = try Digest(.sha256)
        let output = try atomicOutput(outputPath, overwrite: overwrite, digest: digest)
        try decryptPayload(
            record, fileKey: fileKey, source: objects.open(record.item.object, subject: "item \(itemID)"),
            to: output)
        try ioStep("write \(outputPath)") { try output.finish() }
        try checkPlaintext(record, size: Int64(output.byteCount), digest: digest)
        try write { db in
            try Journal.append(
                db, at: clock.timestamp(), actor: session.member, action: "item.get", subject: itemID,
                detail: "verified sha256")
        }
        try ioStep("write \(outputPath)") { try output.commit() }
        return record.item
    }

    /// Streams an item's plaintext to `sink` (standard output, say), chunk by authenticated chunk, and
    /// checks the SHA-256 at the end. Unlike `get`, bytes reach the sink before the final check: on an
    /// error the caller must discard what was written.
    @discardableResult
    public func decrypt(_ itemID: String, to sink: ByteSink, by session: MemberSession) throws -> Item {
        let (record, fileKey) = try unlockItem(itemID, session: session)
        try decryptVerified(
            record, fileKey: fileKey, source: objects.open(record.item.object, subject: "item \(itemID)"), to: sink)
        try write { db in
            try Journal.append(
                db, at: clock.timestamp(), actor: session.member, action: "item.get", subject: itemID,
                detail: "verified sha256; streamed")
        }
        return record.item
    }

    /// Writes a standard age file that `age -d` opens with the given recipient's key or passphrase. The
    /// item is re-encrypted under a fresh file key on the way out, so the export's key opens that copy and
    /// nothing in the vault; the plaintext is verified against the recorded SHA-256 before the file appears.
    @discardableResult
    public func export(
        _ itemID: String, to target: ExportTarget, outputPath: String, overwrite: Bool = false,
        by session: MemberSession
    ) throws -> Item {
        let recipient: Recipient
        let description: String
        switch target {
        case .recipient(let text):
            guard let parsed = try? X25519Recipient(text) else {
                throw VaultError.invalidArgument(
                    "\"\(text.prefix(20))…\" is not an age recipient. It should start with age1.")
            }
            recipient = parsed
            description = "to \(parsed.description)"
        case .passphrase(let passphrase, let workFactor):
            do { recipient = try ScryptRecipient(passphrase: passphrase, workFactor: workFactor) } catch {
                throw VaultError.invalidArgument(
                    "The export passphrase is empty or its work factor is out of range. Choose another.")
            }
            description = "to a passphrase"
        }
        let (record, fileKey) = try unlockItem(itemID, session: session)
        if !overwrite && FileSystem.exists(outputPath) { throw VaultError.outputExists(path: outputPath) }
        let output = try atomicOutput(outputPath, overwrite: overwrite)
        let writer = try AgeWriter(sink: output, recipients: [recipient])
        let object = try objects.open(record.item.object, subject: "item \(itemID)")
        try decryptVerified(record, fileKey: fileKey, source: object, to: writer)
        try ioStep("write \(outputPath)") { try writer.finish() }
        try write { db in
            try Journal.append(
                db, at: clock.timestamp(), actor: session.member, action: "item.export", subject: itemID,
                detail: description)
        }
        try ioStep("write \(outputPath)") { try output.commit() }
        return record.item
    }

    // MARK: Internals

    /// The item's record and file key, unwrapped with the session's role keys. Access is decided here by
    /// cryptography: without an envelope that opens a reader role's key, there is no file key.
    ///
    /// The vault records which role generations the header is wrapped to (`item_readers`), so a member who
    /// holds the key of one of them is owed a stanza that opens. When none does, the header was altered or
    /// damaged (65), not a question of entitlement (77): age alone cannot tell the two apart, the record can.
    func unlockItem(_ itemID: String, session: MemberSession) throws -> (ItemRecord, SecureBytes) {
        try checkSession(session)
        let (record, opened) = try read { db in
            let record = try itemRecord(db, itemID)
            let opened = try RoleKeyring.openIdentities(db, session: session, roles: Array(record.generations.keys))
            return (record, opened)
        }
        let identities = Self.identities(for: record, from: opened)
        guard !identities.isEmpty else {
            throw VaultError.notAReader(subject: "item \(itemID)", readers: record.item.readers)
        }
        let subject = "The envelope of item \(itemID)"
        do {
            let (header, rest) = try Header.parse(record.header)
            guard rest.isEmpty else { throw AgeError.header("bytes follow the header") }
            return (record, try FileKey.unwrap(header, identities: identities))
        } catch let error as AgeError {
            if case .noMatch = error {
                let held = record.generations.filter { opened[$0.key]?[$0.value] != nil }.keys.sorted()
                throw VaultError.integrityFailure(
                    subject: subject,
                    detail: "no stanza opens with the key of \(held.joined(separator: ", ")), a reader role you "
                        + "hold, so the envelope is damaged")
            }
            throw VaultError.integrityFailure(
                subject: subject, detail: "the envelope is damaged (\(error.description))")
        }
    }

    /// Decrypts the payload from `source`, writing verified chunks to `sink`, and checks the recorded size
    /// and SHA-256.
    func decryptVerified(_ record: ItemRecord, fileKey: SecureBytes, source: ByteSource, to sink: ByteSink) throws {
        let digest = try Digest(.sha256)
        // Verified plaintext arrives a batch (up to 2 MiB) at a time and is hashed while it is written and
        // while the next batch is opened.
        let tee = DigestingTee(BackgroundDigests([digest]), next: sink)
        try decryptPayload(record, fileKey: fileKey, source: source, to: tee)
        try tee.finish()
        try checkPlaintext(record, size: tee.byteCount, digest: digest)
    }

    /// Decrypts the payload from `source` into `sink`, verified chunk by chunk; checks nothing else.
    private func decryptPayload(_ record: ItemRecord, fileKey: SecureBytes, source: ByteSource, to sink: ByteSink)
        throws
    {
        do {
            try PayloadDecryptor(fileKey: fileKey, source: source).decrypt(to: sink)
        } catch let error as AgeError {
            if case .io(let reason) = error {
                throw VaultError.io(operation: "decrypt item \(record.item.id)", reason: reason)
            }
            throw VaultError.integrityFailure(subject: "Item \(record.item.id)", detail: error.detail)
        }
    }

    /// Checks the decrypted plaintext's size and SHA-256 (`digest` has seen every byte) against the record.
    private func checkPlaintext(_ record: ItemRecord, size: Int64, digest: Digest) throws {
        let subject = "Item \(record.item.id)"
        guard size == record.item.size else {
            throw VaultError.integrityFailure(
                subject: subject, detail: "it decrypted to \(size) bytes, not the recorded \(record.item.size)")
        }
        guard Hex.encode(try digest.finalize()) == record.item.sha256 else {
            throw VaultError.integrityFailure(subject: subject, detail: "its SHA-256 does not match the recorded one")
        }
    }

    private func atomicOutput(_ path: String, overwrite: Bool, digest: Digest? = nil) throws -> AtomicFileSink {
        do {
            return try AtomicFileSink(path: path, mode: 0o600, overwrite: overwrite, digest: digest)
        } catch let error as AgeError {
            if FileSystem.exists(path) && !overwrite { throw VaultError.outputExists(path: path) }
            throw VaultError.io(operation: "create \(path)", reason: error.detail)
        }
    }

    private func ioStep(_ operation: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as AgeError {
            throw VaultError.io(operation: operation, reason: error.detail)
        }
    }
}
