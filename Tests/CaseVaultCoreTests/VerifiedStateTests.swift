import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CaseVaultCore

/// This user's saved verification state (`VerifiedCache`) decides what the client trusts, so it must be the
/// user's own and closed to others, a damaged one is named rather than rebuilt, and `audit verify` replays
/// the log without it and names a saved state that differs from the replay.
@Suite("Verified state: private, never silently rebuilt, compared by the whole-log replay")
struct VerifiedStateTests {
    /// A team with an item, and a state folder that an opening of the vault saved its verified state in.
    static func teamWithState() throws -> (team: Team, folder: String, file: String) {
        let team = try Team()
        _ = try team.addItem(Array("acta".utf8))
        let folder = team.folder.file("state/vaults")
        _ = try Vault.open(at: team.vaultPath, stateFolder: folder)
        return (team, folder, "\(folder)/\(team.vault.fingerprint).sqlite")
    }

    /// Changes a saved table as someone with write access to the file could.
    static func poisonFile(_ file: String, _ sql: String) throws {
        try DatabaseQueue(path: file).write { db in try db.execute(sql: sql) }
    }

    /// `audit verify`: the vault opened without verifying its log, then replayed whole and compared.
    static func audit(_ team: Team, _ folder: String) throws -> AuditReport {
        try Vault.open(at: team.vaultPath, stateFolder: folder, verifyingLog: false).verifyWholeLog(
            savedStateIn: folder)
    }

    /// Changes the saved snapshot's state as someone with write access to the file could.
    static func poisonState(_ file: String, _ change: (inout LogState) -> Void) throws {
        let queue = try DatabaseQueue(path: file)
        try queue.write { db in
            let blob = try #require(try Data.fetchOne(db, sql: "SELECT state FROM snapshot"))
            var state = try JSONDecoder().decode(LogState.self, from: blob)
            change(&state)
            try db.execute(sql: "UPDATE snapshot SET state = ?", arguments: [try JSONEncoder().encode(state)])
        }
    }

    @Test("a saved state that the replay reproduces agrees, at its size")
    func agrees() throws {
        let (team, folder, _) = try Self.teamWithState()
        let report = try Self.audit(team, folder)
        #expect(report.problems.isEmpty)
        #expect(report.savedState == .agrees(size: try team.vault.trusted().size))
    }

    @Test("a role key changed in the saved state and in the folder is named by audit verify, the log is not")
    func poisonedRoleKey() throws {
        let (team, folder, file) = try Self.teamWithState()
        let attacker = try X25519Identity.generate().recipient.description
        try Self.poisonState(file) { $0.roles["lawyer"]?.generations[1] = attacker }
        try LogAttackTests().tamper(team, "UPDATE role_generations SET recipient = ? WHERE role = 'lawyer'", [attacker])
        let report = try Self.audit(team, folder)
        #expect(report.problems.isEmpty)
        #expect(report.savedState == .altered(path: file, size: try team.vault.trusted().size, difference: .state))
    }

    @Test("audit verify replays past a saved state that would refuse the log's newer entries")
    func replayDoesNotUseSavedState() throws {
        let (team, folder, file) = try Self.teamWithState()
        let size = try team.vault.trusted().size
        try Self.poisonState(file) { state in
            let paula = state.members["paula"]?.signingKey ?? ""
            state.members["luis"]?.signingKey = paula
        }
        _ = try team.addItem(Array("foto".utf8))
        // A command catching up from the saved state refuses luis's new entry ...
        #expect(throws: SignedLogError.self) { try Vault.open(at: team.vaultPath, stateFolder: folder) }
        // ... while the auditor's replay verifies it, and names the saved state.
        let report = try Self.audit(team, folder)
        #expect(report.problems.isEmpty && report.size > size)
        #expect(report.savedState == .altered(path: file, size: size, difference: .state))
    }

    /// Changes to the saved tables beside the snapshot, and what the replay names for each.
    static let tableChanges: [(sql: String, difference: SavedStateDifference?)] = [
        ("UPDATE item_facts SET sha256 = '00'", nil),
        ("UPDATE nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0", .treeNodes),
        ("DELETE FROM subjects WHERE (subject, idx) = (SELECT subject, idx FROM subjects LIMIT 1)", .subjects),
        ("INSERT INTO subjects (subject, idx) VALUES ('item:forged', 1)", .subjects),
    ]

    @Test("an item's facts, a subtree root or a subject changed in the saved tables is named", arguments: 0..<4)
    func poisonedTables(_ change: Int) throws {
        let (team, folder, file) = try Self.teamWithState()
        let item = try #require(try team.vault.items(inCase: "C-1").first)
        try Self.poisonFile(file, Self.tableChanges[change].sql)
        let report = try Self.audit(team, folder)
        let expected = Self.tableChanges[change].difference ?? .item(item.id)
        #expect(report.savedState == .altered(path: file, size: try team.vault.trusted().size, difference: expected))
    }

    @Test("a saved tree the log does not extend is a rewritten history, from the first subtree that differs")
    func savedTreeDiffers() throws {
        let (team, folder, file) = try Self.teamWithState()
        let size = try team.vault.trusted().size
        try DatabaseQueue(path: file).write { db in
            let frontier = try #require(try Data.fetchOne(db, sql: "SELECT frontier FROM snapshot"))
            let changed = Data(repeating: 0, count: 32) + frontier.dropFirst(32)
            try db.execute(sql: "UPDATE snapshot SET frontier = ?", arguments: [changed])
        }
        let report = try Self.audit(team, folder)
        #expect(report.problems == [.rewritten(after: 0, verifiedSize: size, shownSize: size)])
        #expect(report.savedState == nil)
    }

