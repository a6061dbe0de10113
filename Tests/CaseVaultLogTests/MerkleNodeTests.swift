import CaseVaultLog
import Testing

/// Proofs from stored aligned subtree roots (`Merkle+Nodes.swift`) against proofs from the leaves, for every
/// tree shape up to 70 leaves, with the roots stored in two goes from a frontier as a cache stores them.
@Suite("Merkle proofs from aligned subtree roots")
struct MerkleNodeTests {
    /// The aligned subtree roots of the first `count` leaves, built by `MerkleNodeBuilder` up to `split`
    /// and then continued from the frontier at `split`, as the verified cache grows between saves.
    static func nodes(_ leaves: [[UInt8]], split: Int) throws -> [Int: [Int: [UInt8]]] {
        var table: [Int: [Int: [UInt8]]] = [:]
        var builder = MerkleNodeBuilder(frontier: MerkleFrontier())
        for leaf in leaves[..<split] {
            for node in try builder.append(leafHash: leaf) { table[node.level, default: [:]][node.index] = node.hash }
        }
        builder = MerkleNodeBuilder(frontier: try MerkleFrontier(leafHashes: Array(leaves[..<split])))
        for leaf in leaves[split...] {
            for node in try builder.append(leafHash: leaf) { table[node.level, default: [:]][node.index] = node.hash }
        }
        return table
    }

    @Test("inclusion and consistency proofs and roots equal those computed from the leaves")
    func sameProofs() throws {
        let leaves = leafHashes(70)
        let table = try Self.nodes(leaves, split: 37)
        let read: Merkle.NodeHashes = { level, index in
            guard let hash = table[level]?[index] else { throw LogError.wrongHashLength(0) }
            return hash
        }
        // Every aligned subtree is stored, and only those.
        let stored = table.values.map(\.count).reduce(0, +)
        let aligned = [70, 35, 17, 8, 4, 2, 1].reduce(0, +)
        #expect(stored == aligned)
        for size in 1...70 {
            #expect(try Merkle.root(size: size, nodeHash: read) == Merkle.root(leafHashes: Array(leaves[..<size])))
            for index in 0..<size {
                #expect(
                    try Merkle.inclusionProof(index: index, size: size, nodeHash: read)
                        == Merkle.inclusionProof(index: index, leafHashes: Array(leaves[..<size])))
            }
            for old in 1...size {
                #expect(
                    try Merkle.consistencyProof(size1: old, size2: size, nodeHash: read)
                        == Merkle.consistencyProof(size1: old, leafHashes: Array(leaves[..<size])))
            }
        }
    }

    @Test("a wrong stored root makes a proof that does not verify")
    func wrongNode() throws {
        let leaves = leafHashes(13)
        var table = try Self.nodes(leaves, split: 5)
        table[2]?[1] = leafHashes(1)[0]
        let read: Merkle.NodeHashes = { level, index in table[level]![index]! }
        let proof = try Merkle.inclusionProof(index: 0, size: 13, nodeHash: read)
        #expect(throws: (any Error).self) {
            try Merkle.verifyInclusion(
                index: 0, size: 13, leafHash: leaves[0], proof: proof, root: try Merkle.root(leafHashes: leaves))
        }
    }
}
