/// A C2SP tlog-checkpoint body: the origin, the tree size in decimal, the base64 root hash, then optional
/// extension lines, each line ending in a newline. It is the text of a signed note.
public struct Checkpoint: Sendable, Equatable {
    /// The log's identity, e.g. `casevault.example/vault/<id>`.
    public let origin: String
    public let size: UInt64
    /// The RFC 9162 root of the first `size` leaves (32 bytes).
    public let rootHash: [UInt8]
    /// Opaque, non-empty lines after the root hash, without their newlines.
    public let extensions: [String]

    public init(origin: String, size: UInt64, rootHash: [UInt8], extensions: [String] = []) throws {
        guard !origin.isEmpty, !origin.contains("\n") else { throw LogError.malformedCheckpoint(.emptyOrigin) }
        guard rootHash.count == Merkle.hashByteCount else { throw LogError.malformedCheckpoint(.badRootHash) }
        guard extensions.allSatisfy({ !$0.isEmpty && !$0.contains("\n") }) else {
            throw LogError.malformedCheckpoint(.emptyExtensionLine)
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// Parses a checkpoint body strictly: at least three lines, each ending in a newline; a non-empty
    /// origin; the size in decimal without leading zeros (`0` for the empty tree) that fits 64 bits; the
    /// root as canonical standard base64 of exactly 32 bytes; no empty extension line.
    public init(parsing text: String) throws {
        guard text.hasSuffix("\n") else { throw LogError.malformedCheckpoint(.textWithoutFinalNewline) }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw LogError.malformedCheckpoint(.tooFewLines) }
        guard let size = parseDecimal(lines[1]) else { throw LogError.malformedCheckpoint(.badTreeSize) }
        guard let root = Base64.decode(lines[2]), root.count == Merkle.hashByteCount else {
            throw LogError.malformedCheckpoint(.badRootHash)
        }
        try self.init(origin: lines[0], size: size, rootHash: root, extensions: Array(lines.dropFirst(3)))
    }

    /// The body: `origin\nsize\nbase64(root)\n` and each extension line with its newline.
    public var text: String {
        ([origin, String(size), Base64.encode(rootHash)] + extensions).map { $0 + "\n" }.joined()
    }

    /// Opens a signed checkpoint: parses the note, verifies it against the known keys (see
    /// `SignedNote.verify(knownKeys:)`), parses the body and requires the expected origin.
    public static func open(
        _ bytes: [UInt8], knownKeys: [NoteVerifierKey], origin: String
    ) throws -> (checkpoint: Checkpoint, note: SignedNote, verified: [SignedNote.Verified]) {
        let note = try SignedNote(parsing: bytes)
        let checkpoint = try Checkpoint(parsing: note.text)
        guard checkpoint.origin == origin else {
            throw LogError.originMismatch(expected: origin, actual: checkpoint.origin)
        }
        let verified = try note.verify(knownKeys: knownKeys)
        return (checkpoint, note, verified)
    }
}

/// An ASCII decimal with no leading zeros (unless it is `0`) that fits 64 bits; nil otherwise.
func parseDecimal<Text: StringProtocol>(_ text: Text) -> UInt64? {
    let digits = Array(text.utf8)
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    guard digits.count == 1 || digits[0] != 0x30 else { return nil }
    return UInt64(String(decoding: digits, as: UTF8.self))
}
