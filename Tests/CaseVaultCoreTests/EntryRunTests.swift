import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// A batch add stores its `item.add` entries unsigned, in runs, each closed by a signed `run.seal` of the
/// same author whose `prev` line covers them (Docs/FORMAT.md, "Runs of entries under one signature").
@Suite("Runs of entries under one signature")
struct EntryRunTests {
    typealias Rules = LogRulesTests

    /// An `item.add` of case C-1 (made by `state`) by `author`.
    static func itemAdd(_ number: Int, by author: String = "luis") -> LogEntry {
        let hash = String(repeating: "a", count: 64)
        return Rules.entry(
            .itemAdd, by: author,
            [
                ("item", String(format: "it_%016x", number)), ("case", "C-1"), ("class", "legal"), ("size", "1"),
                ("sha256", hash), ("object", hash), ("header", hash), ("metadata", hash), ("readers", "lawyer:1"),
            ])
    }

    static func seal(covers: Int, by author: String = "luis") -> LogEntry {
        Rules.entry(.runSeal, by: author, [("covers", String(covers))])
    }

    /// luis and paula hold lawyer; case C-1 exists.
    static func withCase() throws -> LogState {
        var state = try RemovalRulesTests.twoLawyers()
        try state.apply(
            Rules.entry(
                .caseCreate, by: "luis",
                [("case", "C-1"), ("metadata", String(repeating: "a", count: 64)), ("readers", "lawyer:1")]))
        return state
    }

    @Test("unsigned item.add entries followed by their author's run.seal covering exactly them are accepted")
    func sealedRunAccepted() throws {
        var state = try Self.withCase()
        let start = state.size
        for n in 1...3 { try state.apply(Self.itemAdd(n), signed: false) }
        #expect(state.openRun == LogState.OpenRun(author: "luis", first: start, count: 3))
        #expect(throws: LogProblem.unsealedRun(first: start)) { try state.checkRunClosed() }
        try state.apply(Self.seal(covers: 3))
        #expect(state.openRun == nil && state.items.count == 3)
        try state.checkRunClosed()
    }

