import CaseVaultCrypto

/// A C2SP tlog-cosignature of the Ed25519 kind ("cosignature/v1", signature type 0x04): a note signature on
/// a checkpoint whose value is key ID || 8-byte big-endian timestamp || 64-byte Ed25519 signature, the
/// signature being over `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint body.
///
/// It says: at that time, the largest tree the cosigner had seen for that origin, and verified as
/// consistent, has that root.
public struct Cosignature: Sendable, Equatable {
    public let keyName: String
    public let keyID: UInt32
    /// POSIX seconds; at most 2^63 - 1.
    public let timestamp: UInt64
    public let signature: [UInt8]

    /// The largest timestamp the spec allows.
    public static let maximumTimestamp = UInt64(Int64.max)

    /// Reads a cosignature out of a note signature line. Throws `malformedCosignature` unless it is exactly
    /// 8 + 64 bytes with a timestamp in range.
    public init(_ line: SignedNote.Signature) throws {
        guard line.signature.count == 8 + Ed25519.signatureByteCount else { throw LogError.malformedCosignature }
        let timestamp = line.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard timestamp <= Self.maximumTimestamp else { throw LogError.malformedCosignature }
        keyName = line.keyName
        keyID = line.keyID
        self.timestamp = timestamp
        signature = Array(line.signature.dropFirst(8))
    }

    /// The exact bytes a cosigner signs for a checkpoint body at a time.
    public static func signedMessage(checkpointText: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(checkpointText.utf8)
    }

    /// Cosigns a checkpoint at `timestamp` with a signer of type `cosignatureV1`; the result is the note
    /// signature line to add to the checkpoint's note.
    public static func sign(
        _ checkpoint: Checkpoint, timestamp: UInt64, signer: NoteSigner
    ) throws -> SignedNote.Signature {
        guard signer.type == .cosignatureV1 else { throw LogError.malformedKey(.unknownAlgorithm) }
        guard timestamp <= maximumTimestamp else { throw LogError.malformedCosignature }
        let signature = try signer.sign(signedMessage(checkpointText: checkpoint.text, timestamp: timestamp))
        let time = (0..<8).map { UInt8(truncatingIfNeeded: timestamp >> (56 - 8 * $0)) }
        return SignedNote.Signature(keyName: signer.name, keyID: signer.keyID, signature: time + signature)
    }

    /// Whether this cosignature is `key`'s over the checkpoint body `checkpointText`. The key must be of type
    /// `cosignatureV1` with the same name and key ID.
    public func isValid(forCheckpointText checkpointText: String, key: NoteVerifierKey) -> Bool {
        guard key.type == .cosignatureV1, key.name == keyName, key.keyID == keyID else { return false }
        let message = Self.signedMessage(checkpointText: checkpointText, timestamp: timestamp)
        return key.publicKey.isValidSignature(signature, for: message)
    }

    /// `isValid(forCheckpointText:key:)` for a parsed checkpoint.
    public func isValid(for checkpoint: Checkpoint, key: NoteVerifierKey) -> Bool {
        isValid(forCheckpointText: checkpoint.text, key: key)
    }
}
