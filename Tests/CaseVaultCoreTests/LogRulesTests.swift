import CaseVaultTestSupport
import Testing

@testable import CaseVaultCore

/// The signed log's entries and the rules a verifier replays them by. Each test builds a small history and
/// tries to slip in an entry its author may not make; the state must refuse it and stay unchanged.
@Suite("Signed log: entry format and authorization rules")
struct LogRulesTests {
    static let root = [UInt8](repeating: 0, count: 32)
    static let vault = String(repeating: "ab", count: 16)

    static func entry(
        _ type: EntryType, by author: String, _ fields: [(String, String)], at index: Int = 1, vault: String? = vault
    ) -> LogEntry {
        LogEntry(
            type: type, vault: type == .genesis ? nil : vault, previousSize: index, previousRoot: root,
            time: "2026-12-01T10:00:00Z", author: author, fields: fields.map { (key: $0.0, value: $0.1) })
    }

    static func key(_ n: Int) -> String { String(repeating: String(n % 10), count: 64) }
    static func recipient(_ n: Int) -> String { "age1" + String(repeating: Character(String(n % 10)), count: 58) }

    /// A vault founded by ana (admin), with luis added and made the first lawyer.
    static func founded() throws -> LogState {
        var state = LogState()
        state.vaultID = vault
        try state.apply(
            entry(
                .genesis, by: "ana",
                [
                    ("admin", "ana \(recipient(1)) \(key(1))"), ("role", "admin"), ("role", "lawyer"),
                    ("role", "psychologist"), ("class-readers", "legal lawyer"), ("case-readers", "lawyer"),
                    ("upgrade", "no"),
                ], at: 0))
        try state.apply(
            entry(.roleGeneration, by: "ana", [("role", "admin"), ("generation", "1"), ("recipient", recipient(2))]))
        try state.apply(
            entry(.memberAdd, by: "ana", [("member", "luis"), ("recipient", recipient(3)), ("signing-key", key(3))]))
        try state.apply(
            entry(.memberAdd, by: "ana", [("member", "paula"), ("recipient", recipient(4)), ("signing-key", key(4))]))
        try state.apply(
            entry(.roleGeneration, by: "ana", [("role", "lawyer"), ("generation", "1"), ("recipient", recipient(5))]))
        try state.apply(entry(.roleGrant, by: "ana", [("role", "lawyer"), ("member", "luis")]))
        return state
    }