    @Test(
        "a run's end is refused unless its author's run.seal covers exactly it",
        arguments: [
            (
                "a signed entry of another type",
                Rules.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "ana")])
            ),
            ("a seal by another member", seal(covers: 2, by: "paula")),
            ("a seal covering fewer", seal(covers: 1)),
            ("a seal covering more", seal(covers: 3)),
            ("an unsigned entry by another member", itemAdd(9, by: "paula")),
        ])
    func wrongEndRefused(_ label: String, _ next: LogEntry) throws {
        var state = try Self.withCase()
        let start = state.size
        for n in 1...2 { try state.apply(Self.itemAdd(n), signed: false) }
        let signed = !(label.hasPrefix("an unsigned"))
        let before = state
        #expect(throws: LogProblem.unsealedRun(first: start), "\(label)") { try state.apply(next, signed: signed) }
        #expect(state == before, "a refused entry changes nothing")
    }

    @Test("only item.add may be unsigned; a run.seal with no run before it is refused")
    func unsignedTypesAndStraySeal() throws {
        var state = try Self.withCase()
        #expect(throws: LogProblem.unsignedType("role.grant")) {
            try state.apply(
                Rules.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "ana")]), signed: false)
        }
        #expect(throws: LogProblem.unsignedType("run.seal")) { try state.apply(Self.seal(covers: 1), signed: false) }
        #expect(throws: LogProblem.inconsistent("run.seal covers no unsigned entries")) {
            try state.apply(Self.seal(covers: 1))
        }
        // An unsigned entry still obeys the rules of its type: here, an unknown case.
        let stray = Rules.entry(
            .itemAdd, by: "luis",
            Self.itemAdd(1).fields.map { ($0.key, $0.key == "case" ? "C-9" : $0.value) })
        #expect(throws: LogProblem.self) { try state.apply(stray, signed: false) }
        #expect(state.openRun == nil)
    }

    /// A team, case C-1, and a batch of `count` small files added by luis through `session` (his keys when nil).
    static func batch(_ count: Int, session: MemberSession? = nil) throws -> (Team, [Item], [[UInt8]], Int) {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let before = try team.vault.auditEntries().count
        let contents = (0..<count).map { _ in randomBytes(300) }
        let paths = try contents.enumerated().map { try team.folder.write("f\($0.offset)", $0.element) }
        let items = try team.vault.add(caseID: "C-1", files: paths, by: session ?? team.lawyer)
        return (team, items, contents, before)
    }

    @Test("a batch add through the agent: runs of unsigned entries, one seal each, and the log verifies")
    func batchAddVerifies() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        let before = try team.vault.auditEntries().count
        // Three runs: two full ones and one of 10.
        let count = 2 * EntryRuns.runLength + 10
        let contents = (0..<count).map { _ in randomBytes(300) }
        let paths = try contents.enumerated().map { try team.folder.write("f\($0.offset)", $0.element) }
        let items = try team.vault.add(caseID: "C-1", files: paths, by: session)
        let entries = try team.vault.auditEntries(from: before)
        let runs = [EntryRuns.runLength, EntryRuns.runLength, 10]
        #expect(entries.map(\.type) == runs.flatMap { Array(repeating: "item.add", count: $0) + ["run.seal"] })
        #expect(entries.filter { $0.type == "run.seal" }.map { $0.fields["covers"] } == runs.map { String($0) })
        #expect(entries.filter { $0.type == "item.add" }.map { $0.fields["item"] } == items.map(\.id))
        // Only the seals carry a signature.
        let notes = try team.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT note FROM log_entries WHERE idx >= ? ORDER BY idx", arguments: [before])
        }
        #expect(notes.map { !SignedEntry.isBodyAlone([UInt8]($0)) } == entries.map { $0.type == "run.seal" })
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        // A new client replays the log from the folder alone and reads the last item of the last run.
        let fresh = try TemporaryFolder()
        let reopened = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: fresh.path)
        let out = team.folder.file("last")
        let lawyer = try reopened.unlock("luis", passphrase: secret("luis passphrase"))
        try reopened.get(items[count - 1].id, to: .file(path: out), by: lawyer)
        #expect(try readFile(out) == contents[count - 1])
    }

    @Test("a batch's connection to the agent ends with its checks, so the checkpoint's signature is served at once")
    func checksCloseConnection() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        let agent = try #require(session.keys as? AgentKeys)
        let checks = DeferredSignatureChecks(agent: agent)
        let message = Array("run.seal body".utf8)
        #expect(try checks.sign(message) == (try team.lawyer.sign(message)))
        #expect(checks.connectionIsOpen)
        try checks.finish()
        #expect(!checks.connectionIsOpen)
    }

    @Test("a single file's entry is signed, with no seal")
    func singleSigned() throws {
        let (team, _, _, before) = try Self.batch(1)
        let entries = try team.vault.auditEntries(from: before)
        #expect(entries.map(\.type) == ["item.add"])
        let note = try team.vault.read { db in
            try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [before])
        }
        #expect(!SignedEntry.isBodyAlone([UInt8](try #require(note))))
    }

    /// Replaces entry `index`'s note in the folder (and its leaf hash, as an attacker would), then checks a new
    /// client and the whole-log audit both refuse the vault.
    static func expectRefused(_ team: Team, at index: Int, note: [UInt8], _ label: String) throws {
        try tamperAsAttacker(
            team.vault.database, "UPDATE log_entries SET note = ?, leaf_hash = ? WHERE idx = ?",
            [Data(note), Data(try Merkle.leafHash(note)), index])
        let report = try team.vault.verifyWholeLog()
        #expect(!report.problems.isEmpty, "\(label): audit verify accepted it")
        let fresh = try TemporaryFolder()
        #expect(throws: SignedLogError.self, "\(label): a new client accepted it") {
            try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: fresh.path).items()
        }
    }

    @Test(
        "an attacker without keys cannot alter, sign away or unsign a run's entries",
        arguments: ["alter an unsigned entry", "strip the seal's signature", "unsign a signed entry"])
    func runTamperRefused(_ attack: String) throws {
        let (team, _, _, before) = try Self.batch(3)
        let notes = try team.vault.read { db in
            try Data.fetchAll(db, sql: "SELECT note FROM log_entries WHERE idx >= ? ORDER BY idx", arguments: [before])
        }.map { [UInt8]($0) }
        #expect(notes.count == 4)
        switch attack {
        case "alter an unsigned entry":
            // Another SHA-256 for the second item: a well-formed entry, but not the one the seal's root covers.
            let text = String(decoding: notes[1], as: UTF8.self)
            let sha = try #require(text.split(separator: "\n").first { $0.hasPrefix("sha256 ") })
            let forged = text.replacingOccurrences(of: sha, with: "sha256 " + String(repeating: "b", count: 64))
            try Self.expectRefused(team, at: before + 1, note: Array(forged.utf8), attack)
            // Found at the next entry, whose prev line no longer matches, and named as the run's.
            #expect(
                try team.vault.verifyWholeLog().problems == [
                    .entry(index: before + 2, problem: .runAltered(first: before))
                ])
        case "strip the seal's signature":
            let body = try SignedEntry.parseStored(notes[3]).entry.body
            try Self.expectRefused(team, at: before + 3, note: Array(body.utf8), attack)
        default:
            // The case's signed entry, its body alone: only item.add may be unsigned.
            let index = before - 1
            let note = try team.vault.read { db in
                try Data.fetchOne(db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [index])
            }
            let body = try SignedEntry.parseStored([UInt8](try #require(note))).entry.body
            try Self.expectRefused(team, at: index, note: Array(body.utf8), attack)
        }
    }

    @Test("a client that meets unsigned entries whose seal is gone refuses them and keeps none as verified")
    func unsealedNotKept() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let state = try TemporaryFolder()
        let other = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: state.path)
        let size = try other.trusted().size
        let paths = try (0..<3).map { try team.folder.write("f\($0)", randomBytes(100)) }
        let items = try team.vault.add(caseID: "C-1", files: paths, by: team.lawyer)
        // The seal and its checkpoint removed: the log ends with the run, the latest checkpoint before it.
        try tamperAsAttacker(team.vault.database, "DELETE FROM log_entries WHERE idx = ?", [size + 3])
        try tamperAsAttacker(team.vault.database, "DELETE FROM log_checkpoints WHERE size = ?", [size + 4])
        #expect(throws: SignedLogError.entry(index: size + 2, problem: .unsealedRun(first: size))) {
            try other.items()
        }
        #expect(try other.trusted().size == size)
        #expect(try other.trusted().item(items[0].id) == nil)
    }

    @Test("a log cut after a run's unsigned entries, before its seal, is refused at its last entry")
    func cutBeforeSealRefused() throws {
        let (team, _, _, before) = try Self.batch(3)
        // The attacker removes the seal and re-signs nothing (they hold no key): the stored checkpoint is left.
        try tamperAsAttacker(team.vault.database, "DELETE FROM log_entries WHERE idx = ?", [before + 3])
        let report = try team.vault.verifyWholeLog()
        #expect(report.problems == [.entry(index: before + 2, problem: .unsealedRun(first: before))])
    }
}
