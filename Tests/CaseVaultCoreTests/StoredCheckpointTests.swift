import CaseVaultAge
import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Rules an independent verifier written from Docs/FORMAT.md found the replay did not hold: names and times
/// of entries, every stored checkpoint (not only the latest) with its signer, a backup's claimed root and the
/// cosignatures. Each forgery is signed with a real member's key, as a modified client would write it; only
/// the rule stands in the way.
@Suite("Signed log: stored checkpoints, names, times and claimed roots")
struct StoredCheckpointTests {
    /// Appends an entry signed by `author` to the vault's log and, unless `checkpoint` is nil, a checkpoint of
    /// the new tree signed by `checkpoint.signer` with its body passed through `checkpoint.edit`. Returns the
    /// entry's index.
    @discardableResult
    static func forge(
        _ team: Team, _ type: EntryType, _ fields: [(String, String)], by author: MemberSession,
        time: String = "2026-12-02T10:00:00Z", checkpoint: (signer: MemberSession, edit: (String) -> String)?
    ) throws -> Int {
        let (size, frontier) = try team.vault.database.read { db in try Self.tree(db) }
        let entry = LogEntry(
            type: type, vault: team.vault.vaultID, previousSize: size,
            previousRoot: size == 0 ? try Merkle.emptyRoot() : try frontier.root(), time: time,
            author: author.member, fields: fields.map { (key: $0.0, value: $0.1) })
        let note = try LogAuthor(session: author).signedNote(entry.body).bytes
        let leaf = try Merkle.leafHash(note)
        var next = frontier
        try next.append(leafHash: leaf)
        let text = try Checkpoint(
            origin: TrustedLog.origin(vaultID: team.vault.vaultID), size: UInt64(size + 1), rootHash: try next.root()
        ).text
        try team.vault.database.write { db in
            try db.execute(
                sql: "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)",
                arguments: [size, Data(note), Data(leaf)])
            if let (signer, edit) = checkpoint {
                try db.execute(
                    sql: "INSERT INTO log_checkpoints (size, note) VALUES (?, ?)",
                    arguments: [size + 1, Data(try LogAuthor(session: signer).signedNote(edit(text)).bytes)])
            }
        }
        return size
    }

    /// The stored log's size and frontier, from its leaf hashes.
    static func tree(_ db: Database, first count: Int? = nil) throws -> (Int, MerkleFrontier) {
        let leaves = try Data.fetchAll(db, sql: "SELECT leaf_hash FROM log_entries ORDER BY idx").map { [UInt8]($0) }
        let kept = Array(leaves.prefix(count ?? leaves.count))
        return (kept.count, try MerkleFrontier(leafHashes: kept))
    }

    /// What a client that never saw this vault (no saved state) says of it, and what the auditor's check says;
    /// the parallel pass must refuse the same log (it hands over to the in-order replay to name the problem).
    static func refusals(_ team: Team) throws -> (open: SignedLogError?, audit: [SignedLogError]) {
        var opened: SignedLogError?
        do { _ = try Vault.open(at: team.vaultPath) } catch let error as SignedLogError { opened = error }
        let audit = try team.vault.verifyWholeLog().problems
        if !audit.isEmpty { #expect(try team.vault.verifyWholeLogInParallel(runLength: 4) == nil) }
        return (opened, audit)
    }

    static let hash = String(repeating: "ab", count: 32)

    @Test(
        "a member name, case id or item id the vault could not hold is refused by replay, named, not a crash",
        arguments: [
            (EntryType.memberAdd, "member", "Bob X", VaultError.NameKind.member),
            (.memberAdd, "member", "bob+x", .member),
            (.memberAdd, "member", "Bob", .member),
            (.caseCreate, "case", "c d", .caseID),
            (.caseCreate, "case", "-c", .caseID),
        ])
    func invalidNames(_ type: EntryType, _ key: String, _ value: String, _ kind: VaultError.NameKind) throws {
        let team = try Team()
        let fields: [(String, String)] =
            type == .memberAdd
            ? [
                (key, value), ("recipient", try X25519Identity.generate().recipient.description),
                ("signing-key", Self.hash),
            ]
            : [(key, value), ("metadata", Self.hash), ("readers", "lawyer:1")]
        let author = type == .memberAdd ? team.admin : team.lawyer
        let index = try Self.forge(team, type, fields, by: author, checkpoint: (author, { $0 }))
        let expected = SignedLogError.entry(index: index, problem: .invalidName(kind: kind, value: value))
        let (opened, audit) = try Self.refusals(team)
        #expect(opened == expected)
        #expect(audit == [expected])
    }

    @Test("a recovery.restore in the name of someone the vault could not hold is refused as such")
    func invalidRestoredName() throws {
        let (team, _) = try RecoveryTests.teamWithRecovery()
        let (entry, _) = try RecoveryTests.restoreEntry(admitting: "Eve X", try MemberKeys.generate(), in: team)
        // The body only: a note key name cannot hold "Eve X", which is the point of checking it first.
        #expect(throws: LogProblem.invalidName(kind: .member, value: "Eve X")) {
            try team.vault.trust.withLock { try $0.state.signingKey(of: entry) }
        }
    }

