import Testing

@testable import CaseVaultCore

/// The replay rules of rotation and removal, on a small history (see LogRulesTests for the helpers).
@Suite("Signed log: rotation and removal rules")
struct RemovalRulesTests {
    typealias Rules = LogRulesTests

    /// The founded vault with paula as a second lawyer.
    static func twoLawyers() throws -> LogState {
        var state = try Rules.founded()
        try state.apply(Rules.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "paula")]))
        return state
    }

    static func rotation(_ role: String, _ generation: Int, by author: String, key: Int) -> LogEntry {
        Rules.entry(
            .roleGeneration, by: author,
            [("role", role), ("generation", String(generation)), ("recipient", Rules.recipient(key))])
    }

    static func removal(_ member: String, by author: String) -> LogEntry {
        Rules.entry(.memberRemove, by: author, [("member", member)])
    }

    @Test("the next generation is made by a holder or an admin, nobody else")
    func whoRotates() throws {
        var state = try Self.twoLawyers()
        try state.apply(Self.rotation("lawyer", 2, by: "paula", key: 6))
        try state.apply(Self.rotation("lawyer", 3, by: "ana", key: 7))
        #expect(state.roles["lawyer"]?.current == 3)
        try state.apply(
            Rules.entry(
                .memberAdd, by: "ana",
                [("member", "eve"), ("recipient", Rules.recipient(8)), ("signing-key", Rules.key(8))]))
        let before = state
        #expect(throws: LogProblem.notAuthorized("only a holder of lawyer or an admin makes its next key")) {
            try state.apply(Self.rotation("lawyer", 4, by: "eve", key: 9))
        }
        #expect(state == before)
    }

    @Test("a removal is by an admin, not of oneself, not of a last holder, not of a removed member")
    func removalRules() throws {
        var founded = try Rules.founded()
        let unchanged = founded
        #expect(throws: LogProblem.inconsistent("luis is the last holder of lawyer")) {
            try founded.apply(Self.removal("luis", by: "ana"))
        }
        #expect(throws: LogProblem.inconsistent("ana cannot remove themselves")) {
            try founded.apply(Self.removal("ana", by: "ana"))
        }
        #expect(throws: LogProblem.notAuthorized("only an admin removes members")) {
            try founded.apply(Self.removal("paula", by: "luis"))
        }
        #expect(founded == unchanged)
        var state = try Self.twoLawyers()
        try state.apply(Self.removal("luis", by: "ana"))
        #expect(state.members["luis"]?.removed == true && !state.holds("luis", "lawyer"))
        #expect(state.removal == LogState.Removal(member: "luis", author: "ana", roles: ["lawyer"]))
        try state.apply(Self.rotation("lawyer", 2, by: "ana", key: 6))
        #expect(state.removal == nil)
        #expect(throws: LogProblem.inconsistent("no member luis")) { try state.apply(Self.removal("luis", by: "ana")) }
    }

    @Test(
        "after a removal, only the remover's rotation of each revoked role may come next",
        arguments: [
            (
                "the case",
                Rules.entry(.caseCreate, by: "paula", [("case", "C-1"), ("metadata", "00"), ("readers", "lawyer:1")])
            ),
            ("another's rotation", rotation("lawyer", 2, by: "paula", key: 6)),
            ("another role", rotation("admin", 2, by: "ana", key: 6)),
            ("a grant", Rules.entry(.roleGrant, by: "paula", [("role", "psychologist"), ("member", "paula")])),
        ])
    func followUp(_ label: String, _ entry: LogEntry) throws {
        var state = try Self.twoLawyers()
        try state.apply(Self.removal("luis", by: "ana"))
        let pending = state
        #expect(throws: LogProblem.inconsistent("the removal of luis must be followed by ana's rotation of lawyer")) {
            try state.apply(entry)
        }
        #expect(state == pending)
        #expect(throws: LogProblem.self) { try state.checkRemovalsComplete() }
    }

    @Test("the removed member signs nothing after the removal")
    func removedAuthor() throws {
        var state = try Self.twoLawyers()
        try state.apply(Self.removal("luis", by: "ana"))
        try state.apply(Self.rotation("lawyer", 2, by: "ana", key: 6))
        let entry = Rules.entry(.roleGrant, by: "luis", [("role", "lawyer"), ("member", "ana")])
        #expect(throws: LogProblem.removedAuthor("luis")) { try state.signingKey(of: entry) }
        #expect(throws: LogProblem.inconsistent("no member luis")) {
            try state.apply(Rules.entry(.roleGrant, by: "paula", [("role", "lawyer"), ("member", "luis")]))
        }
    }
}
