import CaseVaultCrypto

extension Merkle {
    /// Verifies an inclusion proof by the algorithm of RFC 9162 §2.1.3.2: that the leaf with hash `leafHash`
    /// is leaf `index` of the tree of `size` leaves whose root is `root`.
    ///
    /// Throws `indexOutOfRange` when `index >= size`, `wrongHashLength` for any hash that is not 32 bytes,
    /// `wrongProofLength` when the proof is longer or shorter than the path for that index and size, and
    /// `rootMismatch` when the hashes lead to another root. The root comparison is constant-time.
    public static func verifyInclusion(
        index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) throws {
        _ = try climbInclusion(index: index, size: size, leafHash: leafHash, proof: proof, root: root)
    }

    /// Verifies an inclusion proof as `verifyInclusion` does, and returns the root of the tree of the first
    /// `index` leaves (the empty tree's for leaf 0): the proof's hashes that join the path from the left are
    /// the roots of the perfect subtrees that cover leaves [0, index), smallest first, and those roots folded
    /// from the right are that tree's root (RFC 9162 §2.1.1). A log entry that states the root of the log
    /// before it (`prev N ROOT`) can so be checked against a checkpoint without the rest of the log.
    public static func rootBefore(
        index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) throws -> [UInt8] {
        let left = try climbInclusion(index: index, size: size, leafHash: leafHash, proof: proof, root: root)
        guard var prefix = left.first else { return try emptyRoot() }
        for sibling in left.dropFirst() { prefix = try nodeHash(sibling, prefix) }
        return prefix
    }

    /// The walk of RFC 9162 §2.1.3.2 up leaf `index`'s path; returns the proof's hashes that joined from the
    /// left, in path order, once the path is known to lead to `root`.
    private static func climbInclusion(
        index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) throws -> [[UInt8]] {
        guard index < size else { throw LogError.indexOutOfRange(index: index, size: size) }
        try requireHashLengths([leafHash, root] + proof)
        var fn = index
        var sn = size - 1
        var r = leafHash
        var left: [[UInt8]] = []
        for p in proof {
            // The path is already at the root: the proof has hashes to spare.
            guard sn != 0 else { throw LogError.wrongProofLength(actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                r = try nodeHash(p, r)
                left.append(p)
                // On the right border the node has no right sibling at these levels: climb past them.
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = try nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw LogError.wrongProofLength(actual: proof.count) }
        guard ConstantTime.equals(r, root) else { throw LogError.rootMismatch }
        return left
    }

    /// Verifies a consistency proof by the algorithm of RFC 9162 §2.1.4.2: that the tree of `size1` leaves
    /// with root `root1` is a prefix of the tree of `size2` leaves with root `root2`.
    ///
    /// Equal sizes need an empty proof and equal roots (for size 0, both the empty tree's root). A proof from
    /// the empty tree to a larger one is refused (`consistencyFromEmptyTree`): it would prove nothing, and the
    /// conformance vectors require the refusal. Root comparisons are constant-time.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, proof: [[UInt8]], root1: [UInt8], root2: [UInt8]
    ) throws {
        guard size1 <= size2 else { throw LogError.sizesOutOfOrder(size1: size1, size2: size2) }
        if size1 == size2 {
            guard proof.isEmpty else { throw LogError.wrongProofLength(actual: proof.count) }
            if size1 == 0 {
                let empty = try emptyRoot()
                guard ConstantTime.equals(root1, empty), ConstantTime.equals(root2, empty) else {
                    throw LogError.rootMismatch
                }
            }
            // Same size: the claim is only that the roots are one and the same value.
            guard ConstantTime.equals(root1, root2) else { throw LogError.rootMismatch }
            return
        }
        guard size1 > 0 else { throw LogError.consistencyFromEmptyTree }
        guard !proof.isEmpty else { throw LogError.wrongProofLength(actual: 0) }
        try requireHashLengths([root1, root2] + proof)

        // A first tree that is a complete subtree is a node of the second: its root starts the chain.
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { throw LogError.wrongProofLength(actual: proof.count) }
            if fn & 1 == 1 || fn == sn {
                fr = try nodeHash(c, fr)
                sr = try nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = try nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw LogError.wrongProofLength(actual: proof.count) }
        // Both comparisons always run, so timing does not tell which root failed.
        let firstMatches = ConstantTime.equals(fr, root1)
        let secondMatches = ConstantTime.equals(sr, root2)
        guard firstMatches && secondMatches else { throw LogError.rootMismatch }
    }

    static func requireHashLengths(_ hashes: [[UInt8]]) throws {
        for hash in hashes where hash.count != hashByteCount { throw LogError.wrongHashLength(hash.count) }
    }
}
