import CaseVaultLog
import Testing

/// The root of the first N leaves, from nothing but leaf N's inclusion proof: what lets a bundle check an
/// entry's `prev N ROOT` line against its checkpoint.
@Suite("Merkle: the root before a leaf, from its inclusion proof")
struct MerkleRootBeforeTests {
    @Test("for every leaf of every tree up to 40 leaves it is the root of the leaves before it")
    func everyLeaf() throws {
        let leaves = leafHashes(40)
        for size in 1...leaves.count {
            let tree = Array(leaves.prefix(size))
            let root = try Merkle.root(leafHashes: tree)
            for index in 0..<size {
                let proof = try Merkle.inclusionProof(index: index, leafHashes: tree)
                let before = try Merkle.rootBefore(
                    index: UInt64(index), size: UInt64(size), leafHash: tree[index], proof: proof, root: root)
                #expect(before == (try Merkle.root(leafHashes: Array(tree.prefix(index)))), "leaf \(index) of \(size)")
            }
        }
    }

    @Test("a proof that does not lead to the root gives no root at all")
    func wrongProof() throws {
        let tree = leafHashes(11)
        var proof = try Merkle.inclusionProof(index: 6, leafHashes: tree)
        proof[0][0] ^= 1
        #expect(throws: LogError.rootMismatch) {
            try Merkle.rootBefore(
                index: 6, size: 11, leafHash: tree[6], proof: proof, root: try Merkle.root(leafHashes: tree))
        }
    }
}
