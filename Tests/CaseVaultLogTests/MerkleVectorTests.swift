import CaseVaultLog
import Foundation
import Testing

/// The transparency-dev inclusion and consistency vectors: every valid proof verifies, every `wantErr` fails.
///
/// The subtree* folders are not run: they prove inclusion in and consistency of arbitrary subtrees
/// [start, end) (Merkle Tree Certificates), which a plain RFC 9162 log does not use.
@Suite("Merkle conformance vectors (transparency-dev)")
struct MerkleVectorTests {
    static let inclusionFiles = MerkleVectors.files(in: "inclusion")
    static let consistencyFiles = MerkleVectors.files(in: "consistency")

    @Test(
        "the inclusion and consistency suites are present and complete",
        .enabled(
            if: MerkleVectors.available,
            "SKIPPED: Merkle vectors not found (../shared/vectors/merkle or CASEVAULT_VECTORS)"))
    func suitesArePresent() throws {
        #expect(Self.inclusionFiles.count == 98)
        #expect(Self.consistencyFiles.count == 98)
        let valid = try Self.inclusionFiles.filter { try !MerkleVectors.load(MerkleVectors.Inclusion.self, $0).wantErr }
        // One happy path in each of 0..4 plus the single-entry match.
        #expect(valid.count == 6)
    }

    @Test(
        "inclusion vector",
        .enabled(
            if: MerkleVectors.available,
            "SKIPPED: Merkle vectors not found (../shared/vectors/merkle or CASEVAULT_VECTORS)"),
        arguments: inclusionFiles)
    func inclusion(_ file: String) throws {
        let v = try MerkleVectors.load(MerkleVectors.Inclusion.self, file)
        let proof = (v.proof ?? []).map { [UInt8]($0) }
        let verify = {
            try Merkle.verifyInclusion(
                index: v.leafIdx, size: v.treeSize, leafHash: [UInt8](v.leafHash), proof: proof, root: [UInt8](v.root))
        }
        if v.wantErr {
            #expect(throws: LogError.self, "\(v.desc)") { try verify() }
        } else {
            try verify()
        }
    }

    @Test(
        "consistency vector",
        .enabled(
            if: MerkleVectors.available,
            "SKIPPED: Merkle vectors not found (../shared/vectors/merkle or CASEVAULT_VECTORS)"),
        arguments: consistencyFiles)
    func consistency(_ file: String) throws {
        let v = try MerkleVectors.load(MerkleVectors.Consistency.self, file)
        let proof = (v.proof ?? []).map { [UInt8]($0) }
        let verify = {
            try Merkle.verifyConsistency(
                size1: v.size1, size2: v.size2, proof: proof, root1: [UInt8](v.root1), root2: [UInt8](v.root2))
        }
        if v.wantErr {
            #expect(throws: LogError.self, "\(v.desc)") { try verify() }
        } else {
            try verify()
        }
    }

    @Test(
        "the valid vectors' roots are the roots this code computes for the eight standard leaves",
        .enabled(
            if: MerkleVectors.available,
            "SKIPPED: Merkle vectors not found (../shared/vectors/merkle or CASEVAULT_VECTORS)"))
    func rootsMatchStandardLeaves() throws {
        let leaves = StandardLeaves.hashes()
        for file in Self.inclusionFiles {
            let v = try MerkleVectors.load(MerkleVectors.Inclusion.self, file)
            guard !v.wantErr, v.treeSize <= 8, file.contains("/happy-path") else { continue }
            let size = Int(v.treeSize)
            #expect(try Merkle.root(leafHashes: Array(leaves.prefix(size))) == [UInt8](v.root), "\(file)")
            let proof = try Merkle.inclusionProof(index: Int(v.leafIdx), leafHashes: Array(leaves.prefix(size)))
            #expect(proof == (v.proof ?? []).map { [UInt8]($0) }, "\(file)")
        }
        for file in Self.consistencyFiles {
            let v = try MerkleVectors.load(MerkleVectors.Consistency.self, file)
            guard !v.wantErr, file.contains("/happy-path") else { continue }
            let proof = try Merkle.consistencyProof(size1: Int(v.size1), leafHashes: Array(leaves.prefix(Int(v.size2))))
            #expect(proof == (v.proof ?? []).map { [UInt8]($0) }, "\(file)")
        }
    }
}
