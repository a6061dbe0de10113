import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// The content-addressed folder of encrypted payloads: `objects/xx/<sha256hex>`, where the name is the
/// SHA-256 of the file's bytes (an age payload: 16-byte nonce, then STREAM chunks) and `xx` its first two
/// hex digits. An object is written as an unnamed file (or, where the system cannot, under `tmp/`), made
/// durable and only then named at its address; the database row that names it commits after that. An
/// object no row names (after a crash or a failed add) is harmless and `sweepOrphans` may remove it.
struct ObjectStore: Sendable {
    let objectsPath: String
    let temporaryPath: String

    init(vaultPath: String) {
        objectsPath = vaultPath + "/objects"
        temporaryPath = vaultPath + "/tmp"
    }

    /// Temporary files older than this are leftovers of interrupted runs. A live writer touches its file
    /// at least every few milliseconds, so the margin is generous.
    static let staleAge = 3600
    /// Orphan objects are removed only after a day: a batch add names each object as soon as it is
    /// written and records them all in one commit at the end, which for huge files can take hours.
    static let orphanAge = 86400

    func path(of object: String) -> String { "\(objectsPath)/\(object.prefix(2))/\(object)" }

    /// A new object being written; `expectedSize` (the plaintext's size, when known) sizes its buffers.
    func makeObject(expectedSize: Int64?) throws -> NewObject {
        // The payload is a little larger than the plaintext: a 16-byte nonce and 16 bytes per 64 KiB chunk.
        let payloadSize = expectedSize.map { $0 + 16 + 16 * ($0 / 65536 + 1) }
        let digest = try Digest(.sha256)
        // Ciphertext: its buffers need no wiping, which for a small object costs more than the write.
        let file = try TemporaryFile(
            in: temporaryPath, digest: digest, ringSize: DirectFileWriter.deepRingSize, expectedSize: payloadSize,
            wipes: false)
        return NewObject(file: file, digest: digest)
    }

    /// Names a finished object at its content address and returns the name (the SHA-256 of its bytes,
    /// hex). With `durable`, the object's data and its new name are synced before this returns; without,
    /// the caller syncs the file system once for a batch (`ObjectStore.syncAll`) before recording any.
    func commit(_ object: NewObject, durable: Bool) throws -> String {
        try object.file.finish(sync: durable)
        let name = Hex.encode(try object.digest.finalize())
        // Named first, and its folder made only if the name's folder is missing: it exists for all but the
        // first object of each two-digit prefix, and a `stat` of it before every link was 0.7% of the CPU of
        // a batch add of small files.
        do {
            try link(object, as: name, durable: durable)
        } catch let error as IOError where error.errno == ENOENT {
            try FileSystem.makeDirectory("\(objectsPath)/\(name.prefix(2))")
            if durable { try FileSystem.syncFolder(objectsPath) }
            try link(object, as: name, durable: durable)
        }
        return name
    }

    private func link(_ object: NewObject, as name: String, durable: Bool) throws {
        do {
            try object.file.link(at: path(of: name), syncFolder: durable)
        } catch let error as IOError where error.code == .exists {
            // The same bytes are stored already (objects are named by content), which is as good.
        }
    }

    /// Makes every object committed without `durable` durable, with their names: one syncfs.
    func syncAll() throws { try FileSystem.syncFileSystem(holding: objectsPath) }

    /// Opens an object for reading.
    func open(_ name: String, subject: VaultError.Subject) throws -> FileDescriptorStream {
        do { return try FileSystem.openRegularFile(path(of: name)) } catch let error as IOError
            where error.errno == ENOENT
        {
            throw VaultError.missingObject(subject: subject, path: path(of: name))
        } catch let error as IOError where error.code == .notRegularFile {
            throw VaultError.integrityFailure(subject: subject, damage: .objectNotRegularFile)
        }
    }

    /// Removes temporary files left by interrupted runs. Files younger than `staleAge` may belong to a
    /// writer that is still running in another process and are kept.
    @discardableResult
    func sweepTemporaries(now: Int, olderThan limit: Int = ObjectStore.staleAge) -> Int {
        var removed = 0
        for name in FileSystem.contents(of: temporaryPath) {
            let path = "\(temporaryPath)/\(name)"
            if let age = FileSystem.age(of: path, now: now), age >= limit, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Every object name present in the folder.
    func allObjects() -> [String] {
        var names: [String] = []
        for prefix in FileSystem.contents(of: objectsPath) where prefix.utf8.count == 2 {
            for name in FileSystem.contents(of: "\(objectsPath)/\(prefix)") where name.hasPrefix(prefix) {
                names.append(name)
            }
        }
        return names
    }

    /// Removes objects that no item names and that are older than `limit` (younger ones may be about to be
    /// named by an add that is still running). Returns the names removed.
    func sweepOrphans(referenced: Set<String>, now: Int, olderThan limit: Int = ObjectStore.orphanAge) -> [String] {
        var removed: [String] = []
        for name in allObjects() where !referenced.contains(name) {
            let path = path(of: name)
            if let age = FileSystem.age(of: path, now: now), age >= limit, unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }
}

/// An object being written: its bytes are hashed as they are written (the SHA-256 is its name). Dropping
/// it before `commit` leaves nothing behind.
struct NewObject {
    let file: TemporaryFile
    let digest: Digest
}
