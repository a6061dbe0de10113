import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Testing

/// The eight leaves of the RFC 6962 test data that the transparency-dev vectors are built on.
enum StandardLeaves {
    static let entries = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ].map { hex($0) }

    static func hashes() -> [[UInt8]] { entries.map { try! Merkle.leafHash($0) } }
}

/// Leaf hashes for `count` distinct entries ("leaf 0", "leaf 1", …).
func leafHashes(_ count: Int) -> [[UInt8]] {
    (0..<count).map { try! Merkle.leafHash(Array("leaf \($0)".utf8)) }
}

/// Hashing, roots and proof generation, checked against RFC 6962's published roots and against the verifier.
@Suite("Merkle tree (RFC 9162 §2.1)")
struct MerkleTests {
    /// Roots of the standard leaves for sizes 1...8 (transparency-dev verify_test.go, RFC 6962 test data).
    static let standardRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    @Test("the empty tree's root is SHA-256 of the empty string")
    func emptyRoot() throws {
        #expect(
            try Merkle.root(leafHashes: []).hexString
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("leaf and node hashes carry the 0x00 and 0x01 prefixes")
    func prefixes() throws {
        #expect(
            try Merkle.leafHash([UInt8]()).hexString
                == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        let a = try Merkle.leafHash([1])
        let b = try Merkle.leafHash([2])
        #expect(try Merkle.nodeHash(a, b) == Digest.hash(.sha256, [0x01] + a + b))
        #expect(try Merkle.leafHash([7]) == Digest.hash(.sha256, [0x00, 7]))
    }

    @Test("roots of the standard leaves are RFC 6962's", arguments: 1...8)
    func standardRoot(size: Int) throws {
        let leaves = Array(StandardLeaves.hashes().prefix(size))
        #expect(try Merkle.root(leafHashes: leaves).hexString == Self.standardRoots[size - 1])
        #expect(try MerkleFrontier(leafHashes: leaves).root().hexString == Self.standardRoots[size - 1])
    }

    @Test("every generated inclusion proof verifies, and fails at any other index or size", arguments: 1...64)
    func inclusionProofsVerify(size: Int) throws {
        let leaves = leafHashes(size)
        let root = try Merkle.root(leafHashes: leaves)
        for index in 0..<size {
            let proof = try Merkle.inclusionProof(index: index, leafHashes: leaves)
            try Merkle.verifyInclusion(
                index: UInt64(index), size: UInt64(size), leafHash: leaves[index], proof: proof, root: root)
            // The same proof for a neighbouring leaf must not verify. (A tree one larger is no such check: when the
            // path has the same shape there, the proof is just as valid for it against the same root.)
            let other = (index + 1) % size
            if other != index {
                #expect(throws: LogError.self) {
                    try Merkle.verifyInclusion(
                        index: UInt64(other), size: UInt64(size), leafHash: leaves[index], proof: proof, root: root)
                }
                #expect(throws: LogError.self) {
                    try Merkle.verifyInclusion(
                        index: UInt64(index), size: UInt64(size), leafHash: leaves[other], proof: proof, root: root)
                }
            }
        }
    }

    @Test("every generated consistency proof verifies", arguments: 1...64)
    func consistencyProofsVerify(size2: Int) throws {
        let leaves = leafHashes(size2)
        let root2 = try Merkle.root(leafHashes: leaves)
        for size1 in 1...size2 {
            let root1 = try Merkle.root(leafHashes: Array(leaves.prefix(size1)))
            let proof = try Merkle.consistencyProof(size1: size1, leafHashes: leaves)
            try Merkle.verifyConsistency(
                size1: UInt64(size1), size2: UInt64(size2), proof: proof, root1: root1, root2: root2)
            if size1 < size2 {
                #expect(throws: LogError.self) {
                    try Merkle.verifyConsistency(
                        size1: UInt64(size1), size2: UInt64(size2), proof: proof, root1: root2, root2: root1)
                }
            }
        }
    }

    @Test(
        "a flipped bit anywhere in an inclusion proof, its leaf or its root fails", arguments: [1, 2, 3, 7, 8, 13, 33])
    func inclusionBitFlips(size: Int) throws {
        let leaves = leafHashes(size)
        let root = try Merkle.root(leafHashes: leaves)
        for index in 0..<size {
            let proof = try Merkle.inclusionProof(index: index, leafHashes: leaves)
            for bit in 0..<(32 * 8) {
                let (byte, mask) = (bit / 8, UInt8(1) << (bit % 8))
                for element in proof.indices {
                    var bad = proof
                    bad[element][byte] ^= mask
                    #expect(throws: LogError.rootMismatch) {
                        try Merkle.verifyInclusion(
                            index: UInt64(index), size: UInt64(size), leafHash: leaves[index], proof: bad, root: root)
                    }
                }
                var badLeaf = leaves[index]
                badLeaf[byte] ^= mask
                var badRoot = root
                badRoot[byte] ^= mask
                #expect(throws: LogError.rootMismatch) {
                    try Merkle.verifyInclusion(
                        index: UInt64(index), size: UInt64(size), leafHash: badLeaf, proof: proof, root: root)
                }
                #expect(throws: LogError.rootMismatch) {
                    try Merkle.verifyInclusion(
                        index: UInt64(index), size: UInt64(size), leafHash: leaves[index], proof: proof, root: badRoot)
                }
            }
        }
    }

    @Test("a flipped bit anywhere in a consistency proof or either root fails", arguments: [2, 3, 5, 8, 13, 33])
    func consistencyBitFlips(size2: Int) throws {
        let leaves = leafHashes(size2)
        let root2 = try Merkle.root(leafHashes: leaves)
        for size1 in 1..<size2 {
            let root1 = try Merkle.root(leafHashes: Array(leaves.prefix(size1)))
            let proof = try Merkle.consistencyProof(size1: size1, leafHashes: leaves)
            for bit in stride(from: 0, to: 256, by: 3) {
                let (byte, mask) = (bit / 8, UInt8(1) << (bit % 8))
                for element in proof.indices {
                    var bad = proof
                    bad[element][byte] ^= mask
                    #expect(throws: LogError.rootMismatch) {
                        try Merkle.verifyConsistency(
                            size1: UInt64(size1), size2: UInt64(size2), proof: bad, root1: root1, root2: root2)
                    }
                }
                var bad1 = root1
                bad1[byte] ^= mask
                var bad2 = root2
                bad2[byte] ^= mask
                #expect(throws: LogError.rootMismatch) {
                    try Merkle.verifyConsistency(
                        size1: UInt64(size1), size2: UInt64(size2), proof: proof, root1: bad1, root2: root2)
                }
                #expect(throws: LogError.rootMismatch) {
                    try Merkle.verifyConsistency(
                        size1: UInt64(size1), size2: UInt64(size2), proof: proof, root1: root1, root2: bad2)
                }
            }
        }
    }

    @Test("malformed inputs are refused with their own codes")
    func malformed() throws {
        let leaves = leafHashes(5)
        let root = try Merkle.root(leafHashes: leaves)
        let proof = try Merkle.inclusionProof(index: 2, leafHashes: leaves)
        #expect(throws: LogError.indexOutOfRange(index: 5, size: 5)) {
            try Merkle.verifyInclusion(index: 5, size: 5, leafHash: leaves[0], proof: proof, root: root)
        }
        #expect(throws: LogError.wrongHashLength(31)) {
            try Merkle.verifyInclusion(
                index: 2, size: 5, leafHash: Array(leaves[2].prefix(31)), proof: proof, root: root)
        }
        #expect(throws: LogError.wrongProofLength(actual: proof.count + 1)) {
            try Merkle.verifyInclusion(index: 2, size: 5, leafHash: leaves[2], proof: proof + [root], root: root)
        }
        #expect(throws: LogError.wrongProofLength(actual: proof.count - 1)) {
            try Merkle.verifyInclusion(index: 2, size: 5, leafHash: leaves[2], proof: proof.dropLast(), root: root)
        }
        #expect(throws: LogError.sizesOutOfOrder(size1: 3, size2: 2)) {
            try Merkle.verifyConsistency(size1: 3, size2: 2, proof: [], root1: root, root2: root)
        }
        #expect(throws: LogError.consistencyFromEmptyTree) {
            try Merkle.verifyConsistency(size1: 0, size2: 2, proof: [root], root1: Merkle.emptyRoot(), root2: root)
        }
        #expect(throws: LogError.consistencyFromEmptyTree) { try Merkle.consistencyProof(size1: 0, leafHashes: leaves) }
        #expect(throws: LogError.indexOutOfRange(index: 5, size: 5)) {
            try Merkle.inclusionProof(index: 5, leafHashes: leaves)
        }
        #expect(throws: LogError.wrongHashLength(3)) { try Merkle.root(leafHashes: [[1, 2, 3]]) }
    }

    @Test("proofs read leaves through the accessor, and its errors pass through")
    func accessor() throws {
        struct Unreadable: Error {}
        let leaves = leafHashes(20)
        var reads = 0
        let proof = try Merkle.inclusionProof(index: 7, size: 20) { i in
            reads += 1
            return leaves[i]
        }
        #expect(proof == (try Merkle.inclusionProof(index: 7, leafHashes: leaves)))
        // Every leaf but the proved one: its own hash is the verifier's input, not part of the proof.
        #expect(reads == 19)
        #expect(throws: Unreadable.self) {
            try Merkle.consistencyProof(size1: 3, size2: 20) { i in
                if i == 19 { throw Unreadable() }
                return leaves[i]
            }
        }
    }
}
