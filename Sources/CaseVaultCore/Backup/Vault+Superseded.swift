import CaseVaultIO
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The objects a re-encryption replaced (`Vault+Reencrypt.swift`). Until a backup holds the new object, the
/// old one is the only other copy of the item's content: a re-encryption does not delete it, the orphan
/// sweeps of `verify` and `sweepOrphanObjects` leave it alone, and `backup` removes it only once the backup
/// it has just made holds the new object intact and its copy of the log includes the re-encryption.
extension Vault {
    /// Every object listed as superseded and not yet removed (none in a vault made before re-encryption).
    func supersededObjects(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("superseded_objects") else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT object FROM superseded_objects"))
    }

    /// Removes the superseded objects that the backup in `folder` makes safe to drop: the re-encrypting
    /// entry is among the first `heldSize` entries (those the backup's database copy holds, verified when it
    /// was taken) and the folder holds, with bytes that hash to its name, the new object or the item's
    /// current one as the signed log names it (after a second re-encryption the new object is itself
    /// superseded, and no backup copies it: waiting for it would keep the oldest ciphertext for good). An
    /// object an item still names is never removed. Returns the names removed.
    func pruneSuperseded(heldBy folder: String, heldSize: Int) throws -> [String] {
        let candidates = try read { db -> [(object: String, replacedBy: String, item: String)] in
            guard try db.tableExists("superseded_objects") else { return [] }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT s.object, s.replaced_by, s.item FROM superseded_objects s
                    WHERE s.entry < ? AND NOT EXISTS (SELECT 1 FROM items i WHERE i.object = s.object)
                    ORDER BY s.object
                    """, arguments: [heldSize]
            ).map { ($0[0], $0[1], $0[2]) }
        }
        let trusted = try trusted()
        let safe = candidates.filter { candidate in
            // The table is in the untrusted folder: only an object's name is ever unlinked (a path such as
            // `../../x` must not reach `unlink`), and never the object the log names as the item's content.
            guard ObjectFiles.isName(candidate.object), ObjectFiles.isName(candidate.replacedBy) else { return false }
            let current = trusted.item(candidate.item)?.object
            guard current != candidate.object else { return false }
            return [candidate.replacedBy, current].compactMap { $0 }.contains {
                ObjectFiles.isIntact($0, at: ObjectFiles.path($0, in: folder))
            }
        }
        guard !safe.isEmpty else { return [] }
        // The rows go first: a run killed before the files are unlinked leaves orphans, which the sweep of
        // `verify` removes; the other order could leave a row naming a file that is gone, which is harmless
        // too, but would be listed for removal again.
        try write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM superseded_objects WHERE object = ?")
            for candidate in safe { try delete.execute(arguments: [candidate.object]) }
        }
        return safe.map(\.object).filter { unlink(objects.path(of: $0)) == 0 || errno == ENOENT }
    }
}
