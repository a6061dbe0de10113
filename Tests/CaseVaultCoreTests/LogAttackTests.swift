import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Someone who can write the vault folder but holds no member key can destroy data, but must not make an
/// honest client accept anything false. Each test makes one such change to the raw database, as an
/// attacker with `sqlite3` would, and expects the next operation to refuse it and name it.
@Suite("Signed log: the vault folder is untrusted")
struct LogAttackTests {
    /// Runs raw SQL on the vault's database, dropping the schema's triggers first as an attacker would.
    func tamper(_ team: Team, _ sql: String, _ arguments: StatementArguments = []) throws {
        try tamperAsAttacker(team.vault.database, sql, arguments)
    }

    /// A fresh look at the vault, as the next command would take.
    func reopen(_ team: Team, stateFolder: String? = nil) throws -> Vault {
        try Vault.open(at: team.vaultPath, stateFolder: stateFolder)
    }

    @Test("a role key replaced in the database is never encrypted to")
    func replacedRoleKey() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let attacker = try X25519Identity.generate().recipient.description
        try tamper(team, "UPDATE role_generations SET recipient = ? WHERE role = 'lawyer'", [attacker])
        let vault = try reopen(team)
        let path = try team.folder.write("acta.pdf", Array("acta".utf8))
        #expect(throws: VaultError.notInLog(.roleKey(role: "lawyer", generation: 1))) {
            try vault.add(caseID: "C-1", files: [path], options: AddOptions(itemClass: .legal), by: team.lawyer)
        }
        #expect(throws: VaultError.notInLog(.roleKey(role: "lawyer", generation: 1))) {
            try vault.createCase(id: "C-2", by: team.lawyer)
        }
    }

    @Test("a member's recipient replaced before a grant: the role key is not sealed to it")
    func replacedMemberRecipient() throws {
        let team = try Team()
        try team.vault.addMember(name: "lucia", newPassphrase: secret("lucia passphrase"), by: team.admin)
        let attacker = try X25519Identity.generate().recipient.description
        try tamper(team, "UPDATE members SET recipient = ? WHERE name = 'lucia'", [attacker])
        let vault = try reopen(team)
        #expect(throws: VaultError.notInLog(.member("lucia", field: "recipient"))) {
            try vault.grant(role: "lawyer", to: "lucia", by: team.lawyer)
        }
    }

    @Test("a reader role inserted into class_readers widens nothing")
    func insertedClassReader() throws {
        let team = try Team()
        try tamper(team, "INSERT INTO class_readers VALUES ('legal', 'psychologist')")
        let vault = try reopen(team)
        #expect(vault.configuration.classReaders[.legal] == ["lawyer", "mentor"])
        try vault.createCase(id: "C-1", by: team.lawyer)
        let path = try team.folder.write("acta.pdf", Array("acta".utf8))
        let items = try vault.add(caseID: "C-1", files: [path], options: AddOptions(itemClass: .legal), by: team.lawyer)
        #expect(items[0].readers == ["lawyer", "mentor"])
    }

    @Test("metadata swapped between two items is refused for both, naming the field")
    func swappedMetadata() throws {
        let team = try Team()
        let first = try team.addItem(Array("uno".utf8), name: "uno.txt")
        let path = try team.folder.write("dos.txt", Array("dos".utf8))
        let second = try team.vault.add(caseID: "C-1", files: [path], by: team.lawyer)[0]
        let blobs = try team.vault.read { db in
            try [first.id, second.id].map {
                try Data.fetchOne(db, sql: "SELECT metadata FROM items WHERE id = ?", arguments: [$0])!
            }
        }
        try tamper(team, "UPDATE items SET metadata = ? WHERE id = ?", [blobs[1], first.id])
        try tamper(team, "UPDATE items SET metadata = ? WHERE id = ?", [blobs[0], second.id])
        let vault = try reopen(team)
        for item in [first, second] {
            #expect(throws: VaultError.notInLog(.item(item.id, field: "metadata"))) {
                try vault.showItem(item.id, as: team.lawyer)
            }
        }
    }

    @Test("a whole item forged from public keys alone is neither listed nor shown as authentic")
    func forgedItem() throws {
        let team = try Team()
        let genuine = try team.addItem(Array("real".utf8))
        // Copy the genuine row under a new id: every field is well-formed, but no signed entry added it.
        try tamper(
            team,
            """
            INSERT INTO items (id, case_id, class, size, sha256, object, header, metadata, replaces, created_at, created_by)
            SELECT 'it_00000000000000ff', case_id, class, size, sha256, object, header, metadata, NULL, created_at,
                   created_by FROM items WHERE id = ?
            """, [genuine.id])
        try tamper(
            team,
            "INSERT INTO item_readers (item, role, generation, stanza) SELECT 'it_00000000000000ff', role, generation, stanza FROM item_readers WHERE item = ?",
            [genuine.id])
        let vault = try reopen(team)
        #expect(throws: VaultError.notInLog(.item("it_00000000000000ff", field: "item"))) { try vault.items() }
        #expect(throws: VaultError.notInLog(.item("it_00000000000000ff", field: "item"))) {
            try vault.get("it_00000000000000ff", to: .file(path: team.folder.file("out")), by: team.lawyer)
        }
    }

    @Test(
        "a listed field changed in the folder is refused by the listing, naming the field",
        arguments: [
            ("UPDATE items SET size = size + 1 WHERE id = ?", "size"),
            ("UPDATE items SET class = 'legal' WHERE id = ?", "class"),
            ("UPDATE items SET sha256 = printf('%064d', 0) WHERE id = ?", "sha256"),
            ("UPDATE items SET object = printf('%064d', 0) WHERE id = ?", "object"),
            ("INSERT INTO item_readers (item, role, generation, stanza) VALUES (?, 'admin', 1, x'00')", "readers"),
        ])
    func changedListedField(sql: String, field: String) throws {
        let team = try Team()
        let items = try (0..<3).map { try team.addItem(Array("item \($0)".utf8), name: "f\($0).txt") }
        // With the facts verified earlier in the user's cache, and verified afresh in memory.
        let state = team.folder.file("state")
        _ = try reopen(team, stateFolder: state)
        // The middle item: the listing is in step with the log before it and out of step after it.
        try tamper(team, sql, [items[1].id])
        for folder in [state, nil] {
            let vault = try reopen(team, stateFolder: folder)
            #expect(throws: VaultError.notInLog(.item(items[1].id, field: field))) { try vault.items(inCase: "C-1") }
        }
    }

    @Test("rows reordered in the folder are still listed, each checked against the log")
    func reorderedRows() throws {
        let team = try Team()
        let items = try (0..<3).map { try team.addItem(Array("item \($0)".utf8), name: "f\($0).txt") }
        let state = team.folder.file("state")
        _ = try reopen(team, stateFolder: state)
        try tamper(team, "UPDATE items SET created_at = '2000-01-01T00:00:00Z' WHERE id = ?", [items[2].id])
        let listed = try reopen(team, stateFolder: state).items(inCase: "C-1").map(\.id)
        #expect(listed == [items[2].id, items[0].id, items[1].id])
    }

    @Test("a flipped byte in an entry is found and named with its index")
    func flippedEntry() throws {
        let team = try Team()
        try tamper(
            team,
            "UPDATE log_entries SET note = CAST(replace(CAST(note AS TEXT), 'by ana', 'by anb') AS BLOB) WHERE idx = 3")
        #expect(throws: SignedLogError.self) { try reopen(team) }
        let error = #expect(throws: SignedLogError.self) { try reopen(team) }
        guard case .entry(index: 3, _) = error else {
            Issue.record("expected a problem at entry 3, got \(String(describing: error))")
            return
        }
    }

    @Test("a dropped entry, or two swapped, are found")
    func droppedOrReordered() throws {
        let team = try Team()
        _ = try team.addItem(Array("x".utf8))
        let dropped = try Team()
        _ = try dropped.addItem(Array("x".utf8))
        try tamper(dropped, "DELETE FROM log_entries WHERE idx = 5")
        #expect(throws: SignedLogError.entry(index: 5, problem: .malformed("the entry is missing"))) {
            try reopen(dropped)
        }
        try tamper(
            team,
            """
            UPDATE log_entries SET idx = CASE idx WHEN 5 THEN 1006 WHEN 6 THEN 1005 END WHERE idx IN (5, 6);
            UPDATE log_entries SET idx = idx - 1000 WHERE idx >= 1000;
            """)
        #expect(throws: SignedLogError.entry(index: 5, problem: .wrongPrevious)) { try reopen(team) }
    }

    @Test("a truncated log, or an older copy of the database, is refused as rewritten history")
    func rollback() throws {
        let team = try Team()
        let state = try TemporaryFolder()
        _ = try reopen(team, stateFolder: state.path)
        let older = try DatabaseQueue(path: team.folder.file("older.sqlite"))
        try team.vault.database.backup(to: older)
        _ = try team.addItem(Array("later evidence".utf8))
        let seen = try reopen(team, stateFolder: state.path)
        let size = seen.trust.withLock { $0.size }
        // The attacker puts back the database as it was before the item was added.
        try older.backup(to: team.vault.database)
        let error = #expect(throws: SignedLogError.self) { try reopen(team, stateFolder: state.path) }
        guard case .rewritten(_, let verified, let shown) = error else {
            Issue.record("expected rewritten history, got \(String(describing: error))")
            return
        }
        #expect(verified == size && shown < size)
        // A client that never saw the later entries cannot tell, which is what checkpoints kept by
        // auditors are for: the older database is itself a valid history.
        #expect(throws: Never.self) { try reopen(team) }
    }

    @Test("an entry signed by a key that is not a member's is refused")
    func outsiderSigned() throws {
        let team = try Team()
        let outsider = try MemberKeys.generate()
        let count = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entries") ?? 0 }
        let root = try team.vault.trust.withLock { try $0.currentRoot() }
        let entry = LogEntry(
            type: .memberAdd, vault: team.vault.vaultID, previousSize: count, previousRoot: root,
            time: "2026-12-01T10:00:00Z", author: "ana",
            fields: [
                ("member", "eve"), ("recipient", outsider.recipient), ("signing-key", outsider.signingPublicKeyHex),
            ])
        let note = try LogAuthor(name: "ana", keys: outsider).signedNote(entry.body).bytes
        try tamper(
            team, "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)",
            [count, Data(note), Data(try Merkle.leafHash(note))])
        #expect(throws: SignedLogError.entry(index: count, problem: .badSignature)) { try reopen(team) }
        // An auditor's whole-log check: the parallel pass finds the bad signature and gives way to the
        // ordered replay, which names it.
        #expect(try team.vault.verifyWholeLogInParallel() == nil)
        #expect(try team.vault.verifyWholeLog().problems == [.entry(index: count, problem: .badSignature)])
    }

    @Test("a signature altered in a stored entry, its key id intact, is refused by every check")
    func alteredSignature() throws {
        let team = try Team()
        // The last entry: altering an earlier one would also break the `prev` of every entry after it.
        let index = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT max(idx) FROM log_entries")! }
        let stored = try team.vault.read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [index])!
        }
        let note = try SignedNote(parsing: [UInt8](stored))
        var signature = note.signatures[0].signature
        signature[10] ^= 0x01
        let forged = try SignedNote(
            text: note.text,
            signatures: [
                .init(keyName: note.signatures[0].keyName, keyID: note.signatures[0].keyID, signature: signature)
            ]
        ).bytes
        try tamper(
            team, "UPDATE log_entries SET note = ?, leaf_hash = ? WHERE idx = ?",
            [Data(forged), Data(try Merkle.leafHash(forged)), index])
        #expect(throws: SignedLogError.entry(index: index, problem: .badSignature)) { try reopen(team) }
        #expect(try team.vault.verifyWholeLogInParallel(runLength: 2) == nil)
        // The parallel pass's own signature check, apart from the checkpoint's (which the change breaks too).
        let rows = try team.vault.read { db in
            try Row.fetchAll(db, sql: "SELECT note, leaf_hash FROM log_entries ORDER BY idx").map {
                (note: [UInt8]($0[0] as Data), leafHash: [UInt8]($0[1] as Data))
            }
        }
        var trusted = TrustedLog()
        let prepared = trusted.applyRulesInParallel(rows)
        let checks = try #require(prepared)
        let soundOnesHold = TrustedLog.verifyInParallel(Array(checks.dropLast()))
        let allHold = TrustedLog.verifyInParallel(checks)
        #expect(soundOnesHold && !allHold)
        // The same through the background checker, in two runs, with its threads and the caller's.
        let sound = BackgroundSignatureChecks(threads: 2)
        sound.submit(Array(checks.prefix(3)))
        sound.submit(Array(checks.dropFirst(3).dropLast()))
        let soundHeld = sound.finish()
        let altered = BackgroundSignatureChecks(threads: 2)
        altered.submit(Array(checks.prefix(3)))
        altered.submit(Array(checks.dropFirst(3)))
        let alteredHeld = altered.finish()
        #expect(soundHeld && !alteredHeld)
        #expect(try team.vault.verifyWholeLog().problems.first == .entry(index: index, problem: .badSignature))
    }

    @Test("the whole-log check's parallel pass accepts a sound log of several runs")
    func parallelPassOnSoundLog() throws {
        let team = try Team()
        let paths = try (0..<20).map { try team.folder.write("f\($0)", [UInt8(truncatingIfNeeded: $0)]) }
        try team.vault.createCase(id: "C-9", by: team.lawyer)
        _ = try team.vault.add(caseID: "C-9", files: paths, by: team.lawyer)
        // Runs of 8: the rules of each run are replayed while the run before is being verified.
        let report = try #require(try team.vault.verifyWholeLogInParallel(runLength: 8))
        #expect(report.problems.isEmpty && report.size > 24)
        #expect(try team.vault.verifyWholeLog() == report)
    }

    @Test("an entry a member signed against another tree is refused by the parallel pass's root check")
    func wrongPreviousRootSigned() throws {
        let team = try Team()
        let count = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entries") ?? 0 }
        let current = team.vault.trust.withLock { trusted in trusted.state.roles["lawyer"]?.current }
        let generation = try #require(current)
        // The right size and a real member's signature: only the root it names is wrong, so only the root
        // check (computed on the checking threads, `SignatureCheck.holds`) can refuse it.
        let entry = LogEntry(
            type: .caseCreate, vault: team.vault.vaultID, previousSize: count,
            previousRoot: [UInt8](repeating: 0x5a, count: 32), time: "2026-12-01T10:00:00Z", author: "luis",
            fields: [
                ("case", "C-ROOT"), ("metadata", String(repeating: "ab", count: 32)),
                ("readers", "lawyer:\(generation)"),
            ])
        let note = try LogAuthor(session: team.lawyer).signedNote(entry.body).bytes
        try tamper(
            team, "INSERT INTO log_entries (idx, note, leaf_hash) VALUES (?, ?, ?)",
            [count, Data(note), Data(try Merkle.leafHash(note))])
        // Read past the vault's own catch-up, which refuses the entry before any pass sees it.
        let rows = try team.vault.database.read { db in
            try Row.fetchAll(db, sql: "SELECT note, leaf_hash FROM log_entries ORDER BY idx").map {
                (note: [UInt8]($0[0] as Data), leafHash: [UInt8]($0[1] as Data))
            }
        }
        var trusted = TrustedLog()
        let prepared = trusted.applyRulesInParallel(rows)
        let checks = try #require(prepared)
        #expect(TrustedLog.verifyInParallel(Array(checks.dropLast())))
        #expect(!TrustedLog.verifyInParallel(checks))
        #expect(try team.vault.verifyWholeLogInParallel(runLength: 4) == nil)
        #expect(try team.vault.verifyWholeLog().problems.first == .entry(index: count, problem: .wrongPrevious))
    }

    @Test("a replayed old entry is refused: it was made against another tree")
    func replayedEntry() throws {
        let team = try Team()
        let count = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM log_entries") ?? 0 }
        try tamper(
            team,
            "INSERT INTO log_entries (idx, note, leaf_hash) SELECT ?, note, leaf_hash FROM log_entries WHERE idx = 2",
            [count])
        #expect(throws: SignedLogError.entry(index: count, problem: .wrongPrevious)) { try reopen(team) }
    }

    @Test("a removal the folder invents is named as tampering (65), not reported as a removal (77)")
    func inventedRemoval() throws {
        let team = try Team()
        // A removal the log made still stands when the folder's record of it is undone.
        try team.vault.addMember(
            name: "eva", newPassphrase: secret("eva passphrase"), roles: [], by: team.admin)
        _ = try team.vault.removeMember(named: "eva", by: team.admin)
        try tamper(team, "UPDATE members SET removed_at = NULL WHERE name = 'eva'")
        #expect(throws: VaultError.memberRemoved("eva")) {
            try reopen(team).unlock("eva", passphrase: secret("eva passphrase"))
        }
        try tamper(team, "UPDATE members SET removed_at = '2026-01-01T00:00:00Z' WHERE name = 'luis'")
        #expect(throws: VaultError.notInLog(.member("luis", field: "removal"))) {
            try reopen(team).unlock("luis", passphrase: secret("luis passphrase"))
        }
    }
}

