/// A C2SP tlog-proof: an offline-verifiable proof that an entry is in a log, as text.
///
/// ```
/// c2sp.org/tlog-proof@v1
/// extra <base64 opaque data>          (optional line)
/// index <decimal leaf index>
/// <base64 hash>                       (zero or more: the RFC 9162 inclusion proof, leaf's sibling first)
///
/// <the signed checkpoint note, verbatim>
/// ```
public struct InclusionProofText: Sendable, Equatable {
    public static let header = "c2sp.org/tlog-proof@v1"

    /// Opaque data the log attached; not authenticated, so never trusted by itself.
    public let extra: [UInt8]?
    public let index: UInt64
    public let proof: [[UInt8]]
    /// The signed checkpoint note, byte for byte.
    public let checkpointNote: [UInt8]

    public init(index: UInt64, proof: [[UInt8]], checkpointNote: [UInt8], extra: [UInt8]? = nil) throws {
        try Merkle.requireHashLengths(proof)
        // Parsing it now means a proof text is never written around something that is not a signed note.
        _ = try SignedNote(parsing: checkpointNote)
        self.index = index
        self.proof = proof
        self.checkpointNote = checkpointNote
        self.extra = extra
    }

    /// Parses a proof text strictly: the header line, an optional `extra` line in canonical base64, `index`
    /// in decimal without leading zeros, hash lines of exactly 32 bytes each, an empty line, and a
    /// well-formed signed note holding a checkpoint.
    public init(parsing bytes: [UInt8]) throws {
        var rest = bytes[...]
        func nextLine() throws -> String {
            guard let newline = rest.firstIndex(of: 0x0A) else { throw LogError.malformedProofText(.missingCheckpoint) }
            let line = String(decoding: rest[..<newline], as: UTF8.self)
            rest = rest[(newline + 1)...]
            return line
        }
        guard try nextLine() == Self.header else { throw LogError.malformedProofText(.badHeader) }
        var line = try nextLine()
        var extra: [UInt8]?
        if line.hasPrefix("extra ") {
            guard let data = Base64.decode(line.dropFirst(6)) else { throw LogError.malformedProofText(.badExtra) }
            extra = data
            line = try nextLine()
        }
        guard line.hasPrefix("index "), let index = parseDecimal(line.dropFirst(6)) else {
            throw LogError.malformedProofText(.badIndex)
        }
        var proof: [[UInt8]] = []
        while true {
            let hashLine = try nextLine()
            if hashLine.isEmpty { break }
            guard let hash = Base64.decode(hashLine), hash.count == Merkle.hashByteCount else {
                throw LogError.malformedProofText(.badHash)
            }
            proof.append(hash)
        }
        guard !rest.isEmpty else { throw LogError.malformedProofText(.missingCheckpoint) }
        let note = try SignedNote(parsing: Array(rest))
        _ = try Checkpoint(parsing: note.text)
        try self.init(index: index, proof: proof, checkpointNote: Array(rest), extra: extra)
    }

    /// The proof text.
    public var bytes: [UInt8] {
        var text = Self.header + "\n"
        if let extra { text += "extra \(Base64.encode(extra))\n" }
        text += "index \(index)\n"
        for hash in proof { text += Base64.encode(hash) + "\n" }
        text += "\n"
        return Array(text.utf8) + checkpointNote
    }

    /// Verifies the whole proof for an entry's leaf hash: the checkpoint's signatures against the known keys
    /// and its origin, then the inclusion proof against its size and root. Returns the checkpoint.
    public func verify(
        leafHash: [UInt8], knownKeys: [NoteVerifierKey], origin: String
    ) throws -> Checkpoint {
        let (checkpoint, _, _) = try Checkpoint.open(checkpointNote, knownKeys: knownKeys, origin: origin)
        try Merkle.verifyInclusion(
            index: index, size: checkpoint.size, leafHash: leafHash, proof: proof, root: checkpoint.rootHash)
        return checkpoint
    }
}
