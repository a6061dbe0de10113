import CaseVaultLog
import Foundation
import GRDB

extension Vault {
    /// The `run.seal` entries that sign the unsigned entries among `indexes` (Docs/FORMAT.md, "Runs of
    /// entries under one signature"): for each entry stored unsigned, the first signed entry after it, which
    /// in a log that verifies is the seal of its run. A bundle carries them, so that every event in it is
    /// signed by its author.
    func sealIndexes(covering indexes: [Int]) throws -> [Int] {
        try read { db in
            var seals: Set<Int> = []
            let noteAt = try db.cachedStatement(sql: "SELECT note FROM log_entries WHERE idx = ?")
            for index in indexes {
                guard let note = try Data.fetchOne(noteAt, arguments: [index]), SignedEntry.isBodyAlone([UInt8](note))
                else { continue }
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT idx, note FROM log_entries WHERE idx > ? ORDER BY idx", arguments: [index])
                while let row = try rows.next() {
                    guard SignedEntry.isBodyAlone([UInt8](row[1] as Data)) else {
                        seals.insert(row[0])
                        break
                    }
                }
            }
            return seals.sorted()
        }
    }
}
