import CaseVaultAge
import CaseVaultTestSupport
import Testing

@testable import CaseVaultCore

/// The replay rules of `backup.done` and `restore`: any member may make them, and what they claim must be
/// well formed and possible at that point of the log.
@Suite("Signed log: backup.done and restore rules")
struct BackupLogRulesTests {
    static let root = Base64.encodePadded([UInt8](repeating: 7, count: 32))
    static let backupID = String(repeating: "0f", count: 16)

    static func backup(size: String = "6", root: String = root, id: String = backupID, objects: String = "3")
        -> LogEntry
    {
        LogRulesTests.entry(
            .backupDone, by: "paula",
            [("backup", id), ("size", size), ("root", root), ("objects", objects), ("bytes", "1200")])
    }

    @Test("any member records a backup of a tree the log has reached")
    func backupAccepted() throws {
        var state = try LogRulesTests.founded()
        try state.apply(Self.backup())
        #expect(state.size == 7)
    }

    @Test(
        "a backup of more entries than the log has, or with a malformed id, root or count, is refused",
        arguments: [
            backup(size: "7"), backup(size: "0"), backup(size: "06"), backup(root: "AAAA"),
            backup(id: "0F" + backupID.dropFirst(2)),
            backup(id: "abc"), backup(objects: "-1"),
        ])
    func backupRefused(_ entry: LogEntry) throws {
        var state = try LogRulesTests.founded()
        let before = state
        #expect(throws: LogProblem.self) { try state.apply(entry) }
        #expect(state == before)
    }

    @Test("a restore must name a seen history longer than the log")
    func restoreRule() throws {
        var state = try LogRulesTests.founded()
        let restore = { (seen: String) in
            LogRulesTests.entry(.restore, by: "luis", [("seen", seen), ("seen-root", Self.root)])
        }
        #expect(throws: LogProblem.self) { try state.apply(restore("6")) }
        #expect(throws: LogProblem.self) {
            try state.apply(LogRulesTests.entry(.restore, by: "luis", [("seen", "9"), ("seen-root", "x")]))
        }
        #expect(state.size == 6)
        try state.apply(restore("9"))
        #expect(state.size == 7)
    }
}
