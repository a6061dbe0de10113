import CaseVaultAge
import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

@Suite("Rewrap after rotation")
struct RewrapTests {
    struct Stored: Equatable {
        let header: [UInt8]
        let metadata: [UInt8]
        let object: [UInt8]
        let generations: [String: Int]
    }

    func stored(_ team: Team, _ item: Item) throws -> Stored {
        let record = try team.vault.read { db in try team.vault.itemRecord(db, item.id) }
        return Stored(
            header: record.header, metadata: record.metadata,
            object: try readFile(team.vault.objects.path(of: item.object)),
            generations: record.generations)
    }

    /// Three legal items (lawyer and mentor) and one case, then a rotation of lawyer.
    static func rotatedTeam() throws -> (Team, MemberSession, [Item]) {
        let (team, lucia) = try RotationTests.teamWithTwoLawyers()
        try team.vault.createCase(id: "C-1", title: "Título", survivor: "R.", by: team.lawyer)
        var items: [Item] = []
        for n in 0..<3 { items.append(try team.addItem(Array("item \(n)".utf8), itemClass: .legal, name: "f\(n).txt")) }
        try team.vault.rotate(role: "lawyer", by: team.admin)
        return (team, lucia, items)
    }

    @Test("rewrap moves headers, metadata and case titles to the current key; objects are not touched")
    func rewrap() throws {
        let (team, lucia, items) = try Self.rotatedTeam()
        let before = try items.map { try stored(team, $0) }
        let oldKey = try team.vault.read { db in try RoleKeyring.openIdentities(db, session: lucia, roles: ["lawyer"])
        }[
            "lawyer"]![1]!
        let result = try team.vault.rewrap(role: "lawyer", by: lucia, batchSize: 2)
        #expect(result == RewrapResult(role: "lawyer", generation: 2, items: 3, cases: 1))
        for (n, (item, old)) in zip(items, before).enumerated() {
            let now = try stored(team, item)
            #expect(now.object == old.object)
            #expect(now.header != old.header && now.metadata != old.metadata)
            // The metadata is sealed under the item's own header, and keeps it through the rewrap.
            #expect(old.metadata.starts(with: old.header) && now.metadata.starts(with: now.header))
            #expect(now.metadata[now.header.count...] == old.metadata[old.header.count...])
            #expect(try team.vault.showItem(item.id, as: lucia).metadata?.filename == "f\(n).txt")
            #expect(now.generations == ["lawyer": 2, "mentor": 1])
            // The old generation's key opens neither any more; the mentor's stanza is still there.
            let (header, _) = try Header.parse(now.header)
            #expect(throws: AgeError.self) { try FileKey.unwrap(header, identities: [oldKey]) }
            for session in [team.lawyer, lucia, team.mentor] {
                let out = team.folder.file("out-\(item.id)-\(session.member)")
                try team.vault.get(item.id, to: .file(path: out), by: session)
                #expect(try readFile(out) == Array("item \(n)".utf8))
            }
        }
        #expect(try team.vault.showCase("C-1", as: lucia).title == "Título")
        #expect(try team.vault.items(inCase: "C-1").count == 3)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        // A new client replays the rewraps and accepts the new headers.
        let state = try TemporaryFolder()
        let fresh = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        try fresh.get(items[0].id, to: .file(path: team.folder.file("fresh")), by: lucia)
        // Nothing is left to do.
        #expect(
            try team.vault.rewrap(role: "lawyer", by: lucia)
                == RewrapResult(role: "lawyer", generation: 2, items: 0, cases: 0))
    }

    @Test("metadata an earlier build sealed with stanzas of its own is rewrapped on its own, and still reads")
    func rewrapOwnStanzaMetadata() throws {
        // An earlier build's item, as an upgrade attests it: metadata with its own stanzas and file key.
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8), itemClass: .legal, name: "acta.pdf")
        let recipients = try team.vault.read { db in try RoleKeyring.readerRecipients(db, roles: ["lawyer", "mentor"]) }
        let own = try SealedBlob.seal(
            try encodeJSON(ItemMetadata(filename: "antigua.pdf")), to: recipients.map(\.recipient))
        try team.vault.database.writeWithoutTransaction { db in
            try UpgradeTests.removeLog(db)
            try db.execute(sql: "UPDATE items SET metadata = ? WHERE id = ?", arguments: [Data(own), item.id])
        }
        let state = try TemporaryFolder()
        let old = try Vault.open(at: team.vaultPath, stateFolder: state.path)
        let vault = try old.upgradeToSignedLog(by: try old.unlock("ana", passphrase: secret("ana passphrase")))
        let ana = try vault.unlock("ana", passphrase: secret("ana passphrase"))
        try vault.addMember(name: "lucia", newPassphrase: secret("lucia passphrase"), by: ana)
        let luis = try vault.unlock("luis", passphrase: secret("luis passphrase"))
        try vault.grant(role: "lawyer", to: "lucia", by: luis)
        try vault.rotate(role: "lawyer", by: ana)
        let lucia = try vault.unlock("lucia", passphrase: secret("lucia passphrase"))
        #expect(try vault.rewrap(role: "lawyer", by: lucia).items == 1)
        let record = try vault.read { db in try vault.itemRecord(db, item.id) }
        #expect(!record.metadata.starts(with: record.header) && record.generations["lawyer"] == 2)
        #expect(try vault.showItem(item.id, as: lucia).metadata?.filename == "antigua.pdf")
        #expect(try vault.verifyWholeLog().problems.isEmpty)
    }

    struct Stop: Error {}

    @Test("an interrupted rewrap keeps the batches done, and a second run finishes the rest")
    func resume() throws {
        let (team, lucia, items) = try Self.rotatedTeam()
        #expect(throws: Stop.self) {
            try team.vault.rewrap(role: "lawyer", by: lucia, batchSize: 2) { done, _ in if done >= 3 { throw Stop() } }
        }
        let generations = try items.map { try stored(team, $0).generations["lawyer"]! }
        #expect(generations.sorted() == [1, 2, 2])
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        let rest = try team.vault.rewrap(role: "lawyer", by: lucia, batchSize: 2)
        #expect(rest.items == 1 && rest.cases == 0)
        #expect(try items.map { try stored(team, $0).generations["lawyer"]! } == [2, 2, 2])
    }

    @Test("only a holder rewraps; a header swapped back in the folder is refused")
    func refusals() throws {
        let (team, lucia, items) = try Self.rotatedTeam()
        #expect(throws: VaultError.notPermitted(.rewrap(role: "lawyer"))) {
            try team.vault.rewrap(role: "lawyer", by: team.admin)
        }
        let old = try stored(team, items[0])
        try team.vault.rewrap(role: "lawyer", by: lucia)
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(
                sql: "UPDATE items SET header = ? WHERE id = ?", arguments: [Data(old.header), items[0].id])
        }
        #expect(throws: VaultError.notInLog(.item(items[0].id, field: "header"))) {
            try team.vault.get(items[0].id, to: .file(path: team.folder.file("o")), by: lucia)
        }
    }

    typealias Rules = LogRulesTests

    /// The founded vault (LogRulesTests) with paula as second lawyer, a case and one item at lawyer:1, and
    /// lawyer rotated to generation 2.
    static func loggedItem() throws -> LogState {
        var state = try RemovalRulesTests.twoLawyers()
        let hash = String(repeating: "a", count: 64)
        try state.apply(
            Rules.entry(.caseCreate, by: "luis", [("case", "C-1"), ("metadata", hash), ("readers", "lawyer:1")]))
        try state.apply(
            Rules.entry(
                .itemAdd, by: "luis",
                [
                    ("item", "it_0000000000000001"), ("case", "C-1"), ("class", "legal"), ("size", "1"),
                    ("sha256", hash), ("object", hash), ("header", hash), ("metadata", hash), ("readers", "lawyer:1"),
                ]))
        try state.apply(RemovalRulesTests.rotation("lawyer", 2, by: "ana", key: 6))
        return state
    }

    static func rewrapEntry(by author: String, generation: Int = 2, _ lines: [String]) -> LogEntry {
        Rules.entry(
            .itemRewrap, by: author,
            [("role", "lawyer"), ("generation", String(generation))] + lines.map { ("item", $0) })
    }

    @Test(
        "item.rewrap is by a holder, to the current key, of items on an older key, each once",
        arguments: [
            (
                LogProblem.notAuthorized("only a holder of lawyer rewraps"),
                rewrapEntry(by: "ana", ["it_0000000000000001 b c"])
            ),
            (
                LogProblem.inconsistent("lawyer:1 is not the role's current key"),
                rewrapEntry(by: "paula", generation: 1, ["it_0000000000000001 b c"])
            ),
            (
                LogProblem.inconsistent("no item it_0000000000000002 to rewrap, or named twice"),
                rewrapEntry(by: "paula", ["it_0000000000000002 b c"])
            ),
            (
                LogProblem.inconsistent("no item it_0000000000000001 to rewrap, or named twice"),
                rewrapEntry(by: "paula", ["it_0000000000000001 b c", "it_0000000000000001 d e"])
            ),
            (
                LogProblem.malformed("an item line is not 'ID HEADER METADATA'"),
                rewrapEntry(by: "paula", ["it_0000000000000001 b"])
            ),
        ])
    func rewrapRules(_ problem: LogProblem, _ entry: LogEntry) throws {
        var state = try Self.loggedItem()
        let before = state
        #expect(throws: problem) { try state.apply(entry) }
        #expect(state == before)
    }

    @Test("an applied item.rewrap updates the item's header, metadata and readers; a second one is refused")
    func rewrapApplied() throws {
        var state = try Self.loggedItem()
        try state.apply(Self.rewrapEntry(by: "paula", ["it_0000000000000001 b c"]))
        let item = try #require(state.items["it_0000000000000001"])
        #expect(item.headerHash == "b" && item.metadataHash == "c" && item.readers == ["lawyer:2"])
        #expect(throws: LogProblem.inconsistent("it_0000000000000001 is not wrapped to an older key of lawyer")) {
            try state.apply(Self.rewrapEntry(by: "paula", ["it_0000000000000001 d e"]))
        }
        try state.apply(
            Rules.entry(.caseRewrap, by: "paula", [("role", "lawyer"), ("generation", "2"), ("case", "C-1 f")]))
        #expect(state.cases["C-1"]?.readers == ["lawyer:2"] && state.cases["C-1"]?.metadataHash == "f")
    }
}
