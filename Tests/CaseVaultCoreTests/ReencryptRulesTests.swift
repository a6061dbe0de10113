import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// The replay rules of `custody.reencrypt` (LogState+Reencrypt.swift), on a small history, and forged
/// entries signed into a copy of a real vault, which a new client refuses and names.
@Suite("Re-encryption: replay rules and forged entries")
struct ReencryptRulesTests {
    typealias Rules = LogRulesTests
    static let id = "it_0000000000000001"
    static let hash = String(repeating: "a", count: 64)
    static let newObject = String(repeating: "b", count: 64)

    /// A re-encryption of the item of `RewrapTests.loggedItem()` (added at index 8), changed by `changes`.
    static func entry(by author: String = "paula", _ changes: [String: String] = [:]) -> LogEntry {
        let fields: [(String, String)] = [
            ("item", id), ("sha256", hash), ("object", hash), ("prev-event", "8"), ("role", "lawyer"),
            ("new-object", newObject), ("header", String(repeating: "c", count: 64)),
            ("metadata", String(repeating: "d", count: 64)), ("readers", "lawyer:2"),
        ]
        return Rules.entry(.custodyReencrypt, by: author, fields.map { ($0.0, changes[$0.0] ?? $0.1) })
    }

    @Test(
        "custody.reencrypt: by a holder, for the item's hash, object and last event, to current keys, a new object",
        arguments: [
            (LogProblem.notAuthorized("only a holder of lawyer re-encrypts \(id)"), entry(by: "ana")),
            (
                LogProblem.inconsistent("the event's sha256 or object is not that of \(id)"),
                entry(["sha256": String(repeating: "e", count: 64)])
            ),
            (
                LogProblem.inconsistent("the event's sha256 or object is not that of \(id)"),
                entry(["object": newObject])
            ),
            (
                LogProblem.inconsistent("prev-event 7 is not \(id)'s previous custody event, 8"),
                entry(["prev-event": "7"])
            ),
            (LogProblem.inconsistent("psychologist is not a reader role of \(id)"), entry(["role": "psychologist"])),
            (
                LogProblem.inconsistent("the readers of \(id) are not its reader roles at their current keys"),
                entry(["readers": "lawyer:1"])
            ),
            (LogProblem.inconsistent("the new object of \(id) is its old one"), entry(["new-object": hash])),
            (LogProblem.malformed("new-object is not 64 lowercase hex digits"), entry(["new-object": "B"])),
            (LogProblem.malformed("header is not 64 lowercase hex digits"), entry(["header": "c"])),
            (LogProblem.inconsistent("no item it_0000000000000002"), entry(["item": "it_0000000000000002"])),
        ])
    func refused(_ problem: LogProblem, _ entry: LogEntry) throws {
        var state = try RewrapTests.loggedItem()
        #expect(state.items[Self.id]?.index == 8)
        let before = state
        #expect(throws: problem) { try state.apply(entry) }
        #expect(state == before)
    }

    @Test("an applied re-encryption moves the item to its new object and keys and becomes its last event")
    func applied() throws {
        var state = try RewrapTests.loggedItem()
        let index = state.size
        try state.apply(Self.entry())
        let item = try #require(state.items[Self.id])
        #expect(item.object == Self.newObject && item.sha256 == Self.hash && item.readers == ["lawyer:2"])
        #expect(item.headerHash == String(repeating: "c", count: 64))
        #expect(state.chain(of: Self.id, item: item).last == index)
        // The old object is no longer the item's: an event naming it is refused.
        #expect(throws: LogProblem.inconsistent("the event's sha256 or object is not that of \(Self.id)")) {
            try state.apply(Self.entry(["prev-event": String(index), "new-object": String(repeating: "f", count: 64)]))
        }
        // The chain check follows the new object and the unchanged hash.
        let intake = Rules.entry(
            .itemAdd, by: "luis", [("item", Self.id), ("sha256", Self.hash), ("object", Self.hash)])
        let access = Rules.entry(
            .itemGet, by: "luis",
            [
                ("item", Self.id), ("output", "file"), ("sha256", Self.hash), ("object", Self.newObject),
                ("prev-event", "9"),
            ])
        #expect(
            CustodyChainCheck.problems(item: Self.id, events: [(8, intake), (9, Self.entry()), (10, access)]).isEmpty)
        #expect(
            CustodyChainCheck.problems(
                item: Self.id, events: [(8, intake), (9, Self.entry(["sha256": Self.newObject])), (10, access)])
                == [.otherHashes(entry: 9)])
    }

    /// A team whose lawyer was rotated and whose three items were re-encrypted by lucia, then a forged
    /// `custody.reencrypt` for the first item signed by `signer` (key file `signer.age`) into a copy. The team
    /// is returned to keep its folder, which holds the copy.
    func forgedCopy(signer: String, _ change: (inout [(String, String)]) -> Void) throws -> (Team, String, Int, String)
    {
        let (team, lucia, items) = try RewrapTests.rotatedTeam()
        try team.vault.reencrypt(role: "lawyer", by: lucia)
        try team.vault.rotate(role: "lawyer", by: team.admin)
        let facts = try #require(try team.vault.trusted().item(items[0].id))
        var fields: [(String, String)] = [
            ("item", items[0].id), ("sha256", facts.sha256), ("object", facts.object),
            ("prev-event", String(try team.vault.trusted().state.chain(of: items[0].id, item: facts).last)),
            ("role", "lawyer"), ("new-object", String(repeating: "b", count: 64)), ("header", Self.hash),
            ("metadata", Self.hash), ("readers", "lawyer:3,mentor:1"),
        ]
        change(&fields)
        let copy = team.folder.file("copy")
        try FileManager.default.copyItem(atPath: team.vaultPath, toPath: copy)
        let path = copy + "/keys/\(signer).age"
        let keys = try MemberKeys.open(
            keyFile: try readFile(path), path: path, member: signer, passphrase: secret("\(signer) passphrase"))
        return (
            team, copy, try RemovalTests.forge(.custodyReencrypt, fields, by: signer, keys: keys, in: copy), items[0].id
        )
    }

    @Test("a forged re-encryption signed by a member who does not hold the role is refused and named")
    func forgedByNonHolder() throws {
        let (team, copy, index, id) = try forgedCopy(signer: "sofia") { _ in }
        let state = try TemporaryFolder()
        #expect(
            throws: SignedLogError.entry(
                index: index, problem: .notAuthorized("only a holder of lawyer re-encrypts \(id)"))
        ) { try withExtendedLifetime(team) { try Vault.open(at: copy, stateFolder: state.path) } }
    }

    @Test("a forged re-encryption by a holder that changes the plaintext hash is refused and named")
    func forgedHash() throws {
        let (team, copy, index, id) = try forgedCopy(signer: "luis") { $0[1].1 = String(repeating: "e", count: 64) }
        let state = try TemporaryFolder()
        #expect(
            throws: SignedLogError.entry(
                index: index,
                problem: .inconsistent("the event's sha256 or object is not that of \(id)"))
        ) { try withExtendedLifetime(team) { try Vault.open(at: copy, stateFolder: state.path) } }
    }
}
