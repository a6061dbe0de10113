/// Proofs from stored subtree roots instead of leaves, so that a proof in a log of n entries reads
/// O(log² n) hashes at most, not n.
///
/// In the RFC 9162 tree every left subtree is perfect (2^k leaves) and starts at a multiple of its own
/// size: it is the *aligned* subtree (level k, number lo / 2^k). A caller that keeps the root of every
/// aligned subtree it has completed (`MerkleNodeBuilder`) can serve any subtree root the proofs need from
/// at most log n of them.
extension Merkle {
    /// Reads the root of the aligned subtree of 2^level leaves that starts at leaf `index << level` (level 0:
    /// the leaf hashes). Called only for subtrees that lie wholly below the size being proved.
    public typealias NodeHashes = (_ level: Int, _ index: Int) throws -> [UInt8]

    /// PATH(m, D[n]) (RFC 9162 §2.1.3.1) from aligned subtree roots; the same proof as
    /// `inclusionProof(index:size:leafHash:)`.
    public static func inclusionProof(index: Int, size: Int, nodeHash: NodeHashes) throws -> [[UInt8]] {
        try inclusionProof(index: index, size: size, subtree: { try alignedRoot($0, nodeHash) })
    }

    /// PROOF(m, D[n]) (RFC 9162 §2.1.4.1) from aligned subtree roots; the same proof as
    /// `consistencyProof(size1:size2:leafHash:)`.
    public static func consistencyProof(size1: Int, size2: Int, nodeHash: NodeHashes) throws -> [[UInt8]] {
        try consistencyProof(size1: size1, size2: size2, subtree: { try alignedRoot($0, nodeHash) })
    }

    /// MTH over the first `size` leaves from aligned subtree roots: one per set bit of `size`.
    public static func root(size: Int, nodeHash: NodeHashes) throws -> [UInt8] {
        precondition(size >= 0, "a tree size is never negative")
        guard size > 0 else { return try emptyRoot() }
        return try alignedRoot(0..<size, nodeHash)
    }

    /// MTH(D[range]): a stored root when the range is an aligned subtree, else RFC 9162's split.
    static func alignedRoot(_ range: Range<Int>, _ nodeHash: NodeHashes) throws -> [UInt8] {
        let n = range.count
        if n.nonzeroBitCount == 1 && range.lowerBound % n == 0 {
            let level = n.trailingZeroBitCount
            let hash = try nodeHash(level, range.lowerBound >> level)
            guard hash.count == hashByteCount else { throw LogError.wrongHashLength(hash.count) }
            return hash
        }
        let k = split(n)
        let left = try alignedRoot(range.lowerBound..<range.lowerBound + k, nodeHash)
        let right = try alignedRoot(range.lowerBound + k..<range.upperBound, nodeHash)
        return try Merkle.nodeHash(left, right)
    }
}

/// Every aligned subtree root (see `Merkle.inclusionProof(index:size:nodeHash:)`) that appending leaves
/// completes, from a tree's frontier on: what a store of subtree roots must add as its log grows. Costs
/// one node hash per leaf, as the frontier does.
public struct MerkleNodeBuilder: Sendable {
    /// An aligned subtree root: level, number at that level, hash.
    public typealias Node = (level: Int, index: Int, hash: [UInt8])

    private var size: Int
    /// The perfect subtrees of the tree so far, largest (leftmost) first, as (level, hash).
    private var stack: [(level: Int, hash: [UInt8])]

    /// Starts from the tree that `frontier` describes (its subtree roots are aligned subtrees already stored).
    public init(frontier: MerkleFrontier) {
        size = Int(frontier.size)
        var levels: [Int] = []
        for level in (0..<Int.bitWidth).reversed() where size & (1 << level) != 0 { levels.append(level) }
        stack = Array(zip(levels, frontier.hashes)).map { (level: $0.0, hash: $0.1) }
    }

    /// Appends a leaf; returns the aligned subtree roots it completes, the leaf itself first.
    public mutating func append(leafHash: [UInt8]) throws -> [Node] {
        try Merkle.requireHashLengths([leafHash])
        var nodes: [Node] = [(0, size, leafHash)]
        var node = (level: 0, hash: leafHash)
        while let last = stack.last, last.level == node.level {
            stack.removeLast()
            node = (node.level + 1, try Merkle.nodeHash(last.hash, node.hash))
            nodes.append((node.level, size >> node.level, node.hash))
        }
        stack.append(node)
        size += 1
        return nodes
    }
}
