import CaseVaultLog
import Foundation
import GRDB

/// How this user's saved verification state (`VerifiedCache`) compares with the log that `audit verify`
/// replayed from its first entry. Only the replay is reported as verified; the saved state is checked
/// against it, so that one altered on this computer (to make the client trust another key) is named.
public enum SavedStateCheck: Sendable, Equatable {
    /// What was saved at `size` entries is what the replay gives there.
    case agrees(size: Int)
    /// The log still holds the entries this computer verified (the same tree), but what was saved of them
    /// differs from their replay: the file at `path` was altered or damaged, not the vault.
    case altered(path: String, size: Int, difference: SavedStateDifference)
}

/// The first part of a saved state found to differ from the replay.
public enum SavedStateDifference: Sendable, Equatable {
    /// Members, keys, roles, cases, holds or recovery keys.
    case state
    /// The facts of an item (or an item the log never added, or one missing).
    case item(String)
    /// The saved subtree roots of the tree (what proofs are made of).
    case treeNodes
    /// The saved index of the entries about each item, member and role.
    case subjects
}

/// A log replayed from its first entry by `verifyWholeLog`, with what the saved state is compared with.
struct WholeLogReplay {
    var report: AuditReport
    /// The replayed log: its frontier, index (every leaf hash and subject) and members; its items too when
    /// a saved state is to be compared.
    var trusted: TrustedLog
    /// The replayed state (items aside) at the saved state's size, if the log reaches it.
    var atSavedSize: LogState?
    /// The replayed items at that size: a later rewrap or re-encryption changes an item's facts but not the
    /// index of the entry that added it, so the items at the end of the log are not what was saved.
    var itemsAtSavedSize: [String: LogState.Item] = [:]
}

extension LogState {
    /// This state without its items (as a snapshot is saved: the items are in the cache's table), and
    /// with the collections that older saved states leave absent given as empty.
    var withoutItems: LogState {
        var copy = self
        copy.items = [:]
        copy.custodyChains = copy.custodyChains ?? [:]
        copy.caseHolds = copy.caseHolds ?? [:]
        copy.retiredRecoveryKeys = copy.retiredRecoveryKeys ?? []
        copy.profiles = copy.profiles ?? [:]
        return copy
    }
}

extension TrustedLog {
    /// What a kept checkpoint's consistency proof needs of a replayed log: its tree, index and members.
    var proofMaterial: TrustedLog {
        var kept = TrustedLog()
        kept.frontier = frontier
        kept.index = index
        kept.state.members = state.members
        kept.state.vaultID = state.vaultID
        kept.state.size = state.size
        return kept
    }

    /// How `shown`, a log replayed from its first entry, fails to extend this one (what this computer
    /// verified before): shorter, or another tree at this one's size. Nil when it extends it.
    func rewrite(shownBy shown: TrustedLog) -> SignedLogError? {
        guard size <= shown.size else {
            return .rewritten(after: shown.size, verifiedSize: size, shownSize: shown.size)
        }
        guard let there = try? MerkleFrontier(leafHashes: (0..<size).map { shown.index.leaf($0) }) else {
            return .rewritten(after: 0, verifiedSize: size, shownSize: shown.size)
        }
        // The frontier's subtrees, largest (leftmost) first: history agrees up to the first that differs.
        var start = 0
        for (level, (mine, theirs)) in zip(Self.levels(of: size), zip(frontier.hashes, there.hashes)) {
            guard mine == theirs else { return .rewritten(after: start, verifiedSize: size, shownSize: shown.size) }
            start += 1 << level
        }
        return nil
    }

    /// The levels of the perfect subtrees of a tree of `size` leaves, largest first.
    private static func levels(of size: Int) -> [Int] {
        (0..<Int.bitWidth).reversed().filter { size & (1 << $0) != 0 }
    }
}

extension VerifiedCache {
    /// Compares `saved` (this cache's snapshot) and its tables below its size with `replay`; the first
    /// part that differs is named. A history that does not extend the saved one is `TrustedLog.rewrite`'s.
    func compare(_ saved: TrustedLog, with replay: WholeLogReplay) throws -> SavedStateCheck? {
        let size = saved.size
        guard let there = replay.atSavedSize, saved.rewrite(shownBy: replay.trusted) == nil else { return nil }
        func altered(_ difference: SavedStateDifference) -> SavedStateCheck {
            .altered(path: path, size: size, difference: difference)
        }
        guard saved.state.withoutItems == there else { return altered(.state) }
        if let id = try firstDifferentItem(replay.itemsAtSavedSize, below: size) { return altered(.item(id)) }
        guard try nodesMatch(replay.trusted.index, below: size) else { return altered(.treeNodes) }
        guard try subjectsMatch(replay.trusted.index, below: size) else { return altered(.subjects) }
        return .agrees(size: size)
    }

    /// The first item whose saved facts are not the replayed ones, among those of entries below `size`.
    private func firstDifferentItem(_ items: [String: LogState.Item], below size: Int) throws -> String? {
        try view.read { db -> String? in
            var seen = 0
            let rows = try Row.fetchCursor(db, sql: Self.factsSelection + " WHERE idx < ?", arguments: [size])
            while let row = try rows.next() {
                let id: String = row[12]
                guard let replayed = items[id], replayed == Self.facts(row: row) else { return id }
                seen += 1
            }
            guard seen != items.values.count(where: { $0.index < size }) else { return nil }
            let saved = Set(try String.fetchAll(db, sql: "SELECT id FROM item_facts WHERE idx < ?", arguments: [size]))
            return items.first { $0.value.index < size && !saved.contains($0.key) }?.key
        }
    }

    /// Whether the saved subtree roots within the first `size` leaves are exactly those of the replayed tree.
    private func nodesMatch(_ index: LogIndex, below size: Int) throws -> Bool {
        var builder = MerkleNodeBuilder(frontier: MerkleFrontier())
        var expected: [Int: [Int: [UInt8]]] = [:]
        for leaf in 0..<size {
            for node in try builder.append(leafHash: index.leaf(leaf)) {
                expected[node.level, default: [:]][node.index] = node.hash
            }
        }
        return try view.read { db in
            var seen = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT level, idx, hash FROM nodes")
            while let row = try rows.next() {
                let level: Int = row[0]
                let number: Int = row[1]
                // Beyond the saved size: saved by another command meanwhile, not compared.
                guard (number + 1) << level <= size else { continue }
                guard expected[level]?[number] == [UInt8](row[2] as Data) else { return false }
                seen += 1
            }
            return seen == expected.values.reduce(0) { $0 + $1.count }
        }
    }

    /// Whether the saved subjects of the entries below `size` are exactly the replayed ones.
    private func subjectsMatch(_ index: LogIndex, below size: Int) throws -> Bool {
        let expected = Set(index.subjects.filter { $0.index < size }.map { "\($0.index) \($0.subject)" })
        let saved = try view.read { db in
            try Row.fetchAll(db, sql: "SELECT subject, idx FROM subjects WHERE idx < ?", arguments: [size]).map {
                "\($0[1] as Int) \($0[0] as String)"
            }
        }
        return saved.count == expected.count && Set(saved) == expected
    }
}