    @Test("a state file or folder that others may write, or that is a symbolic link, is refused")
    func unsafeState() throws {
        let (team, folder, file) = try Self.teamWithState()
        func refused(_ path: String, _ problem: VaultError.PrivateStateProblem, at stateFolder: String = folder) {
            #expect(throws: VaultError.verifiedStateUnsafe(path: path, problem: problem)) {
                try Vault.open(at: team.vaultPath, stateFolder: stateFolder)
            }
        }
        chmod(file, 0o666)
        refused(file, .writableByOthers(mode: 0o666))
        chmod(file, 0o600)
        chmod(folder, 0o777)
        refused(folder, .writableByOthers(mode: 0o777))
        chmod(folder, 0o700)
        let link = team.folder.file("state/linked")
        symlink(folder, link)
        refused(link, .symbolicLink, at: link)
        // Root may hand the file to another user; anyone else cannot, and the check is the same line.
        if geteuid() == 0 {
            chown(file, 65534, 65534)
            refused(file, .ownedByAnotherUser)
            chown(file, 0, 0)
        }
        _ = try Vault.open(at: team.vaultPath, stateFolder: folder)
    }

    @Test("entries after the saved size that rewrap items are not an altered saved state")
    func rewrapAfterSavedState() throws {
        let (team, folder, _) = try Self.teamWithState()
        try team.vault.rotate(role: "lawyer", by: team.admin)
        _ = try team.vault.rewrap(role: "lawyer", by: team.lawyer)
        let report = try Self.audit(team, folder)
        #expect(report.problems.isEmpty)
        guard case .agrees = report.savedState else {
            Issue.record("saved state reported as \(String(describing: report.savedState))")
            return
        }
    }

    @Test("a log emptied in the folder is a problem for audit verify, and extends no kept checkpoint")
    func emptiedLog() throws {
        let team = try Team()
        _ = try team.addItem(Array("acta".utf8))
        let kept = try team.vault.read { db in
            try [UInt8](Data.fetchOne(db, sql: "SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1")!)
        }
        try tamperAsAttacker(
            team.vault.database, "DELETE FROM log_entries; DELETE FROM log_checkpoints; DELETE FROM log_cosignatures")
        let report = try Vault.open(at: team.vaultPath, verifyingLog: false).verifyWholeLog(consistentWith: kept)
        #expect(report.problems.contains(.noLog))
        #expect(report.extendsKeptCheckpoint != true)
    }

    @Test("a damaged state file is named, not rebuilt: its rollback memory is kept", arguments: [false, true])
    func damagedState(truncated: Bool) throws {
        let (team, folder, file) = try Self.teamWithState()
        let bytes = try #require(FileManager.default.contents(atPath: file))
        let damaged = truncated ? Data(bytes.prefix(1000)) : Data(repeating: 0x5a, count: bytes.count)
        try damaged.write(to: URL(fileURLWithPath: file))
        #expect(throws: VaultError.verifiedStateDamaged(path: file)) {
            try Vault.open(at: team.vaultPath, stateFolder: folder)
        }
        #expect(throws: VaultError.verifiedStateDamaged(path: file)) { try Self.audit(team, folder) }
        #expect(FileManager.default.contents(atPath: file) == damaged)
    }

    @Test("the whole-log replay stops at the first refused entry and names it alone")
    func stopsAtFirstRefusedEntry() throws {
        let team = try Team()
        _ = try team.addItem(Array("acta".utf8))
        let size = try team.vault.trusted().size
        try LogAttackTests().tamper(team, "UPDATE log_entries SET leaf_hash = zeroblob(32) WHERE idx IN (2, 4)")
        let report = try Vault.open(at: team.vaultPath, verifyingLog: false).verifyWholeLog()
        #expect(
            report.problems == [
                .entry(index: 2, problem: .malformed("its stored leaf hash is not the hash of the entry"))
            ])
        #expect(report.size == size && !report.checkpointMatches)
    }

    @Test("a second backup into a folder another backup holds waits for it, then runs")
    func backupWaitsForTheFolderLock() throws {
        let team = try Team()
        _ = try team.addItem(Array("acta".utf8))
        let destination = team.folder.file("backup")
        _ = try team.vault.backup(to: destination, by: team.lawyer)
        // Another backup's lock: an open file description of its own holding the flock.
        let held = open("\(destination)/\(BackupLock.fileName)", O_RDWR)
        #expect(held >= 0 && flock(held, LOCK_EX) == 0)
        let waiting = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<BackupResult, any Error>?>(nil)
        Thread {
            let outcome = Result {
                try team.vault.backup(to: destination, by: team.lawyer, whileWaiting: { waiting.signal() })
            }
            result.withLock { $0 = outcome }
            done.signal()
        }.start()
        #expect(waiting.wait(timeout: .now() + 60) == .success)
        #expect(done.wait(timeout: .now() + 0.5) == .timedOut)
        close(held)
        #expect(done.wait(timeout: .now() + 120) == .success)
        let outcome = try #require(result.withLock { $0 })
        #expect(try outcome.get().copiedObjects == 0)
    }
}