    @Test("an item id the vault could not hold is refused")
    func invalidItemID() throws {
        var state = try LogRulesTests.founded()
        try state.apply(
            LogRulesTests.entry(
                .caseCreate, by: "luis", [("case", "C-1"), ("metadata", Self.hash), ("readers", "lawyer:1")]))
        let before = state
        for id in ["it_00000000000000", "it_000000000000000G", "x_0000000000000000", "it_00000000 0000000"] {
            let entry = LogRulesTests.entry(
                .itemAdd, by: "luis",
                [
                    ("item", id), ("case", "C-1"), ("class", "legal"), ("size", "1"), ("sha256", Self.hash),
                    ("object", Self.hash), ("header", Self.hash), ("metadata", Self.hash), ("readers", "lawyer:1"),
                ])
            #expect(throws: LogProblem.invalidName(kind: .itemID, value: id)) { try state.apply(entry) }
            #expect(state == before)
        }
    }

    @Test("a genesis whose admin name the vault could not hold is refused before its key is made")
    func invalidGenesisAdmin() throws {
        let genesis = LogRulesTests.entry(
            .genesis, by: "Ana",
            [
                ("admin", "Ana \(LogRulesTests.recipient(1)) \(LogRulesTests.key(1))"), ("role", "admin"),
                ("class-readers", "legal admin"), ("case-readers", "admin"), ("upgrade", "no"),
            ], at: 0)
        #expect(throws: LogProblem.invalidName(kind: .member, value: "Ana")) { try LogState().signingKey(of: genesis) }
        var roles = genesis.fields
        roles[1] = (key: "role", value: "Admin")
        let badRole = LogEntry(
            type: .genesis, vault: nil, previousSize: 0, previousRoot: genesis.previousRoot, time: genesis.time,
            author: "ana",
            fields: [(key: "admin", value: "ana \(LogRulesTests.recipient(1)) \(LogRulesTests.key(1))")]
                + roles.dropFirst())
        var state = LogState()
        #expect(throws: LogProblem.invalidName(kind: .role, value: "Admin")) { try state.apply(badRole) }
    }

    @Test(
        "a time that is no real UTC instant is refused",
        arguments: [
            "2026-02-30T10:00:00Z", "2025-02-29T10:00:00Z", "1900-02-29T10:00:00Z", "2026-13-01T10:00:00Z",
            "2026-00-10T10:00:00Z", "2026-04-31T10:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T10:60:00Z",
            "2026-12-01T10:00:60Z", "2026-12-01 10:00:00Z", "2026-12-01T10:00:00", "2026-12-01T10:00:00+00:00",
            "2026-12-00T10:00:00Z", "+026-12-01T10:00:00Z",
        ])
    func invalidTimes(_ time: String) throws {
        var state = try LogRulesTests.founded()
        let before = state
        let entry = LogEntry(
            type: .roleGrant, vault: LogRulesTests.vault, previousSize: state.size, previousRoot: LogRulesTests.root,
            time: time, author: "luis", fields: [(key: "role", value: "lawyer"), (key: "member", value: "paula")])
        #expect(throws: LogProblem.invalidTime(time)) { try state.apply(entry) }
        #expect(state == before)
    }

    @Test("real times are accepted, leap days included, and need not increase: each is its author's clock")
    func realTimes() throws {
        for time in ["2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "2026-12-31T00:00:00Z"] {
            #expect(LogState.isInstant(time), "\(time)")
        }
        let team = try Team()
        let index = try Self.forge(
            team, .caseCreate, [("case", "C-OLD"), ("metadata", Self.hash), ("readers", "lawyer:1")], by: team.lawyer,
            time: "2001-01-01T00:00:00Z", checkpoint: (team.lawyer, { $0 }))
        let (opened, audit) = try Self.refusals(team)
        #expect(opened == nil && audit.isEmpty)
        #expect(try team.vault.auditEntries(from: index)[0].time == "2001-01-01T00:00:00Z")
    }

