import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB
import Synchronization

/// A vault folder: the database of metadata and envelopes, the content-addressed objects, member key
/// files, and a temporary area.
///
///     vault/            0700
///       vault.sqlite    the database (WAL: also vault.sqlite-wal, vault.sqlite-shm)
///       objects/xx/…    encrypted payloads, named by their SHA-256
///       keys/NAME.age   passphrase-protected member key files (0600)
///       tmp/            files being written; leftovers of interrupted runs are swept
///
/// A `Vault` is safe to use from several threads, and several processes may open the same folder: the
/// database serialises writers (with a busy timeout) and objects never collide.
public final class Vault: Sendable {
    /// The vault folder.
    public let path: String
    /// The roles and reader defaults stored at `init`, plus this process's key work factor.
    public let configuration: VaultConfiguration
    let database: DatabasePool
    let objects: ObjectStore
    let clock: VaultClock
    let vaultID: String
    /// Read-only media: everything that writes is refused (`write`), and nothing is swept.
    let databaseAccess: DatabaseAccess
    /// What this process has verified of the vault's signed log; every fact the vault acts on is checked
    /// against it. Advanced inside write transactions (and put back if one fails).
    let trust: Mutex<TrustedLog>

    static let databaseName = "vault.sqlite"
    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 60

    var databasePath: String { "\(path)/\(Self.databaseName)" }
    var keysPath: String { "\(path)/keys" }

    /// The path of a member's key file inside the vault.
    public func keyFilePath(for member: String) -> String { "\(keysPath)/\(member).age" }

    init(
        path: String, database: DatabasePool, configuration: VaultConfiguration, clock: VaultClock, vaultID: String,
        trust: TrustedLog = TrustedLog(), access: DatabaseAccess = .readWrite
    ) {
        self.path = path
        self.databaseAccess = access
        self.database = database
        self.configuration = configuration
        self.clock = clock
        self.vaultID = vaultID
        self.trust = Mutex(trust)
        objects = ObjectStore(vaultPath: path)
    }

    /// Opens an existing vault and verifies its signed log: from genesis, or, with `stateFolder`, from
    /// where this user's client last verified it (the vault must extend that history). The roles and
    /// default readers are the log's. Temporary files that interrupted runs left in `tmp/` are removed.
    /// A vault the user may not write (write-protected media, a read-only mount, a backup folder) is opened
    /// for reading only (`DatabaseAccess`): listing, showing and verifying work; writing is refused.
    ///
    /// - Parameters:
    ///   - keyWorkFactor: the scrypt work factor for key files this process creates (default: age's 18).
    ///   - clock: where times come from (tests inject one).
    ///   - stateFolder: this user's private folder of verified state (`…/casevault/vaults`); nil verifies
    ///     the whole log at every open and remembers nothing.
    ///   - readOnly: open for reading only even where the folder may be written (a backup being checked).
    ///   - verifyingLog: false leaves the log unverified (and `trusted()` failing), for `verifyWholeLog`,
    ///     which replays it from its first entry on its own and must report a log that fails.
    public static func open(
        at path: String, keyWorkFactor: Int = ScryptRecipient.defaultWorkFactor, clock: VaultClock = .system,
        stateFolder: String? = nil, readOnly: Bool = false, verifyingLog: Bool = true
    ) throws -> Vault {
        let path = normalized(path)
        try checkReadable(path)
        let file = "\(path)/\(databaseName)"
        let access = try DatabaseAccess.detect(folder: path, database: file, readOnly: readOnly)
        let pool = try openDatabase(at: file, access: access)
        let (stored, vaultID) = try mapDatabaseErrors { () throws -> (VaultConfiguration, String) in
            if try !pool.read({ db in try Schema.migrator.hasCompletedMigrations(db) }) {
                if access.isReadOnly {
                    // A vault an earlier release made, on read-only media, is read as it is when all it lacks
                    // is what reading does not need.
                    let pending = try pool.read { db in try Schema.pendingMigrations(db) }
                    guard pending.allSatisfy(Schema.notNeededForReading.contains) else {
                        throw VaultError.readOnlyVault(path: path, pendingLog: false)
                    }
                } else {
                    try Schema.migrator.migrate(pool)
                }
            }
            return try pool.read { db in try loadConfiguration(db, keyWorkFactor: keyWorkFactor) }
        }
        let trust = try verifyingLog ? verifiedLog(pool, vaultID: vaultID, stateFolder: stateFolder) : nil
        // The roles and default readers are the log's; the settings tables are a copy nobody signed.
        let configuration =
            trust.map { trusted in
                VaultConfiguration(
                    roles: trusted.state.roleOrder,
                    classReaders: Dictionary(
                        uniqueKeysWithValues: trusted.state.classReaders.compactMap { key, roles in
                            ItemClass(rawValue: key).map { ($0, roles.sorted()) }
                        }),
                    caseReaders: trusted.state.caseReaders, keyWorkFactor: keyWorkFactor)
            } ?? stored
        let vault = Vault(
            path: path, database: pool, configuration: configuration, clock: clock, vaultID: vaultID,
            trust: trust ?? TrustedLog(), access: access)
        if !access.isReadOnly { vault.objects.sweepTemporaries(now: Int(clock.now().timeIntervalSince1970)) }
        return vault
    }

