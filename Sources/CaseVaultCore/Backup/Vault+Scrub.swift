import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What `verify` is asked to do besides checking.
public struct ScrubOptions: Sendable {
    /// Also decrypt every item the session's roles can read, checking every tag and the plaintext SHA-256.
    public var deep: Bool
    /// A backup folder to replace damaged or missing objects from (each checked against its name first).
    public var repairFrom: String?
    /// Backup folders this user made, to say which hold a good copy of a damaged object.
    public var knownBackups: [String]
    /// Objects no item names are removed once older than this (seconds); younger ones may belong to an add
    /// that is still running.
    public var grace: Int

    public init(deep: Bool = false, repairFrom: String? = nil, knownBackups: [String] = [], grace: Int = 86400) {
        self.deep = deep
        self.repairFrom = repairFrom
        self.knownBackups = knownBackups
        self.grace = grace
    }
}

/// What `verify` found and did.
public struct ScrubReport: Sendable {
    /// One object no item names.
    public struct Orphan: Sendable, Equatable {
        public let object: String
        /// Seconds since it was written.
        public let age: Int
        public let removed: Bool
    }

    public let log: AuditReport
    public let items: Int
    /// Custody chains checked (one per signed item).
    public let custodyChains: Int
    public let objects: Int
    /// Items decrypted and checked (`deep`).
    public let decrypted: Int
    /// What is still wrong after any repair.
    public let problems: [BackupProblem]
    /// Objects replaced from the repair backup.
    public let repaired: [String]
    /// For each damaged or missing object, the known backup folders that hold a good copy.
    public let goodCopies: [String: [String]]
    public let orphans: [Orphan]
    /// Objects a re-encryption replaced, kept until a backup holds their replacements (`Vault+Superseded.swift`).
    public var superseded = 0
}

extension Vault {
    /// Checks the whole vault: the log from genesis, `PRAGMA integrity_check`, every signed item's database
    /// row and object (its bytes against its name, which the item's signed entry names), and with `deep`
    /// every item `session` can read, decrypted; repairs damaged or missing objects from a backup; lists
    /// objects no item names and removes those older than the grace period. `progress` gets (bytes hashed, bytes to
    /// hash).
    public func scrub(
        _ options: ScrubOptions, session: MemberSession? = nil, progress: ((Int64, Int64) -> Void)? = nil
    ) throws -> ScrubReport {
        if let session { try checkSession(session) }
        let log = try verifyWholeLog()
        var problems: [BackupProblem] = log.problems.map { .log($0) }
        // Read without catching up with a log the replay above refused (`read` would throw at the first
        // refused entry, which that replay has named): the rest of the vault is still checked and named.
        let (integrity, rows, superseded, rowProblems, signed) = try readWithoutCatchUp { db in
            // The rows and the log they are compared with are of this one transaction: another command may
            // have appended since this one opened the vault (a rotation's new key would look forged).
            if log.problems.isEmpty { try trust.withLock { try $0.catchUp(db) } }
            let trusted = try trusted()
            let signed = try Self.signedItems(trusted)
            return (
                try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                try Row.fetchAll(db, sql: "SELECT id, object FROM items").map { ($0[0] as String, $0[1] as String) },
                try supersededObjects(db),
                // Only over a log that replayed: against a refused one, every row would be named.
                log.problems.isEmpty ? RowCheck.named(db, signed: signed, state: trusted.state) : [], signed
            )
        }
        if integrity != ["ok"] { problems.append(.databaseDamaged(integrity.prefix(5).joined(separator: "; "))) }
        problems += rowProblems
        let rowObjects = Dictionary(rows, uniquingKeysWith: { a, _ in a })
        for (item, broken) in try brokenCustodyChains(items: Set(signed.map(\.0))).sorted(by: { $0.key < $1.key }) {
            problems.append(.custodyChainBroken(item: item, broken))
        }
        var objectProblems: [(object: String, problem: BackupProblem)] = []
        let total = signed.reduce(Int64(0)) { $0 + (FileSystem.size(of: objects.path(of: $1.1.object)) ?? 0) }
        var hashed: Int64 = 0
        for (id, facts) in signed {
            progress?(hashed, total)
            let file = objects.path(of: facts.object)
            if !FileSystem.exists(file) {
                objectProblems.append((facts.object, .objectMissing(object: facts.object, item: id)))
            } else if !ObjectFiles.isIntact(facts.object, at: file) {
                objectProblems.append((facts.object, .objectDamaged(object: facts.object, item: id)))
            }
            hashed += FileSystem.size(of: file) ?? 0
        }
        progress?(hashed, max(total, hashed))
        var repaired: [String] = []
        if let source = options.repairFrom {
            _ = try Self.backupFolder(Self.normalized(source), vaultID: vaultID)
            for (object, _) in objectProblems
            where try ObjectFiles.copy(object, from: Self.normalized(source), to: path, replacing: true) != nil {
                repaired.append(object)
            }
        }
        objectProblems.removeAll { repaired.contains($0.object) }
        problems += objectProblems.map(\.problem)
        var decrypted = 0
        if options.deep, let session {
            let damaged = Set(objectProblems.map(\.object))
            for (id, facts) in signed where !damaged.contains(facts.object) && canRead(facts, session) {
                do {
                    try decryptVerified(try openItem(id) { session }, to: DiscardingSink())
                    decrypted += 1
                } catch let error as VaultError {
                    problems.append(.contentDamaged(item: id, error))
                }
            }
        }
        let referenced = Set(signed.map(\.1.object)).union(rowObjects.values)
        var report = ScrubReport(
            log: log, items: signed.count, custodyChains: signed.count, objects: referenced.count, decrypted: decrypted,
            problems: problems,
            repaired: repaired, goodCopies: goodCopies(of: objectProblems.map(\.object), in: options.knownBackups),
            // Objects a re-encryption replaced are kept until a backup holds their replacements.
            orphans: sweepOrphans(referenced: referenced.union(superseded), grace: options.grace))
        report.superseded = superseded.subtracting(referenced).count
        return report
    }

