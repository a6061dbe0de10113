/// The right edge of a growing Merkle tree: the roots of the perfect subtrees that make up a tree of `size`
/// leaves (a "compact range" from 0), largest first, one for each set bit of `size`.
///
/// Appending a leaf and computing the root each cost O(log n) hashes, and the whole state is at most 64
/// hashes, so the vault can persist it beside the log and never re-read old leaves to extend the tree.
public struct MerkleFrontier: Sendable, Equatable {
    /// The number of leaves appended so far.
    public private(set) var size: UInt64
    /// The subtree roots, left to right: the subtree for the highest set bit of `size` comes first.
    public private(set) var hashes: [[UInt8]]

    /// The frontier of the empty tree.
    public init() {
        size = 0
        hashes = []
    }

    /// A frontier restored from storage. Throws `malformedFrontier` unless there is one 32-byte hash per
    /// set bit of `size`: a damaged record must not quietly become a different tree.
    public init(size: UInt64, hashes: [[UInt8]]) throws {
        guard hashes.count == size.nonzeroBitCount else { throw LogError.malformedFrontier }
        try Merkle.requireHashLengths(hashes)
        self.size = size
        self.hashes = hashes
    }

    /// The frontier of the tree with these leaf hashes.
    public init(leafHashes: [[UInt8]]) throws {
        self.init()
        for hash in leafHashes { try append(leafHash: hash) }
    }

    /// Appends one leaf by its leaf hash (`Merkle.leafHash` of the entry).
    public mutating func append(leafHash: [UInt8]) throws {
        try Merkle.requireHashLengths([leafHash])
        var node = leafHash
        var carry = size
        // Each trailing one bit of the old size is a subtree of the new leaf's height that now has a
        // right sibling: merge them, as a binary counter carries.
        while carry & 1 == 1 {
            node = try Merkle.nodeHash(hashes.removeLast(), node)
            carry >>= 1
        }
        hashes.append(node)
        size += 1
    }

    /// The root of the tree so far (MTH; the empty tree's root when nothing was appended).
    public func root() throws -> [UInt8] {
        try root(using: Merkle.NodeHasher())
    }

    /// The same, hashing with `hasher`'s context: a replay checks the root before every entry, one node
    /// hash per set bit of the size.
    public func root(using hasher: Merkle.NodeHasher) throws -> [UInt8] {
        guard var root = hashes.last else { return try Merkle.emptyRoot() }
        for hash in hashes.dropLast().reversed() {
            root = try hasher.nodeHash(hash, root)
        }
        return root
    }
}
