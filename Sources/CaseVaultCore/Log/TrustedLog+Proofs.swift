import CaseVaultLog

/// Proof material of the verified log, from the verified cache (`VerifiedCache`: aligned subtree roots and
/// subjects saved as entries were verified) and from what was verified since it was saved (`LogIndex`). A
/// proof or a report then reads O(log² n) hashes and the entries it is about, never the whole log. Whatever
/// is built from it is still checked against the signed checkpoint before it is used.
extension TrustedLog {
    /// A reader of the aligned subtree roots of this tree (`Merkle.NodeHashes`), remembering what it
    /// computes, for the proofs of one report.
    func nodeHashes() -> Merkle.NodeHashes {
        let memo = NodeMemo()
        return { level, number in try memo.hash(level, number) { try nodeHash(level: level, index: number, memo) } }
    }

    private func nodeHash(level: Int, index number: Int, _ memo: NodeMemo) throws -> [UInt8] {
        let start = number << level
        let end = (number + 1) << level
        guard end <= size else { throw SignedLogError.entry(index: start, problem: .malformed("beyond the log")) }
        if end <= index.base, let hash = cache?.node(level: level, index: number) { return hash }
        if level == 0 {
            guard start >= index.base else {
                throw SignedLogError.entry(
                    index: start, problem: .malformed("its leaf hash is missing from the verified cache"))
            }
            return index.leaf(start)
        }
        let left = try memo.hash(level - 1, 2 * number) { try nodeHash(level: level - 1, index: 2 * number, memo) }
        let right = try memo.hash(level - 1, 2 * number + 1) {
            try nodeHash(level: level - 1, index: 2 * number + 1, memo)
        }
        return try Merkle.nodeHash(left, right)
    }

    /// The verified leaf hash of entry `entry`.
    func leafHash(_ entry: Int) throws -> [UInt8] { try nodeHashes()(0, entry) }

    /// The entries about `subject` (`LogIndex`), in log order: in the cache and since.
    func entries(about subject: String) -> [Int] {
        (cache?.entries(about: subject, below: min(index.base, size)) ?? [])
            + index.subjects.filter { $0.subject == subject }.map(\.index)
    }
}

/// The subtree roots one report computed, so that proofs of many events of a log without a cache hash
/// each node once. Used from one thread.
private final class NodeMemo {
    private var hashes: [Int: [Int: [UInt8]]] = [:]

    func hash(_ level: Int, _ number: Int, _ compute: () throws -> [UInt8]) throws -> [UInt8] {
        if let hash = hashes[level]?[number] { return hash }
        let hash = try compute()
        hashes[level, default: [:]][number] = hash
        return hash
    }
}
