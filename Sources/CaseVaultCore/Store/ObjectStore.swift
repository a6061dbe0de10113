import CaseVaultAge
import CaseVaultCrypto
import Glibc

/// The content-addressed folder of encrypted payloads: `objects/xx/<sha256hex>`, where the name is the
/// SHA-256 of the file's bytes (an age payload: 16-byte nonce, then STREAM chunks) and `xx` its first two
/// hex digits. Objects are written under `tmp/`, fsynced, renamed into place and their folder fsynced
/// before any database row names them; an object no row names (after a crash or a failed add) is
/// harmless and `sweepOrphans` may remove it.
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
    /// Orphan objects are removed only after a day: a batch add renames each object as soon as it is
    /// written and names them all in one commit at the end, which for huge files can take hours.
    static let orphanAge = 86400

    func path(of object: String) -> String { "\(objectsPath)/\(object.prefix(2))/\(object)" }

    /// A new, exclusively created temporary object file (0600) under `tmp/`.
    func makeTemporary() throws -> TemporaryObject {
        let path = "\(temporaryPath)/object-\(FileSystem.randomHex(12)).tmp"
        let digest = try Digest(.sha256)
        let file: DirectFileWriter
        do {
            file = try DirectFileWriter(
                creating: path, mode: 0o600, digest: digest, ringSize: DirectFileWriter.deepRingSize)
        } catch let error as AgeError {
            throw VaultError.io(operation: "create a temporary file in \(temporaryPath)", reason: error.detail)
        }
        return try TemporaryObject(path: path, file: file, digest: digest)
    }

    /// Moves a finished temporary object to its content address and makes the move durable. Returns the
    /// object's name (the SHA-256 of its bytes, hex).
    func commit(_ temporary: TemporaryObject) throws -> String {
        let name = try temporary.seal()
        let folder = "\(objectsPath)/\(name.prefix(2))"
        if !FileSystem.isDirectory(folder) {
            try FileSystem.makeDirectory(folder)
            try FileSystem.syncFolder(objectsPath)
        }
        let final = path(of: name)
        guard rename(temporary.path, final) == 0 else {
            throw VaultError.io(operation: "move a new object into \(folder)", reason: FileSystem.errorText())
        }
        temporary.markCommitted()
        try FileSystem.syncFolder(folder)
        return name
    }

    /// Opens an object for reading.
    func open(_ name: String, subject: String) throws -> FileDescriptorStream {
        let fd = Glibc.open(path(of: name), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw VaultError.missingObject(subject: subject, path: path(of: name)) }
            throw VaultError.io(operation: "read \(path(of: name))", reason: FileSystem.errorText(code))
        }
        return FileDescriptorStream(fd: fd, owned: true)
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

/// An object being written under `tmp/`. Its bytes are hashed as they are written; dropping it before
/// `commit` removes the file, so a failed or interrupted add leaves nothing behind but (at worst, after a
/// crash) a stale temporary file that the next open sweeps.
final class TemporaryObject: ByteSink {
    let path: String
    /// Hashes what it writes, in the background: the object's SHA-256 is its name.
    private let file: DirectFileWriter
    private let digest: Digest
    private var committed = false
    private var interruptToken: Int?

    init(path: String, file: DirectFileWriter, digest: Digest) throws {
        self.path = path
        self.file = file
        self.digest = digest
        interruptToken = TemporaryFiles.remember(path)
    }

    deinit {
        if !committed { unlink(path) }
        TemporaryFiles.forget(interruptToken)
    }

    private func forgetForInterrupt() {
        TemporaryFiles.forget(interruptToken)
        interruptToken = nil
    }

    var byteCount: UInt64 { file.byteCount }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        do { try file.write(bytes) } catch let error as AgeError {
            throw VaultError.io(operation: "write a new object", reason: error.detail)
        }
    }

    /// Flushes and fsyncs the file; returns the hex SHA-256 of its bytes.
    fileprivate func seal() throws -> String {
        do {
            try file.finish()
        } catch let error as AgeError {
            throw VaultError.io(operation: "write a new object", reason: error.detail)
        }
        return Hex.encode(try digest.finalize())
    }

    fileprivate func markCommitted() {
        committed = true
        forgetForInterrupt()
    }
}