    /// The vault's log, verified; nil for a vault made before vaults had one (it must be upgraded).
    static func verifiedLog(_ pool: DatabasePool, vaultID: String, stateFolder: String?) throws -> TrustedLog? {
        let cache = try stateFolder.map { try VerifiedCache(folder: $0, vaultID: vaultID) }
        var trusted = try cache?.load() ?? TrustedLog()
        let cachedSize = trusted.size
        trusted.cache = cache
        try mapDatabaseErrors {
            try pool.read { db in
                guard try Int.fetchOne(db, sql: "SELECT max(idx) FROM log_entries") != nil || trusted.size > 0 else {
                    return
                }
                try trusted.catchUp(db)
            }
        }
        guard trusted.size > 0 else { return nil }
        guard trusted.state.vaultID == vaultID else { throw SignedLogError.entry(index: 0, problem: .wrongVault) }
        // Saved only when the vault showed entries the cache lacks: saving an unchanged state was a write
        // transaction (and the JSON of the whole state) in every command.
        if let cache, trusted.size > cachedSize { trusted = try cache.save(trusted) }
        return trusted
    }

    /// Tells "no vault here" (nothing at the path, or no database in the folder) from "a vault that cannot
    /// be opened": a folder that may not be entered, a database that may not be read, a path through a
    /// file or a symbolic link loop. The latter names the path and the system's reason.
    static func checkReadable(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { throw VaultError.notAVault(path: path) }
            throw VaultError.vaultUnreadable(path: path, errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw VaultError.notAVault(path: path) }
        guard access(path, X_OK) == 0 else {
            throw VaultError.vaultUnreadable(path: path, errno: errno)
        }
        let database = "\(path)/\(databaseName)"
        // Non-blocking: whatever sits under that name, probing it must not hang.
        let fd = Glibc.open(database, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw VaultError.notAVault(path: path) }
            throw VaultError.vaultUnreadable(path: database, errno: code)
        }
        close(fd)
    }

    static func openDatabase(at file: String, access: DatabaseAccess = .readWrite) throws -> DatabasePool {
        var config = Configuration()
        config.readonly = access.isReadOnly
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "CaseVault"
        return try mapDatabaseErrors {
            let pool = try DatabasePool(path: access.location(of: file), configuration: config)
            if !access.isReadOnly {
                // FULL: a commit is on disk when it returns, as the durability rule for objects expects. Set
                // after opening: GRDB's pool sets its writer to NORMAL (WAL's usual choice, under which a
                // commit reaches the disk only at the next checkpoint) after `prepareDatabase` has run.
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
            return pool
        }
    }

    static func loadConfiguration(_ db: Database, keyWorkFactor: Int) throws -> (VaultConfiguration, String) {
        let settings = Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM settings").map {
                ($0["key"] as String, $0["value"] as String)
            })
        guard let version = settings["format"], version == Schema.formatVersion, let vaultID = settings["vault_id"]
        else {
            throw VaultError.unsupportedFormat
        }
        let roles = try String.fetchAll(db, sql: "SELECT name FROM roles ORDER BY created_at, rowid")
        var classReaders: [ItemClass: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT class, role FROM class_readers ORDER BY class, role") {
            if let itemClass = ItemClass(rawValue: row["class"]) {
                classReaders[itemClass, default: []].append(row["role"])
            }
        }
        let caseReaders = try String.fetchAll(db, sql: "SELECT role FROM case_reader_roles ORDER BY role")
        let configuration = VaultConfiguration(
            roles: roles, classReaders: classReaders, caseReaders: caseReaders, keyWorkFactor: keyWorkFactor)
        return (configuration, vaultID)
    }

    static func normalized(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p.isEmpty ? "." : p
    }

    // MARK: Database access

    /// Runs `body` in one IMMEDIATE write transaction, after catching up with log entries other processes
    /// appended; database errors become `VaultError.database`. The log entries `body` appends advance
    /// `trust` only if the transaction commits.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try checkWritable()
        let before = trust.withLock { $0 }
        let result: T
        do {
            result = try Self.mapDatabaseErrors {
                try database.write { db in
                    DurabilityTrace.note(.writeLockTaken)
                    // First, as `read` does: `body` compares the rows it reads (a role's current key) with the
                    // log, and another process may have appended since. The write lock keeps both as they are.
                    try trust.withLock { trusted in if trusted.size > 0 { try trusted.catchUp(db) } }
                    let result = try body(db)
                    // The entries this transaction appended get one checkpoint, in the same transaction.
                    try trust.withLock { try $0.writeCheckpoint(db) }
                    return result
                }
            }
        } catch {
            trust.withLock { $0 = before }
            throw error
        }
        DurabilityTrace.note(.databaseCommitted)
        // Best effort: a cache that lags is caught up from the vault next time.
        trust.withLock { trusted in
            if let cache = trusted.cache, let saved = try? cache.save(trusted) { trusted = saved }
        }
        return result
    }

    /// Runs `body` in a read transaction, after catching up with log entries other processes appended,
    /// so that what `body` checks against the log is current.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapDatabaseErrors {
            try database.read { db in
                try trust.withLock { trusted in if trusted.size > 0 { try trusted.catchUp(db) } }
                return try body(db)
            }
        }
    }

    /// Refuses, before any work, an operation that writes to a vault opened read-only: one that writes files
    /// into the folder before its transaction (objects, key files), or one that would ask for a passphrase
    /// only to fail at its log entry.
    func checkWritable() throws {
        guard !databaseAccess.isReadOnly else { throw VaultError.readOnlyVault(path: path, pendingLog: false) }
    }

    static func mapDatabaseErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw VaultError.database(error.message ?? "SQLite error \(error.resultCode.rawValue)")
        }
    }

    // MARK: Sessions

    /// Unlocks `member` with their passphrase: opens their key file (`keys/NAME.age`, or `keyFile` when it
    /// lives outside the vault) and checks that it holds the keys registered for that member.
    /// A wrong passphrase throws `VaultError.wrongPassphrase` and changes nothing.
    public func unlock(_ member: String, passphrase: SecureBytes, keyFile: String? = nil) throws -> MemberSession {
        let record = try memberRecord(named: member)
        try checkNotRemoved(record)
        let file = keyFile ?? keyFilePath(for: member)
        let bytes = try VaultFiles.readSmallFile(
            file, limit: IdentityFile.maximumSize * 2, missing: .keyFileMissing(path: file))
        let keys = try MemberKeys.open(keyFile: bytes, path: file, member: member, passphrase: passphrase)
        return try session(record, keys: keys, mismatch: .keyFileMismatch(member: member, path: file))
    }

    /// A session for an active member whose keys, however they were reached (key file or agent), are the
    /// ones registered for them; otherwise `mismatch`.
    func session(_ record: MemberRecord, keys: MemberKeyAccess, mismatch: VaultError) throws -> MemberSession {
        try checkNotRemoved(record)
        guard keys.recipient == record.recipient, keys.signingPublicKeyHex == record.signingKey else {
            throw mismatch
        }
        // A vault without a log yet can only be upgraded, by an admin who unlocks with their key file.
        if trust.withLock({ $0.size }) > 0 {
            try checkMemberKeys(name: record.name, recipient: record.recipient, signingKey: record.signingKey)
        }
        return MemberSession(member: record.name, memberID: record.id, vaultID: vaultID, keys: keys)
    }

    /// The log says who is removed, not the folder: a removal undone in the folder is not undone, and one
    /// the folder invents is tampering (65), not a removal (77).
    func checkNotRemoved(_ record: MemberRecord) throws {
        let removedInLog = trust.withLock({ $0.size }) > 0 ? try trusted().state.members[record.name]?.removed : nil
        if removedInLog == true { throw VaultError.memberRemoved(record.name) }
        guard record.removedAt == nil else {
            if removedInLog == false { throw VaultError.notInLog(.member(record.name, field: "removal")) }
            throw VaultError.memberRemoved(record.name)
        }
    }

    func checkSession(_ session: MemberSession) throws {
        guard session.vaultID == vaultID else {
            throw VaultError.notPermitted(.sessionOfAnotherVault)
        }
    }

    // MARK: Maintenance

    /// Removes objects that no item names and that are more than a day old (leftovers of adds that
    /// failed after writing their object). Returns how many were removed.
    @discardableResult
    public func sweepOrphanObjects() throws -> Int {
        // Objects a re-encryption replaced are kept until a backup holds their replacements.
        let referenced = try read { db in
            Set(try String.fetchAll(db, sql: "SELECT object FROM items")).union(try supersededObjects(db))
        }
        return objects.sweepOrphans(referenced: referenced, now: Int(clock.now().timeIntervalSince1970)).count
    }
}
