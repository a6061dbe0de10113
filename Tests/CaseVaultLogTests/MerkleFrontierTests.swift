import CaseVaultLog
import Testing

/// The incremental tree: same roots as the full computation at every size, O(log n) state, strict restore.
@Suite("Merkle frontier (compact range)")
struct MerkleFrontierTests {
    @Test("appending one leaf at a time gives the full tree's root at every size up to 300")
    func matchesFullRoot() throws {
        let leaves = leafHashes(300)
        var frontier = MerkleFrontier()
        #expect(try frontier.root() == Merkle.emptyRoot())
        for (i, leaf) in leaves.enumerated() {
            try frontier.append(leafHash: leaf)
            #expect(frontier.size == UInt64(i + 1))
            #expect(frontier.hashes.count == (i + 1).nonzeroBitCount)
            #expect(try frontier.root() == Merkle.root(leafHashes: Array(leaves.prefix(i + 1))))
        }
    }

    @Test("a restored frontier continues exactly where the stored one stopped")
    func restore() throws {
        let leaves = leafHashes(100)
        let stored = try MerkleFrontier(leafHashes: Array(leaves.prefix(77)))
        var restored = try MerkleFrontier(size: stored.size, hashes: stored.hashes)
        for leaf in leaves.dropFirst(77) { try restored.append(leafHash: leaf) }
        #expect(try restored.root() == Merkle.root(leafHashes: leaves))
    }

    @Test("a stored frontier that does not fit its size is refused")
    func malformed() throws {
        let stored = try MerkleFrontier(leafHashes: leafHashes(6))  // 6 = 0b110: two subtree roots
        #expect(throws: LogError.malformedFrontier) { try MerkleFrontier(size: 7, hashes: stored.hashes) }
        #expect(throws: LogError.malformedFrontier) { try MerkleFrontier(size: 6, hashes: [stored.hashes[0]]) }
        #expect(throws: LogError.wrongHashLength(31)) {
            try MerkleFrontier(size: 6, hashes: [stored.hashes[0], Array(stored.hashes[1].prefix(31))])
        }
        var frontier = MerkleFrontier()
        #expect(throws: LogError.wrongHashLength(0)) { try frontier.append(leafHash: []) }
    }

    @Test("100,000 appends keep at most 17 hashes and match the full root")
    func large() throws {
        var frontier = MerkleFrontier()
        var all: [[UInt8]] = []
        all.reserveCapacity(100_000)
        for i in 0..<100_000 {
            let leaf = try Merkle.leafHash(Array("entry \(i)".utf8))
            all.append(leaf)
            try frontier.append(leafHash: leaf)
            #expect(frontier.hashes.count <= 17)
        }
        #expect(try frontier.root() == Merkle.root(leafHashes: all))
    }
}