    @Test("an entry's text round-trips, and any non-canonical variant is refused")
    func canonicalText() throws {
        let original = Self.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "paula")])
        #expect(try LogEntry.parse(original.body) == original)
        let body = original.body
        for variant in [
            body.replacingOccurrences(of: "type role.grant\n", with: "type  role.grant\n"),
            body.replacingOccurrences(of: "by luis\n", with: "by luis \n"),
            body.replacingOccurrences(of: "member paula\n", with: "member paula\nnote hi\n"),
            body.replacingOccurrences(of: "member paula\n", with: ""),
            String(body.dropLast()),
            body.replacingOccurrences(of: "casevault/entry/v1", with: "casevault/entry/v2"),
            body.replacingOccurrences(of: "prev 1 ", with: "prev 01 "),
            body.replacingOccurrences(of: "by luis\n", with: "by luis\r\n"),
        ] {
            #expect(throws: SignedLogError.self) { try LogEntry.parse(variant) }
        }
    }

    @Test("whatever the parser accepts is canonical: single-byte changes to entries of every shape")
    func acceptedIsCanonical() throws {
        // The parser does not re-serialize to check canonical form; it must accept only bytes that `body`
        // gives back exactly. Every position of each body is replaced with bytes that could fool a lax parser.
        let entries = [
            Self.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "paula")]),
            Self.entry(
                .genesis, by: "ana",
                [
                    ("admin", "ana \(Self.recipient(1)) \(Self.key(1))"), ("role", "admin"), ("role", "lawyer"),
                    ("class-readers", "legal lawyer"), ("case-readers", "lawyer"), ("upgrade", "no"),
                ], at: 0),
        ]
        var accepted = 0
        for original in entries {
            let body = Array(original.body.utf8)
            for position in body.indices {
                for byte: UInt8 in [0x20, 0x0A, 0x0D, 0x09, 0x00, 0x2B, 0x3D, 0x30, 0x41, 0x61, 0x7F, 0xC3] {
                    var variant = body
                    variant[position] = byte
                    guard variant != body else { continue }
                    guard let parsed = try? variant.withUnsafeBufferPointer({ try LogEntry.parse(bytes: $0) }) else {
                        continue
                    }
                    accepted += 1
                    #expect(Array(parsed.body.utf8) == variant, "accepted a non-canonical variant at \(position)")
                }
            }
        }
        // Some variants are valid entries (another name, another hash digit): the check above saw them.
        #expect(accepted > 0)
    }

    @Test("the founding history applies, and its state is what it says")
    func foundingHistory() throws {
        let state = try Self.founded()
        #expect(state.holds("ana", "admin") && state.holds("luis", "lawyer") && !state.holds("paula", "lawyer"))
        #expect(state.roles["lawyer"]?.generations == [1: Self.recipient(5)])
        #expect(state.size == 6)
    }

    @Test(
        "entries their authors may not make are refused, and the state is unchanged",
        arguments: [
            (
                LogProblem.notAuthorized("only an admin adds members"),
                entry(
                    .memberAdd, by: "luis", [("member", "eve"), ("recipient", recipient(7)), ("signing-key", key(7))])
            ),
            (
                LogProblem.notAuthorized("only a holder of lawyer, or an admin for its first holder, grants it"),
                entry(.roleGrant, by: "ana", [("role", "lawyer"), ("member", "paula")])
            ),
            (
                LogProblem.notAuthorized("only a holder of lawyer, or an admin for its first holder, grants it"),
                entry(.roleGrant, by: "paula", [("role", "lawyer"), ("member", "paula")])
            ),
            (
                LogProblem.notAuthorized("only an admin makes a role's first key"),
                entry(
                    .roleGeneration, by: "luis",
                    [("role", "psychologist"), ("generation", "1"), ("recipient", recipient(8))])
            ),
            (
                LogProblem.inconsistent("luis is the last holder of lawyer"),
                entry(.roleRevoke, by: "luis", [("role", "lawyer"), ("member", "luis")])
            ),
            (
                LogProblem.notAuthorized("only a holder of a reader role of it_0000000000000001 reads it"),
                entry(.itemGet, by: "paula", [("item", "it_0000000000000001"), ("output", "file")])
            ),
            (
                LogProblem.misplacedGenesis,
                entry(
                    .genesis, by: "ana",
                    [
                        ("admin", "ana \(recipient(1)) \(key(1))"), ("role", "admin"), ("class-readers", "legal admin"),
                        ("case-readers", "admin"), ("upgrade", "no"),
                    ], at: 6)
            ),
            (
                LogProblem.wrongVault,
                entry(
                    .roleGrant, by: "luis", [("role", "lawyer"), ("member", "paula")],
                    vault: String(repeating: "cd", count: 16))
            ),
            (
                LogProblem.inconsistent("reader lawyer:2 is no role key"),
                entry(
                    .itemAdd, by: "luis",
                    [
                        ("item", "it_0000000000000002"), ("case", "C-1"), ("class", "legal"), ("size", "1"),
                        ("sha256", key(1)), ("object", key(2)), ("header", key(3)), ("metadata", key(4)),
                        ("readers", "lawyer:2"),
                    ])
            ),
        ] as [(LogProblem, LogEntry)])
    func refused(_ expected: LogProblem, _ entry: LogEntry) throws {
        var state = try Self.founded()
        try state.apply(
            Self.entry(.caseCreate, by: "luis", [("case", "C-1"), ("metadata", Self.key(9)), ("readers", "lawyer:1")]))
        try state.apply(
            Self.entry(
                .itemAdd, by: "luis",
                [
                    ("item", "it_0000000000000001"), ("case", "C-1"), ("class", "legal"), ("size", "1"),
                    ("sha256", Self.key(1)), ("object", Self.key(2)), ("header", Self.key(3)),
                    ("metadata", Self.key(4)),
                    ("readers", "lawyer:1"),
                ]))
        let before = state
        #expect(throws: expected) {
            _ = try state.signingKey(of: entry)
            try state.apply(entry)
        }
        #expect(state == before)
    }

    @Test("an author who is not a member, or a genesis out of place, has no key to verify with")
    func unknownAuthors() throws {
        let state = try Self.founded()
        let stranger = Self.entry(.roleGrant, by: "eve", [("role", "lawyer"), ("member", "eve")])
        #expect(throws: LogProblem.unknownAuthor("eve")) { try state.signingKey(of: stranger) }
        #expect(
            try state.signingKey(of: Self.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "paula")]))
                == Self.key(3))
    }

    @Test("while an upgrade attests existing state, only the upgrading admin signs, until upgrade.done")
    func upgradeAttestation() throws {
        var state = LogState()
        state.vaultID = Self.vault
        try state.apply(
            Self.entry(
                .genesis, by: "ana",
                [
                    ("admin", "ana \(Self.recipient(1)) \(Self.key(1))"), ("role", "admin"), ("role", "lawyer"),
                    ("class-readers", "legal lawyer"), ("case-readers", "lawyer"), ("upgrade", "yes"),
                ], at: 0))
        try state.apply(
            Self.entry(
                .memberAdd, by: "ana",
                [("member", "luis"), ("recipient", Self.recipient(3)), ("signing-key", Self.key(3))]))
        #expect(throws: LogProblem.self) {
            try state.apply(
                Self.entry(
                    .roleGeneration, by: "luis",
                    [("role", "lawyer"), ("generation", "1"), ("recipient", Self.recipient(5))]))
        }
        try state.apply(Self.entry(.upgradeDone, by: "ana", [("entries", "2")]))
        #expect(state.attestingAdmin == nil)
    }
}
