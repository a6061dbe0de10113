import CaseVaultAge
import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("Rewrap adds a case-reader role to cases made before it had a key")
struct CaseReaderTests {
    /// ana (admin) and luis (lawyer); case C-1 made while psychologist had no key; then paula becomes the
    /// first psychologist.
    static func lateRole() throws -> (
        TemporaryFolder, Vault, admin: MemberSession, luis: MemberSession, paula: MemberSession
    ) {
        let folder = try TemporaryFolder()
        let vault = try Vault.create(
            at: folder.file("vault"), admin: "ana", passphrase: secret("ana passphrase"),
            configuration: VaultConfiguration(keyWorkFactor: testWorkFactor))
        let admin = try vault.unlock("ana", passphrase: secret("ana passphrase"))
        try vault.addMember(name: "luis", newPassphrase: secret("luis passphrase"), roles: ["lawyer"], by: admin)
        let luis = try vault.unlock("luis", passphrase: secret("luis passphrase"))
        try vault.createCase(id: "C-1", title: "Título", survivor: "R.", by: luis)
        try vault.addMember(
            name: "paula", newPassphrase: secret("paula passphrase"), roles: ["psychologist"], by: admin)
        let paula = try vault.unlock("paula", passphrase: secret("paula passphrase"))
        return (folder, vault, admin, luis, paula)
    }

    @Test("the rewrap of the late role adds it to the case, by a member who can open the title; others leave it")
    func addsRole() throws {
        let (folder, vault, _, luis, paula) = try Self.lateRole()
        #expect(try vault.showCase("C-1", as: paula).title == nil)
        let before = try vault.read { db in try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = 'C-1'") }
        // paula holds no reader role of C-1: nothing she can do, and nothing changes.
        let refused = try vault.rewrap(role: "psychologist", by: paula)
        #expect(refused.casesAdded == 0 && refused.casesLeft == 1)
        #expect(
            try vault.read { db in try Data.fetchOne(db, sql: "SELECT metadata FROM cases WHERE id = 'C-1'") } == before
        )
        // luis, once a psychologist too, opens the title with the lawyer key and adds psychologist.
        try vault.grant(role: "psychologist", to: "luis", by: paula)
        let added = try vault.rewrap(role: "psychologist", by: luis)
        #expect(added.casesAdded == 1 && added.casesLeft == 0)
        #expect(try vault.showCase("C-1", as: paula).title == "Título")
        #expect(try vault.showCase("C-1", as: luis).title == "Título")
        #expect(try vault.showCase("C-1").readers.sorted() == ["lawyer", "psychologist"])
        #expect(try vault.trusted().state.cases["C-1"]?.readers == ["lawyer:1", "psychologist:1"])
        #expect(try vault.verifyWholeLog().problems.isEmpty)
        // A new client replays the entry and reads the title too.
        let state = try TemporaryFolder()
        let fresh = try Vault.open(at: folder.file("vault"), stateFolder: state.path)
        #expect(try fresh.showCase("C-1", as: paula).title == "Título")
        // Nothing is left; after a rotation of psychologist the added stanza is rewrapped like any other.
        #expect(try vault.rewrap(role: "psychologist", by: luis).casesAdded == 0)
        try vault.rotate(role: "psychologist", by: paula)
        let rewrapped = try vault.rewrap(role: "psychologist", by: paula)
        #expect(rewrapped.cases == 1 && rewrapped.casesAdded == 0)
        #expect(try vault.showCase("C-1", as: paula).title == "Título")
        #expect(try vault.verifyWholeLog().problems.isEmpty)
    }

    typealias Rules = LogRulesTests

