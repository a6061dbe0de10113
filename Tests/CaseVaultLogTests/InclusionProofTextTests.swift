import CaseVaultCrypto
import CaseVaultLog
import Testing

/// C2SP tlog-proof texts: produced from a log, parsed back, verified end to end, and refused when malformed.
@Suite("inclusion proof text (C2SP tlog-proof)")
struct InclusionProofTextTests {
    static let origin = "casevault.example/v"

    /// A log of `size` leaves, its signer, and its signed checkpoint note.
    static func log(size: Int) throws -> (leaves: [[UInt8]], signer: NoteSigner, note: SignedNote) {
        let leaves = leafHashes(size)
        let signer = try NoteSigner(name: origin, privateKey: Ed25519.PrivateKey())
        let checkpoint = try Checkpoint(origin: origin, size: UInt64(size), rootHash: Merkle.root(leafHashes: leaves))
        return (leaves, signer, try SignedNote(text: checkpoint.text).signed(by: [signer]))
    }

    @Test("a produced proof has the spec's layout, parses back equal, and verifies", arguments: [1, 2, 7, 8, 21])
    func roundTrip(size: Int) throws {
        let (leaves, signer, note) = try Self.log(size: size)
        for index in 0..<size {
            let proof = try Merkle.inclusionProof(index: index, leafHashes: leaves)
            let text = try InclusionProofText(index: UInt64(index), proof: proof, checkpointNote: note.bytes)
            let expected =
                "c2sp.org/tlog-proof@v1\nindex \(index)\n" + proof.map { base64($0) + "\n" }.joined() + "\n"
            #expect(text.bytes == Array(expected.utf8) + note.bytes)
            let parsed = try InclusionProofText(parsing: text.bytes)
            #expect(parsed == text)
            let checkpoint = try parsed.verify(
                leafHash: leaves[index], knownKeys: [signer.verifierKey], origin: Self.origin)
            #expect(checkpoint.size == UInt64(size))
            if size > 1 {
                #expect(throws: LogError.rootMismatch) {
                    try parsed.verify(
                        leafHash: leaves[(index + 1) % size], knownKeys: [signer.verifierKey], origin: Self.origin)
                }
            }
        }
    }

    @Test("the extra line round-trips and is outside what the checkpoint signs")
    func extra() throws {
        let (leaves, signer, note) = try Self.log(size: 5)
        let proof = try Merkle.inclusionProof(index: 3, leafHashes: leaves)
        let text = try InclusionProofText(index: 3, proof: proof, checkpointNote: note.bytes, extra: Array("ctx".utf8))
        #expect(
            text.bytes.starts(with: Array("c2sp.org/tlog-proof@v1\nextra \(base64(Array("ctx".utf8)))\nindex 3\n".utf8))
        )
        let parsed = try InclusionProofText(parsing: text.bytes)
        #expect(parsed.extra == Array("ctx".utf8))
        _ = try parsed.verify(leafHash: leaves[3], knownKeys: [signer.verifierKey], origin: Self.origin)
    }

    @Test("a proof whose checkpoint is signed by an unknown key, or of another log, is refused")
    func untrusted() throws {
        let (leaves, _, note) = try Self.log(size: 4)
        let text = try InclusionProofText(
            index: 1, proof: Merkle.inclusionProof(index: 1, leafHashes: leaves), checkpointNote: note.bytes)
        let stranger = try NoteSigner(name: Self.origin, privateKey: Ed25519.PrivateKey())
        #expect(throws: LogError.noKnownSignature) {
            try text.verify(leafHash: leaves[1], knownKeys: [stranger.verifierKey], origin: Self.origin)
        }
    }

    static func malformed() throws -> [(String, LogError)] {
        let (leaves, _, note) = try log(size: 4)
        let checkpoint = String(decoding: note.bytes, as: UTF8.self)
        let hashes = try Merkle.inclusionProof(index: 1, leafHashes: leaves).map { base64($0) + "\n" }.joined()
        return [
            ("c2sp.org/tlog-proof@v2\nindex 1\n\(hashes)\n\(checkpoint)", .malformedProofText(.badHeader)),
            ("c2sp.org/tlog-proof@v1\nindex 01\n\(hashes)\n\(checkpoint)", .malformedProofText(.badIndex)),
            ("c2sp.org/tlog-proof@v1\nindex -1\n\(hashes)\n\(checkpoint)", .malformedProofText(.badIndex)),
            ("c2sp.org/tlog-proof@v1\nindex  1\n\(hashes)\n\(checkpoint)", .malformedProofText(.badIndex)),
            ("c2sp.org/tlog-proof@v1\n\(hashes)\n\(checkpoint)", .malformedProofText(.badIndex)),
            ("c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\(hashes)\n\(checkpoint)", .malformedProofText(.badExtra)),
            ("c2sp.org/tlog-proof@v1\nindex 1\n\(base64([1, 2]))\n\n\(checkpoint)", .malformedProofText(.badHash)),
            ("c2sp.org/tlog-proof@v1\nindex 1\n\(hashes)\(checkpoint)", .malformedProofText(.badHash)),
            ("c2sp.org/tlog-proof@v1\nindex 1\n\(hashes)\n", .malformedProofText(.missingCheckpoint)),
            ("c2sp.org/tlog-proof@v1\nindex 1\n\(hashes)", .malformedProofText(.missingCheckpoint)),
            ("c2sp.org/tlog-proof@v1\nindex 1\n\(hashes)\n\(checkpoint)x\n", .malformedNote(.signatureLineSyntax)),
            (
                "c2sp.org/tlog-proof@v1\nindex 1\n\(hashes)\nnot a checkpoint\n\n\(checkpoint.split(separator: "\n").last!)\n",
                .malformedCheckpoint(.tooFewLines)
            ),
        ]
    }

    @Test("malformed proof texts are refused with the defect named", arguments: 0..<12)
    func malformedTexts(_ i: Int) throws {
        let cases = try Self.malformed()
        #expect(cases.count == 12)
        let (text, error) = cases[i]
        #expect(throws: error) { try InclusionProofText(parsing: Array(text.utf8)) }
    }
}