    /// Every item the log signs, with its facts, in listing order.
    static func signedItems(_ trusted: TrustedLog) throws -> [(id: String, facts: LogState.Item)] {
        // The cache's items in one scan, then those applied since it was saved (a lookup per item was most
        // of a no-change backup's time at 10,000 items).
        var facts = try trusted.cache?.allItems(below: trusted.size) ?? [:]
        for (id, item) in trusted.state.items { facts[id] = item }
        return facts.sorted { ($0.value.index, $0.key) < ($1.value.index, $1.key) }.map { ($0.key, $0.value) }
    }

    private func canRead(_ facts: LogState.Item, _ session: MemberSession) -> Bool {
        let state = (try? trusted().state) ?? LogState()
        return facts.readers.contains { state.holds(session.member, String($0.split(separator: ":")[0])) }
    }

    /// The known backup folders of this vault that hold each object intact.
    private func goodCopies(of damaged: [String], in backups: [String]) -> [String: [String]] {
        let folders = backups.filter { (try? Self.backupFolder(Self.normalized($0), vaultID: vaultID)) != nil }
        var copies: [String: [String]] = [:]
        for object in damaged {
            copies[object] = folders.filter { ObjectFiles.isIntact(object, at: ObjectFiles.path(object, in: $0)) }
        }
        return copies
    }

    /// Lists objects no item names; removes those older than `grace` seconds (an add still running names
    /// its objects only when it commits).
    private func sweepOrphans(referenced: Set<String>, grace: Int) -> [ScrubReport.Orphan] {
        let now = Int(clock.now().timeIntervalSince1970)
        return ObjectFiles.all(in: path).filter { !referenced.contains($0) }.sorted().map { name in
            let file = objects.path(of: name)
            let age = FileSystem.age(of: file, now: now) ?? 0
            return ScrubReport.Orphan(object: name, age: age, removed: age >= grace && unlink(file) == 0)
        }
    }
}

/// A sink that keeps nothing: `verify --deep` decrypts to check, never to keep.
final class DiscardingSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
}
