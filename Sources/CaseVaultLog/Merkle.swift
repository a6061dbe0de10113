import CaseVaultCrypto

/// The Merkle hash tree of RFC 9162 §2.1 over SHA-256: hashing, roots, and generation of inclusion and
/// consistency proofs. Verification is in `Merkle+Verify.swift`, the incremental tree in `MerkleFrontier`.
///
/// Generation reads leaf hashes through an accessor, `(Int) throws -> [UInt8]` (leaf index to its 32-byte
/// leaf hash), so a caller can serve them from a database instead of holding the whole log in memory. One
/// proof reads each leaf of the tree once and costs about one node hash per leaf: it recomputes the subtree
/// hashes it needs rather than relying on stored interior nodes.
public enum Merkle {
    /// The length of every hash in the tree (SHA-256).
    public static let hashByteCount = 32

    /// Reads the leaf hash at an index (0-based). Called only with indexes below the size being proved.
    public typealias LeafHashes = (Int) throws -> [UInt8]

    /// The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
    public static func emptyRoot() throws -> [UInt8] {
        try Digest.hash(.sha256, [UInt8]())
    }

    /// The leaf hash of an entry: SHA-256(0x00 || entry). The prefix keeps a leaf from passing for a node.
    public static func leafHash<Bytes: ContiguousBytes>(_ entry: Bytes) throws -> [UInt8] {
        let digest = try Digest(.sha256)
        try digest.update([UInt8(0x00)])
        try digest.update(entry)
        return try digest.finalize()
    }