@Suite("Signed log: checkpoints in the folder are checked too")
struct CheckpointSwapTests {
    @Test("a checkpoint swapped for another vault's, or for one of a smaller tree, is refused")
    func swappedCheckpoint() throws {
        let team = try Team()
        let other = try Team()
        let size = try team.vault.read { db in try Int.fetchOne(db, sql: "SELECT max(size) FROM log_checkpoints")! }
        let foreign = try other.vault.read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1")!
        }
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE log_checkpoints SET note = ? WHERE size = (SELECT max(size) FROM log_checkpoints)",
                arguments: [foreign])
        }
        let swapped = #expect(throws: SignedLogError.self) { try Vault.open(at: team.vaultPath) }
        // Named as the latest, or (when replay reaches it) as the stored checkpoint of its size.
        #expect([.checkpoint(.badSignature), .storedCheckpoint(size: size, problem: .badSignature)].contains(swapped))
        // An older checkpoint of this very vault put in the newest one's place names another tree.
        let own = try Team()
        _ = try own.addItem(Array("x".utf8))
        try own.vault.database.writeWithoutTransaction { db in
            let older = try Data.fetchOne(db, sql: "SELECT note FROM log_checkpoints ORDER BY size ASC LIMIT 1")!
            try db.execute(
                sql: "UPDATE log_checkpoints SET note = ? WHERE size = (SELECT max(size) FROM log_checkpoints)",
                arguments: [older])
        }
        let error = #expect(throws: SignedLogError.self) { try Vault.open(at: own.vaultPath) }
        let problem: SignedLogError.CheckpointProblem?
        switch error {
        case .checkpoint(let found), .storedCheckpoint(_, let found): problem = found
        default: problem = nil
        }
        guard case .sizeMismatch(let signed, let entries) = problem, signed < entries else {
            Issue.record("expected a checkpoint of a smaller tree, got \(String(describing: error))")
            return
        }
    }
}

@Suite("Signed log: role listings come from the log")
struct RoleListingTests {
    @Test("a membership inserted into the folder is not listed as a holder")
    func insertedMembership() throws {
        let team = try Team()
        #expect(try team.vault.roles().first { $0.name == "lawyer" }?.holders == ["luis"])
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    INSERT INTO memberships (member, role, granted_at, granted_by)
                    SELECT id, 'lawyer', '2026-12-01T10:00:00Z', id FROM members WHERE name = 'paula'
                    """)
        }
        #expect(throws: VaultError.self) { try Vault.open(at: team.vaultPath).roles() }
    }
}
