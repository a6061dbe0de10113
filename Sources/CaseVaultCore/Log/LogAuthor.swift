import CaseVaultCrypto
import CaseVaultLog

/// Who signs an entry: a member's name and Ed25519 key, reached through a session (key file or unlock
/// agent) or, while a vault is being created, the founding admin's fresh keys.
struct LogAuthor: Sendable {
    let name: String
    /// The Ed25519 public key, hex.
    let signingKeyHex: String
    let sign: @Sendable ([UInt8]) throws -> [UInt8]
    /// The note key, made once per author rather than once per entry (a batch add signs thousands).
    private let key: Result<NoteVerifierKey, Error>

    init(session: MemberSession) { self.init(session: session, sign: { try session.sign($0) }) }

    /// The session's member, signing with `sign` (a batch checks the agent's signatures in the background).
    init(session: MemberSession, sign: @escaping @Sendable ([UInt8]) throws -> [UInt8]) {
        name = session.member
        signingKeyHex = session.signingPublicKey
        self.sign = sign
        key = Result { try SignedEntry.verifierKey(name: session.member, signingKeyHex: session.signingPublicKey) }
    }

    init(name: String, keys: MemberKeys) {
        self.name = name
        signingKeyHex = keys.signingPublicKeyHex
        sign = { try keys.sign($0) }
        key = Result { try SignedEntry.verifierKey(name: name, signingKeyHex: keys.signingPublicKeyHex) }
    }

    /// `text` as a signed note with this author's signature (key name: the member's name).
    func signedNote(_ text: String) throws -> SignedNote { try note(text, signature: try sign(Array(text.utf8))) }

    /// `text` as a signed note carrying `signature`, made elsewhere (by the unlock agent) with this author's key.
    func note(_ text: String, signature: [UInt8]) throws -> SignedNote {
        try SignedNote(
            text: text,
            signatures: [SignedNote.Signature(keyName: name, keyID: try key.get().keyID, signature: signature)])
    }
}

/// An entry as stored: the signed note's bytes, which are the Merkle leaf.
enum SignedEntry {
    /// The note verifier key of a member: key name = member name, Ed25519.
    static func verifierKey(name: String, signingKeyHex: String) throws -> NoteVerifierKey {
        guard let raw = Hex.decode(signingKeyHex), raw.count == 32 else {
            throw SignedLogError.malformedEntry("a signing key is not 32 bytes of hex")
        }
        return try NoteVerifierKey(name: name, publicKey: Ed25519.PublicKey(rawRepresentation: raw))
    }

    /// A stored entry: a signed note (the body, an empty line, the signature line) or, for an entry that a
    /// `run.seal` covers, the body alone. The bytes' shape says which: a body never holds an empty line
    /// (`LogEntry.parse` refuses one), a signed note always does. `note` is nil for a body alone.
    static func parseStored(_ bytes: [UInt8]) throws -> (entry: LogEntry, note: SignedNote?) {
        if isBodyAlone(bytes) {
            return (try bytes.withUnsafeBufferPointer { try LogEntry.parse(bytes: $0) }, nil)
        }
        let note = try SignedNote(parsing: bytes)
        return (try LogEntry.parse(note.text), note)
    }

    /// True when `bytes` hold no empty line (no two newlines in a row): not a signed note.
    static func isBodyAlone(_ bytes: [UInt8]) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous == 0x0A { return false }
            previous = byte
        }
        return true
    }

    /// Parses a stored entry and checks that exactly its author signed it, with the key `signingKey` gives
    /// (which also checks that the author is a member who is not removed). An entry stored unsigned is
    /// returned with `signed` false: the `run.seal` after it must cover it (`LogState.checkRun`).
    static func open(_ bytes: [UInt8], signingKey: (LogEntry) throws(LogProblem) -> String) throws(LogProblem)
        -> (entry: LogEntry, signed: Bool)
    {
        let parsed: (entry: LogEntry, note: SignedNote?)
        do { parsed = try parseStored(bytes) } catch { throw .malformed("\(error)") }
        let entry = parsed.entry
        let keyHex = try signingKey(entry)
        guard let note = parsed.note else { return (entry, false) }
        guard note.signatures.count == 1, note.signatures[0].keyName == entry.author,
            let key = try? verifierKey(name: entry.author, signingKeyHex: keyHex),
            let verified = try? note.verify(knownKeys: [key]), verified.count == 1
        else { throw .badSignature }
        return (entry, true)
    }
}
