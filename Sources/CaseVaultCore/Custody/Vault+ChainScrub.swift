import CaseVaultLog
import Foundation
import GRDB

extension Vault {
    /// Every custody chain of `items`, read from the stored log in one pass and each checked on its own
    /// (`CustodyChainCheck`, as `custody show` and `verify-bundle` check one): the items whose chain has a
    /// break, with its problems. An access recorded before custody chains (an unlinked gap) is declared, not
    /// a break, and is not reported. Entries the log's replay refuses are still read here: a forged event
    /// is named both as a log problem and as a break in its item's chain.
    func brokenCustodyChains(items: Set<String>) throws -> [String: [CustodyChainCheck.Problem]] {
        let events = try readWithoutCatchUp { db in
            var events: [String: [(index: Int, entry: LogEntry)]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT idx, note FROM log_entries ORDER BY idx")
            while let row = try rows.next() {
                let index: Int = row[0]
                // An entry that does not parse is a problem of the log, which its replay names.
                guard let entry = try? SignedEntry.parseStored([UInt8](row[1] as Data)).entry,
                    CustodyChainCheck.kinds[entry.type.rawValue] != nil,
                    let item = entry.value("item"), items.contains(item)
                else { continue }
                events[item, default: []].append((index, entry))
            }
            return events
        }
        var broken: [String: [CustodyChainCheck.Problem]] = [:]
        for id in items {
            let problems = CustodyChainCheck.problems(item: id, events: events[id] ?? []).filter(\.isTampering)
            if !problems.isEmpty { broken[id] = problems }
        }
        return broken
    }

    /// A read of the database as it is, without first applying entries appended since this process last
    /// verified the log: for checks that must go on past a refused entry, which the log's replay names.
    func readWithoutCatchUp<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.mapDatabaseErrors { try database.read(body) }
    }
}
