import CaseVaultCrypto
import CaseVaultIO

/// Whole-file age v1 operations over streams: encryption, decryption, and re-wrapping a header.
/// Memory use is constant (a few chunks) whatever the file size.
public enum Age {
    /// Encrypts everything `source` yields into an age file on `sink`, for `recipients`.
    public static func encrypt(
        from source: ByteSource, to sink: ByteSink, recipients: [Recipient], armor: Bool = false
    ) throws {
        let writer = try AgeWriter(sink: sink, recipients: recipients, armor: armor)
        try writer.write(from: source)
        try writer.finish()
    }

    /// Decrypts the age file on `source` to `sink`. With `armored` nil, armor is detected from the first
    /// bytes; true or false forces it. Plaintext reaches `sink` only chunk by verified chunk, so after a
    /// payload failure `sink` holds exactly the chunks that verified before the damage.
    public static func decrypt(
        from source: ByteSource, to sink: ByteSink, identities: [Identity], armored: Bool? = nil
    ) throws {
        let reader = try AgeReader(source: source, identities: identities, armored: armored)
        try reader.payload.decrypt(to: sink)
    }

    /// Rewrites the header of the age file on `source` to `sink`: unwraps the file key with `identities`,
    /// keeps the stanzas `keep` accepts, adds stanzas for `add`, and seals a new MAC. The payload is copied
    /// byte for byte, unread and unchanged.
    public static func rewrap(
        from source: ByteSource, to sink: ByteSink, identities: [Identity], keep: (Stanza) -> Bool = { _ in true },
        add: [Recipient]
    ) throws {
        let buffered = BufferedSource(source)
        let header = try HeaderParser(buffered).parse()
        let newHeader = try rewrap(header, identities: identities, keep: keep, add: add)
        try sink.write(newHeader.encoded())
        try copy(from: buffered, to: sink)
    }

    /// The header-only form of `rewrap`, for stores that keep headers apart from payloads.
    public static func rewrap(
        _ header: Header, identities: [Identity], keep: (Stanza) -> Bool = { _ in true }, add: [Recipient]
    ) throws -> Header {
        let fileKey = try FileKey.unwrap(header, identities: identities)
        var stanzas = header.stanzas.filter(keep)
        for recipient in add { stanzas += try recipient.wrap(fileKey: fileKey) }
        try checkStanzaMix(stanzas)
        return try Header.sealed(stanzas: stanzas, fileKey: fileKey)
    }

    /// A header for a new file key, wrapped to `recipients`.
    public static func makeHeader(fileKey: SecureBytes, recipients: [Recipient]) throws -> Header {
        guard !recipients.isEmpty else { throw AgeError.invalidKey("at least one recipient is needed") }
        var stanzas: [Stanza] = []
        for recipient in recipients { stanzas += try recipient.wrap(fileKey: fileKey) }
        try checkStanzaMix(stanzas)
        return try Header.sealed(stanzas: stanzas, fileKey: fileKey)
    }

    static func checkStanzaMix(_ stanzas: [Stanza]) throws {
        if stanzas.contains(where: { $0.type == ScryptRecipient.stanzaType }) && stanzas.count > 1 {
            throw AgeError.invalidKey("a passphrase cannot be combined with other recipients")
        }
    }

    static func copy(from source: ByteSource, to sink: ByteSink) throws {
        let buffer = Payload.allocateIOBuffer(256 * 1024)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { return }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

/// Writes an age file: header first, then the payload as bytes are written; `finish()` seals the end.
public final class AgeWriter: ByteSink {
    private let payload: PayloadEncryptor
    private let armorWriter: ArmoredWriter?

    /// `expectedSize`: the plaintext's size, when known (see `PayloadEncryptor.init`).
    public init(sink: ByteSink, recipients: [Recipient], armor: Bool = false, expectedSize: Int64? = nil) throws {
        let fileKey = try FileKey.generate()
        let header = try Age.makeHeader(fileKey: fileKey, recipients: recipients)
        armorWriter = armor ? ArmoredWriter(sink: sink) : nil
        let out: ByteSink = armorWriter ?? sink
        try out.write(header.encoded())
        payload = try PayloadEncryptor(fileKey: fileKey, sink: out, expectedSize: expectedSize)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws { try payload.write(bytes) }

    /// Writes everything `source` yields, read straight into the payload's buffers.
    func write(from source: ByteSource) throws { try payload.write(from: source) }

    public func finish() throws {
        try payload.finish()
        try armorWriter?.finish()
    }
}

/// Reads an age file: the header is parsed and the file key unwrapped (MAC verified) on creation; the
/// payload is then read through `payload`.
public final class AgeReader {
    public let header: Header
    public let payload: PayloadDecryptor

    public init(source: ByteSource, identities: [Identity], armored: Bool? = nil) throws {
        var input = BufferedSource(source)
        let isArmored: Bool
        if let armored { isArmored = armored } else { isArmored = try Self.looksArmored(input) }
        if isArmored { input = BufferedSource(ArmoredReader(source: input)) }
        header = try HeaderParser(input).parse()
        let fileKey = try FileKey.unwrap(header, identities: identities)
        payload = try PayloadDecryptor(fileKey: fileKey, source: input)
    }

    /// Armor is recognised by its begin line, after optional leading whitespace.
    static func looksArmored(_ input: BufferedSource) throws -> Bool {
        let probe = try input.peek(1024)
        let begin = Array(Armor.beginLine.utf8)
        guard let first = probe.firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return false }
        return probe[first...].starts(with: begin)
    }
}
