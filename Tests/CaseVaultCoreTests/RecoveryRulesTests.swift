import Testing

@testable import CaseVaultCore

/// The replay rules of `recovery.key` and `recovery.restore` (see LogRulesTests for the helpers).
@Suite("Signed log: recovery rules")
struct RecoveryRulesTests {
    typealias Rules = LogRulesTests

    static func recoveryKey(by author: String, key: Int, threshold: String = "2", shares: String = "3") throws
        -> LogEntry
    {
        let recipient = Rules.recipient(key)
        return Rules.entry(
            .recoveryKey, by: author,
            [
                ("key-id", try RecoveryKeys.keyID(recipient: recipient)), ("recipient", recipient),
                ("signing-key", Rules.key(key)), ("threshold", threshold), ("shares", shares),
            ])
    }

    static func restore(_ member: String, keyID: String, key: Int, roles: [String]) -> LogEntry {
        Rules.entry(
            .recoveryRestore, by: member,
            [
                ("key-id", keyID), ("member", member), ("recipient", Rules.recipient(key)),
                ("signing-key", Rules.key(key)),
            ] + roles.map { ("role", $0) })
    }

    @Test("only an admin sets the recovery key, with 2 <= K <= N <= 255 and keys nobody has")
    func settingTheKey() throws {
        var state = try Rules.founded()
        let before = state
        #expect(throws: LogProblem.notAuthorized("only an admin sets the recovery key")) {
            try state.apply(Self.recoveryKey(by: "luis", key: 7))
        }
        for (k, n) in [("1", "3"), ("4", "3"), ("2", "256"), ("02", "3")] {
            #expect(throws: LogProblem.malformed("threshold and shares must be 2 ≤ threshold ≤ shares ≤ 255")) {
                try state.apply(Self.recoveryKey(by: "ana", key: 7, threshold: k, shares: n))
            }
        }
        // luis's keys (3) cannot be the recovery key's.
        #expect(throws: LogProblem.inconsistent("the recovery keys are in use elsewhere")) {
            try state.apply(Self.recoveryKey(by: "ana", key: 3))
        }
        var wrongID = try Self.recoveryKey(by: "ana", key: 7)
        wrongID = Rules.entry(
            .recoveryKey, by: "ana", wrongID.fields.map { $0.key == "key-id" ? ($0.key, "0011223344556677") : $0 })
        #expect(throws: LogProblem.malformed("the key-id is not the recipient's")) { try state.apply(wrongID) }
        #expect(state == before)
        try state.apply(Self.recoveryKey(by: "ana", key: 7))
        #expect(state.recovery?.threshold == 2 && state.recovery?.shares == 3)
    }

    @Test("a restore admits a new admin once, signed in the new member's name by the recovery key")
    func restoring() throws {
        var state = try Rules.founded()
        try state.apply(Self.recoveryKey(by: "ana", key: 7))
        let keyID = try #require(state.recovery?.keyID)
        // The key that must sign it is the recovery key's, whoever `by` names.
        #expect(try state.signingKey(of: Self.restore("nora", keyID: keyID, key: 8, roles: ["admin"])) == Rules.key(7))
        let before = state
        #expect(throws: LogProblem.inconsistent("a restore admits an admin")) {
            try state.apply(Self.restore("nora", keyID: keyID, key: 8, roles: ["lawyer"]))
        }
        #expect(throws: LogProblem.inconsistent("role psychologist does not exist or has no key")) {
            try state.apply(Self.restore("nora", keyID: keyID, key: 8, roles: ["admin", "psychologist"]))
        }
        #expect(throws: LogProblem.inconsistent("member luis exists")) {
            try state.apply(Self.restore("luis", keyID: keyID, key: 8, roles: ["admin"]))
        }
        #expect(throws: LogProblem.inconsistent("the restore names another recovery key")) {
            try state.apply(Self.restore("nora", keyID: "0011223344556677", key: 8, roles: ["admin"]))
        }
        #expect(throws: LogProblem.inconsistent("the keys of nora belong to another member or to the recovery key")) {
            try state.apply(Self.restore("nora", keyID: keyID, key: 7, roles: ["admin"]))
        }
        #expect(state == before)
        try state.apply(Self.restore("nora", keyID: keyID, key: 8, roles: ["admin", "lawyer"]))
        #expect(state.holds("nora", "admin") && state.holds("nora", "lawyer"))
        // Used: it signs no second restore, until an admin sets a new key (never the same one again).
        #expect(throws: LogProblem.notAuthorized("the recovery key was used; it restores only once")) {
            try state.signingKey(of: Self.restore("omar", keyID: keyID, key: 9, roles: ["admin"]))
        }
        #expect(throws: LogProblem.inconsistent("the recovery keys are in use elsewhere")) {
            try state.apply(Self.recoveryKey(by: "nora", key: 7))
        }
        try state.apply(Self.recoveryKey(by: "nora", key: 6))
        #expect(try state.signingKey(of: Self.restore("omar", keyID: "x", key: 9, roles: ["admin"])) == Rules.key(6))
    }

    @Test("with no recovery key, nothing is signed as one")
    func noKey() throws {
        let state = try Rules.founded()
        #expect(throws: LogProblem.notAuthorized("there is no recovery key")) {
            try state.signingKey(of: Self.restore("nora", keyID: "0011223344556677", key: 8, roles: ["admin"]))
        }
    }
}
