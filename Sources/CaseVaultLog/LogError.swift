/// A failure to build, parse or verify one of the log's values. Cases carry what tests and callers compare;
/// the wording is made only in `description`, and the CLI words what a user sees.
public enum LogError: Error, Equatable, Sendable, CustomStringConvertible {
    // Merkle trees and proofs (RFC 9162 §2.1).
    /// A leaf index at or beyond the tree size.
    case indexOutOfRange(index: UInt64, size: UInt64)
    /// A consistency proof asked from a larger tree to a smaller one.
    case sizesOutOfOrder(size1: UInt64, size2: UInt64)
    /// A consistency proof from the empty tree: it proves nothing, so it is refused rather than accepted.
    case consistencyFromEmptyTree
    /// A hash (leaf, root or proof element) that is not 32 bytes.
    case wrongHashLength(Int)
    /// A proof with more or fewer hashes than the sizes call for.
    case wrongProofLength(actual: Int)
    /// The proof is well formed but the root it leads to is not the expected one.
    case rootMismatch
    /// A stored frontier whose hash count does not match its size.
    case malformedFrontier

    // Signed notes (C2SP signed-note) and keys.
    case malformedNote(NoteDefect)
    case malformedKey(KeyDefect)
    /// The same key (name and key ID) signed the note twice.
    case duplicateSignature(keyName: String, keyID: UInt32)
    /// More signature lines than `SignedNote.maximumSignatures`.
    case tooManySignatures(Int)
    /// A known key's signature did not verify: the whole note is rejected.
    case invalidSignature(keyName: String, keyID: UInt32)
    /// No signature by a known key: the note's text must be ignored.
    case noKnownSignature
    /// Two known keys share a name and key ID, so a signature could not be attributed.
    case ambiguousKey(keyName: String, keyID: UInt32)

    // Checkpoints, cosignatures and proof texts.
    case malformedCheckpoint(CheckpointDefect)
    /// A checkpoint of another log than the one expected.
    case originMismatch(expected: String, actual: String)
    case malformedCosignature
    case malformedProofText(ProofTextDefect)

    /// What is wrong with a note's syntax.
    public enum NoteDefect: String, Sendable, CaseIterable {
        case notUTF8, controlCharacter, textWithoutFinalNewline, missingBlankLine, noSignatures
        case signatureLineWithoutNewline, signatureLineSyntax, badKeyName, badSignatureEncoding
    }

    /// What is wrong with a verifier or signer key string.
    public enum KeyDefect: String, Sendable, CaseIterable {
        case syntax, badName, badKeyID, badEncoding, unknownAlgorithm, wrongKeyLength, keyIDMismatch
    }

    /// What is wrong with a checkpoint body.
    public enum CheckpointDefect: String, Sendable, CaseIterable {
        case tooFewLines, emptyOrigin, badTreeSize, badRootHash, emptyExtensionLine, textWithoutFinalNewline
    }

    /// What is wrong with a tlog-proof text.
    public enum ProofTextDefect: String, Sendable, CaseIterable {
        case badHeader, badExtra, badIndex, badHash, missingCheckpoint
    }

    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let size): "leaf index \(index) is not below the tree size \(size)"
        case .sizesOutOfOrder(let size1, let size2): "tree size \(size1) is larger than tree size \(size2)"
        case .consistencyFromEmptyTree: "a consistency proof from the empty tree proves nothing"
        case .wrongHashLength(let count): "a hash is \(count) bytes, not 32"
        case .wrongProofLength(let count): "the proof has the wrong number of hashes (\(count))"
        case .rootMismatch: "the proof does not lead to the expected root hash"
        case .malformedFrontier: "the stored Merkle frontier does not match its tree size"
        case .malformedNote(let defect): "malformed signed note (\(defect.rawValue))"
        case .malformedKey(let defect): "malformed note key (\(defect.rawValue))"
        case .duplicateSignature(let name, let id): "two signatures by the key \(name)+\(keyIDHex(id))"
        case .tooManySignatures(let count): "the note has \(count) signatures, more than allowed"
        case .invalidSignature(let name, let id): "the signature by the key \(name)+\(keyIDHex(id)) is invalid"
        case .noKnownSignature: "the note carries no signature by a known key"
        case .ambiguousKey(let name, let id): "more than one known key is \(name)+\(keyIDHex(id))"
        case .malformedCheckpoint(let defect): "malformed checkpoint (\(defect.rawValue))"
        case .originMismatch(let expected, let actual): "the checkpoint is of \(actual), not of \(expected)"
        case .malformedCosignature: "malformed cosignature"
        case .malformedProofText(let defect): "malformed tlog-proof text (\(defect.rawValue))"
        }
    }
}

/// A key ID as the 8 lower-case hex digits used in key strings.
func keyIDHex(_ id: UInt32) -> String {
    let hex = String(id, radix: 16)
    return String(repeating: "0", count: 8 - hex.count) + hex
}