    /// The founded vault of LogRulesTests, but with psychologist a case reader: C-1 made when only lawyer
    /// had a key, then psychologist's first key and holder paula.
    static func loggedCase() throws -> LogState {
        var state = LogState()
        state.vaultID = LogRulesTests.vault
        try state.apply(
            Rules.entry(
                .genesis, by: "ana",
                [
                    ("admin", "ana \(Rules.recipient(1)) \(Rules.key(1))"), ("role", "admin"), ("role", "lawyer"),
                    ("role", "psychologist"), ("role", "mentor"), ("class-readers", "legal lawyer"),
                    ("case-readers", "lawyer,psychologist"), ("upgrade", "no"),
                ], at: 0))
        for (role, member, key) in [("admin", nil, 2), ("lawyer", "luis", 5)] as [(String, String?, Int)] {
            try state.apply(
                Rules.entry(
                    .roleGeneration, by: "ana",
                    [("role", role), ("generation", "1"), ("recipient", Rules.recipient(key))]))
            if let member {
                try state.apply(
                    Rules.entry(
                        .memberAdd, by: "ana",
                        [("member", member), ("recipient", Rules.recipient(3)), ("signing-key", Rules.key(3))]))
                try state.apply(Rules.entry(.roleGrant, by: "ana", [("role", role), ("member", member)]))
            }
        }
        let hash = String(repeating: "a", count: 64)
        try state.apply(
            Rules.entry(.caseCreate, by: "luis", [("case", "C-1"), ("metadata", hash), ("readers", "lawyer:1")]))
        try state.apply(
            Rules.entry(
                .memberAdd, by: "ana",
                [("member", "paula"), ("recipient", Rules.recipient(4)), ("signing-key", Rules.key(4))]))
        for role in ["psychologist", "mentor"] {
            try state.apply(
                Rules.entry(
                    .roleGeneration, by: "ana",
                    [("role", role), ("generation", "1"), ("recipient", Rules.recipient(role == "mentor" ? 7 : 6))]))
            try state.apply(Rules.entry(.roleGrant, by: "ana", [("role", role), ("member", "paula")]))
        }
        return state
    }

    static func addEntry(by author: String, role: String = "psychologist", generation: Int = 1, _ lines: [String])
        -> LogEntry
    {
        Rules.entry(
            .caseReader, by: author, [("role", role), ("generation", String(generation))] + lines.map { ("case", $0) })
    }

    @Test(
        "case.reader: a case-reader role at its current key, added by a holder of a reader of the case, once",
        arguments: [
            (
                LogProblem.notAuthorized("only a holder of a reader role of C-1 adds a reader to it"),
                addEntry(by: "paula", ["C-1 b"])
            ),
            (
                LogProblem.inconsistent("mentor is not a case-reader role"),
                addEntry(by: "luis", role: "mentor", ["C-1 b"])
            ),
            (
                LogProblem.inconsistent("psychologist:2 is not the role's current key"),
                addEntry(by: "luis", generation: 2, ["C-1 b"])
            ),
            (LogProblem.inconsistent("C-1 is already read by lawyer"), addEntry(by: "luis", role: "lawyer", ["C-1 b"])),
            (
                LogProblem.inconsistent("no case C-2 to add a reader to, or named twice"),
                addEntry(by: "luis", ["C-2 b"])
            ),
            (
                LogProblem.inconsistent("no case C-1 to add a reader to, or named twice"),
                addEntry(by: "luis", ["C-1 b", "C-1 c"])
            ),
            (LogProblem.malformed("a case line is not 'ID METADATA'"), addEntry(by: "luis", ["C-1"])),
        ])
    func rules(_ problem: LogProblem, _ entry: LogEntry) throws {
        var state = try Self.loggedCase()
        let before = state
        #expect(throws: problem) { try state.apply(entry) }
        #expect(state == before)
    }

    @Test("an applied case.reader appends the role to the case's readers, in stanza order, with the new hash")
    func applied() throws {
        var state = try Self.loggedCase()
        try state.apply(Self.addEntry(by: "luis", ["C-1 b"]))
        #expect(state.cases["C-1"]?.readers == ["lawyer:1", "psychologist:1"])
        #expect(state.cases["C-1"]?.metadataHash == "b")
    }
}