    /// The hash of an interior node: SHA-256(0x01 || left || right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) throws -> [UInt8] {
        try NodeHasher().nodeHash(left, right)
    }

    /// Interior node hashes on one reused SHA-256 context. Not `Sendable`: one per thread.
    public final class NodeHasher {
        private let digest: Digest
        private static let prefix: [UInt8] = [0x01]

        public init() throws { digest = try Digest(.sha256) }

        /// SHA-256(0x01 || left || right), as `Merkle.nodeHash`.
        public func nodeHash(_ left: [UInt8], _ right: [UInt8]) throws -> [UInt8] {
            try digest.reset()
            try digest.update(Self.prefix)
            try digest.update(left)
            try digest.update(right)
            return try digest.finalize()
        }
    }

    /// MTH: the root of the tree whose leaves have these hashes (the empty tree's root for none).
    public static func root(leafHashes: [[UInt8]]) throws -> [UInt8] {
        try root(size: leafHashes.count) { leafHashes[$0] }
    }

    /// MTH over the first `size` leaves read through `leafHash`.
    public static func root(size: Int, leafHash: LeafHashes) throws -> [UInt8] {
        precondition(size >= 0, "a tree size is never negative")
        guard size > 0 else { return try emptyRoot() }
        return try subtreeRoot(0..<size, leafHash)
    }

    /// PATH(m, D[n]): the inclusion proof of leaf `index` in the tree of the first `size` leaves, from the
    /// leaf's sibling up to the root's child (RFC 9162 §2.1.3.1).
    public static func inclusionProof(index: Int, size: Int, leafHash: LeafHashes) throws -> [[UInt8]] {
        try inclusionProof(index: index, size: size, subtree: { try subtreeRoot($0, leafHash) })
    }

    /// PATH(m, D[n]) with subtree roots from `subtree`.
    static func inclusionProof(index: Int, size: Int, subtree: Subtree) throws -> [[UInt8]] {
        guard index >= 0, size > 0, index < size else {
            throw LogError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(max(size, 0)))
        }
        var proof: [[UInt8]] = []
        try path(index, 0..<size, subtree, into: &proof)
        return proof
    }

    /// `inclusionProof(index:size:leafHash:)` over an array of leaf hashes (the whole array is the tree).
    public static func inclusionProof(index: Int, leafHashes: [[UInt8]]) throws -> [[UInt8]] {
        try inclusionProof(index: index, size: leafHashes.count) { leafHashes[$0] }
    }

    /// PROOF(m, D[n]): the consistency proof from the tree of the first `size1` leaves to the tree of the
    /// first `size2` (RFC 9162 §2.1.4.1). Empty when the sizes are equal; from the empty tree there is no
    /// proof, as the verifier refuses one.
    public static func consistencyProof(size1: Int, size2: Int, leafHash: LeafHashes) throws -> [[UInt8]] {
        try consistencyProof(size1: size1, size2: size2, subtree: { try subtreeRoot($0, leafHash) })
    }

    /// PROOF(m, D[n]) with subtree roots from `subtree`.
    static func consistencyProof(size1: Int, size2: Int, subtree: Subtree) throws -> [[UInt8]] {
        guard size1 >= 0, size1 <= size2 else {
            throw LogError.sizesOutOfOrder(size1: UInt64(max(size1, 0)), size2: UInt64(max(size2, 0)))
        }
        if size1 == size2 { return [] }
        guard size1 > 0 else { throw LogError.consistencyFromEmptyTree }
        var proof: [[UInt8]] = []
        try subproof(size1, 0..<size2, complete: true, subtree, into: &proof)
        return proof
    }

    /// `consistencyProof(size1:size2:leafHash:)` with the array's length as `size2`.
    public static func consistencyProof(size1: Int, leafHashes: [[UInt8]]) throws -> [[UInt8]] {
        try consistencyProof(size1: size1, size2: leafHashes.count) { leafHashes[$0] }
    }

    /// The largest power of two strictly below `n` (n > 1): where RFC 9162 splits a tree of n leaves.
    static func split(_ n: Int) -> Int {
        precondition(n > 1)
        return 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    /// MTH(D[range]) for a non-empty range. Recursion depth is log2 of the range's length.
    static func subtreeRoot(_ range: Range<Int>, _ leafHash: LeafHashes) throws -> [UInt8] {
        if range.count == 1 { return try checkedLeaf(range.lowerBound, leafHash) }
        let k = split(range.count)
        let left = try subtreeRoot(range.lowerBound..<range.lowerBound + k, leafHash)
        let right = try subtreeRoot(range.lowerBound + k..<range.upperBound, leafHash)
        return try nodeHash(left, right)
    }

    private static func checkedLeaf(_ index: Int, _ leafHash: LeafHashes) throws -> [UInt8] {
        let hash = try leafHash(index)
        // A short hash from storage would silently make a tree no verifier can reproduce.
        guard hash.count == hashByteCount else { throw LogError.wrongHashLength(hash.count) }
        return hash
    }

    /// MTH of a range of leaves, however the caller computes it (from leaves, or from stored subtree roots).
    typealias Subtree = (Range<Int>) throws -> [UInt8]

    // PATH(m, D[lo..<hi]); appends bottom-up, so the recursion goes down first.
    static func path(
        _ m: Int, _ range: Range<Int>, _ subtree: Subtree, into proof: inout [[UInt8]]
    ) throws {
        guard range.count > 1 else { return }
        let k = split(range.count)
        let mid = range.lowerBound + k
        if m < mid {
            try path(m, range.lowerBound..<mid, subtree, into: &proof)
            proof.append(try subtree(mid..<range.upperBound))
        } else {
            try path(m, mid..<range.upperBound, subtree, into: &proof)
            proof.append(try subtree(range.lowerBound..<mid))
        }
    }

    // SUBPROOF(m, D[lo..<hi], b), with m counted from the range's start.
    static func subproof(
        _ m: Int, _ range: Range<Int>, complete: Bool, _ subtree: Subtree, into proof: inout [[UInt8]]
    ) throws {
        let n = range.count
        if m == n {
            if !complete { proof.append(try subtree(range)) }
            return
        }
        let k = split(n)
        let mid = range.lowerBound + k
        if m <= k {
            try subproof(m, range.lowerBound..<mid, complete: complete, subtree, into: &proof)
            proof.append(try subtree(mid..<range.upperBound))
        } else {
            try subproof(m - k, mid..<range.upperBound, complete: false, subtree, into: &proof)
            proof.append(try subtree(range.lowerBound..<mid))
        }
    }
}