    @Test("a role generation whose key is a member's recipient is refused, as a recovery key's would be")
    func roleKeyIsMembersRecipient() throws {
        var state = try LogRulesTests.founded()
        let before = state
        // luis's recipient (founded() adds him with recipient(3)) as the psychologist role's first key.
        let entry = LogRulesTests.entry(
            .roleGeneration, by: "ana",
            [("role", "psychologist"), ("generation", "1"), ("recipient", LogRulesTests.recipient(3))])
        #expect(throws: LogProblem.inconsistent("the key of psychologist is a member's or the recovery key's")) {
            try state.apply(entry)
        }
        #expect(state == before)
        try state.apply(
            LogRulesTests.entry(
                .roleGeneration, by: "ana",
                [("role", "psychologist"), ("generation", "1"), ("recipient", LogRulesTests.recipient(6))]))
    }

    /// A team whose log has a few transactions after luis's case: returns the team, the size of the checkpoint
    /// made by luis's case.create, and that checkpoint's text.
    static func teamWithHistory() throws -> (Team, Int, String) {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let size = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT max(size) FROM log_checkpoints")! }
        try team.vault.createCase(id: "C-2", by: team.lawyer)
        try team.vault.grant(role: "mentor", to: "paula", by: team.mentor)
        let text = try team.vault.read { db in
            try SignedNote(
                parsing: [UInt8](
                    try Data.fetchOne(db, sql: "SELECT note FROM log_checkpoints WHERE size = ?", arguments: [size])!)
            ).text
        }
        return (team, size, text)
    }

    /// Replaces the stored checkpoint of `size` by `text` signed by `signer`.
    static func replaceCheckpoint(_ team: Team, size: Int, _ text: String, signer: MemberSession) throws {
        let note = try LogAuthor(session: signer).signedNote(text).bytes
        try tamper(team, "UPDATE log_checkpoints SET note = ? WHERE size = ?", [Data(note), size])
    }

    /// Runs `sql` on the vault's database with the schema's triggers dropped, as an attacker would.
    static func tamper(_ team: Team, _ sql: String, _ arguments: StatementArguments) throws {
        try LogAttackTests().tamper(team, sql, arguments)
    }

    @Test("every stored checkpoint must verify, not only the latest: a sound history passes both passes")
    func soundHistory() throws {
        let (team, _, _) = try Self.teamWithHistory()
        let (opened, audit) = try Self.refusals(team)
        #expect(opened == nil && audit.isEmpty)
        #expect(try team.vault.verifyWholeLogInParallel(runLength: 4) != nil)
    }

    @Test("an earlier checkpoint signed by another member than the author of its last entry is refused")
    func earlierCheckpointWrongSigner() throws {
        let (team, size, text) = try Self.teamWithHistory()
        try Self.replaceCheckpoint(team, size: size, text, signer: team.psychologist)
        let expected = SignedLogError.storedCheckpoint(size: size, problem: .wrongSigner(expected: "luis"))
        let (opened, audit) = try Self.refusals(team)
        #expect(opened == expected)
        #expect(audit == [expected])
    }

    @Test(
        "an earlier checkpoint with an extension line, another root or a bad signature is refused",
        arguments: ["extension", "root", "signature"])
    func earlierCheckpointAltered(_ change: String) throws {
        let (team, size, text) = try Self.teamWithHistory()
        let problem: SignedLogError.CheckpointProblem
        switch change {
        case "extension":
            try Self.replaceCheckpoint(team, size: size, text + "note hello\n", signer: team.lawyer)
            problem = .malformed
        case "root":
            var lines = text.split(separator: "\n").map(String.init)
            lines[2] = CaseVaultAge.Base64.encodePadded([UInt8](repeating: 7, count: 32))
            try Self.replaceCheckpoint(team, size: size, lines.map { $0 + "\n" }.joined(), signer: team.lawyer)
            problem = .rootMismatch
        default:
            let note = try LogAuthor(session: team.lawyer).signedNote(text)
            var signature = note.signatures[0].signature
            signature[10] ^= 1
            let altered = try SignedNote(
                text: text,
                signatures: [
                    SignedNote.Signature(keyName: "luis", keyID: note.signatures[0].keyID, signature: signature)
                ])
            try Self.tamper(team, "UPDATE log_checkpoints SET note = ? WHERE size = ?", [Data(altered.bytes), size])
            problem = .badSignature
        }
        let expected = SignedLogError.storedCheckpoint(size: size, problem: problem)
        let (opened, audit) = try Self.refusals(team)
        #expect(opened == expected)
        #expect(audit == [expected])
    }

    @Test("the latest checkpoint signed by another member than the last entry's author is refused")
    func latestCheckpointWrongSigner() throws {
        let team = try Team()
        let index = try Self.forge(
            team, .caseCreate, [("case", "C-9"), ("metadata", Self.hash), ("readers", "lawyer:1")], by: team.lawyer,
            checkpoint: (team.admin, { $0 }))
        let (opened, audit) = try Self.refusals(team)
        let expected = SignedLogError.storedCheckpoint(size: index + 1, problem: .wrongSigner(expected: "luis"))
        #expect(opened == expected)
        #expect(audit == [expected])
    }

    @Test("without a saved state, a missing latest checkpoint is named as such, not as rewritten history")
    func missingLatestCheckpoint() throws {
        let team = try Team()
        let index = try Self.forge(
            team, .caseCreate, [("case", "C-9"), ("metadata", Self.hash), ("readers", "lawyer:1")], by: team.lawyer,
            checkpoint: nil)
        let (opened, audit) = try Self.refusals(team)
        let expected = SignedLogError.checkpoint(.sizeMismatch(signed: index, entries: index + 1))
        #expect(opened == expected)
        #expect(audit == [expected])
    }

    @Test("a backup.done whose root is not the root of its first `size` entries is refused; a true one passes")
    func backupRoot() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let (held, frontier) = try team.vault.database.read { db in try Self.tree(db, first: 5) }
        let backup = String(repeating: "0f", count: 16)
        func fields(_ root: [UInt8]) -> [(String, String)] {
            [
                ("backup", backup), ("size", String(held)), ("root", CaseVaultAge.Base64.encodePadded(root)),
                ("objects", "0"), ("bytes", "0"),
            ]
        }
        // The root of an earlier size than the log's: from the frontier that tree had, not the current one.
        try Self.forge(
            team, .backupDone, fields(try frontier.root()), by: team.mentor, checkpoint: (team.mentor, { $0 }))
        var (opened, audit) = try Self.refusals(team)
        #expect(opened == nil && audit.isEmpty)
        #expect(try team.vault.verifyWholeLogInParallel(runLength: 4) != nil)
        let (_, whole) = try team.vault.database.read { db in try Self.tree(db) }
        let index = try Self.forge(
            team, .backupDone, fields(try whole.root()), by: team.mentor, checkpoint: (team.mentor, { $0 }))
        (opened, audit) = try Self.refusals(team)
        let expected = SignedLogError.entry(
            index: index, problem: .inconsistent("the backup root is not the root of the log's first \(held) entries"))
        #expect(opened == expected)
        #expect(audit == [expected])
    }

    @Test("a stored cosignature that does not verify is reported by the audit, and no command relies on it")
    func cosignatures() throws {
        let team = try Team()
        try team.vault.grant(role: "auditor", to: "luis", by: team.admin)
        _ = try team.vault.cosignLatestCheckpoint(by: team.lawyer, previous: nil, at: 1_700_000_000)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        #expect(try team.vault.verifyWholeLogInParallel(runLength: 4) != nil)
        let (size, line) = try team.vault.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT size, line FROM log_cosignatures")!
            return (row[0] as Int, row[1] as String)
        }
        // One base64 character of the signature changed (keeping it valid base64 of the same length).
        var characters = Array(line)
        let position = characters.count - 10
        characters[position] = characters[position] == "A" ? "B" : "A"
        try Self.tamper(team, "UPDATE log_cosignatures SET line = ?", [String(characters)])
        let (opened, audit) = try Self.refusals(team)
        #expect(opened == nil)
        #expect(audit == [.cosignature(size: size, cosigner: "luis")])
        // A genuine line stored under a size that has no checkpoint is no cosignature of anything.
        // As sqlite3 would write it: with foreign keys off, which is its default.
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE log_cosignatures SET line = ?, size = ?", arguments: [line, size + 50])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        #expect(try team.vault.verifyWholeLog().problems == [.cosignature(size: size + 50, cosigner: "luis")])
        #expect(try team.vault.verifyWholeLogInParallel(runLength: 4) == nil)
    }
}
