import CaseVaultCrypto
import CaseVaultIO

/// An age v1 header: the recipient stanzas that wrap the file key, and the MAC that binds them to it.
public struct Header: Equatable, Sendable {
    public static let versionLine = "age-encryption.org/v1"

    public var stanzas: [Stanza]
    /// HMAC-SHA-256 over `macInput` under a key derived from the file key.
    public var mac: [UInt8]

    public init(stanzas: [Stanza], mac: [UInt8]) {
        self.stanzas = stanzas
        self.mac = mac
    }

    /// The bytes the MAC covers: the version line, every stanza, and the `---` that starts the MAC line.
    /// For a parsed header these are re-encoded, which is exact because parsing accepts only the canonical
    /// encoding.
    public var macInput: [UInt8] {
        var out = Array(Self.versionLine.utf8)
        out.append(0x0A)
        for stanza in stanzas { out += stanza.encoded() }
        out += Array("---".utf8)
        return out
    }

    /// The full header as it stands at the start of an age file, including the final newline.
    public func encoded() -> [UInt8] {
        var out = macInput
        out += Array(" \(Base64.encodeUnpadded(mac))\n".utf8)
        return out
    }

    /// A header over `stanzas` with its MAC computed from `fileKey`.
    public static func sealed(stanzas: [Stanza], fileKey: SecureBytes) throws -> Header {
        try sealed(stanzas: stanzas, macKey: MACKey(fileKey: fileKey))
    }

    /// A header over `stanzas` with its MAC computed under `macKey`.
    public static func sealed(stanzas: [Stanza], macKey: MACKey) throws -> Header {
        var header = Header(stanzas: stanzas, mac: [])
        header.mac = try header.computeMAC(macKey)
        return header
    }

    /// The key of a header's MAC, derived from the file key. A rewrap checks the old MAC and seals the new
    /// header with the same file key: deriving this once for both saves one HKDF per header.
    public struct MACKey: Sendable {
        fileprivate let key: SecureBytes

        public init(fileKey: SecureBytes) throws {
            key = try HKDF.deriveKey(
                inputKey: fileKey, salt: [UInt8](), info: Array("header".utf8), outputByteCount: 32)
        }
    }

    func computeMAC(_ macKey: MACKey) throws -> [UInt8] { try HMACSHA256.authenticate(macInput, key: macKey.key) }

    /// Checks the MAC in constant time; throws `AgeError.hmac` when it does not match.
    public func verifyMAC(fileKey: SecureBytes) throws { try verifyMAC(MACKey(fileKey: fileKey)) }

    /// Checks the MAC under `macKey` in constant time; throws `AgeError.hmac` when it does not match.
    public func verifyMAC(_ macKey: MACKey) throws {
        let expected = try computeMAC(macKey)
        guard ConstantTime.equals(expected, mac) else {
            throw AgeError.hmac("the header MAC does not match: the header was altered or the file key is wrong")
        }
    }

    /// Parses a complete header from `bytes`; everything after the MAC line is returned as `rest`.
    public static func parse(_ bytes: [UInt8]) throws -> (header: Header, rest: [UInt8]) {
        let buffered = BufferedSource(MemorySource(bytes))
        let header = try HeaderParser(buffered).parse()
        var rest: [UInt8] = []
        // Sized to what is left when that is known (sealed metadata: a few hundred bytes): a rewrap parses
        // thousands of headers, and zeroing a 64 KiB buffer for each cost more than the parse.
        var chunk = [UInt8](repeating: 0, count: max(1, min(65536, buffered.knownRemainingCount ?? 65536)))
        while true {
            let n = try chunk.withUnsafeMutableBytes { try buffered.read(into: $0) }
            if n == 0 { break }
            rest += chunk[0..<n]
        }
        return (header, rest)
    }
}

/// Reads a header line by line and accepts only its canonical form, so that re-encoding a parsed header
/// gives back exactly the bytes that were read (and the MAC input never depends on how we parsed).
struct HeaderParser {
    /// No legitimate line is longer: stanza bodies wrap at 64 columns, and argument lines are short.
    static let maximumLineLength = 4096
    /// A header beyond this size is a denial-of-service attempt, not an age file.
    static let maximumStanzas = 10_000

    let source: BufferedSource

    init(_ source: BufferedSource) { self.source = source }

    private func line() throws -> [UInt8] {
        let line = try source.readLine(
            maximumLength: Self.maximumLineLength, tooLong: AgeError.header("a header line is too long"))
        guard line.last == 0x0A else {
            throw AgeError.header(line.isEmpty ? "the file is empty" : "the header ends before its MAC line")
        }
        return Array(line.dropLast())
    }

    func parse() throws -> Header {
        let version = try line()
        guard version == Array(Header.versionLine.utf8) else {
            if version.starts(with: Array("age-encryption.org/".utf8)) {
                throw AgeError.header("unsupported age format version")
            }
            throw AgeError.header("this is not an age file (no age-encryption.org/v1 header)")
        }
        var stanzas: [Stanza] = []
        while true {
            var current = try line()
            if current.starts(with: Array("---".utf8)) {
                return Header(stanzas: stanzas, mac: try parseMAC(current))
            }
            guard current.starts(with: Array("-> ".utf8)) else {
                throw AgeError.header("expected a stanza (\"-> \") or the MAC line (\"---\")")
            }
            guard stanzas.count < Self.maximumStanzas else { throw AgeError.header("too many stanzas") }
            current.removeFirst(3)
            let fields = current.split(separator: 0x20, omittingEmptySubsequences: false)
            guard fields.allSatisfy({ Stanza.isValidArgument(String(decoding: $0, as: UTF8.self)) }),
                fields.allSatisfy({ $0.allSatisfy { $0 >= 0x21 && $0 <= 0x7E } }), !fields.isEmpty
            else {
                throw AgeError.header("a stanza has an empty or invalid argument")
            }
            let words = fields.map { String(decoding: $0, as: UTF8.self) }
            stanzas.append(Stanza(type: words[0], arguments: Array(words.dropFirst()), body: try parseBody()))
        }
    }

    private func parseBody() throws -> [UInt8] {
        var text: [UInt8] = []
        while true {
            let bodyLine = try line()
            guard bodyLine.count <= 64 else { throw AgeError.header("a stanza body line is longer than 64 columns") }
            text += bodyLine
            if bodyLine.count < 64 { break }
        }
        return try Base64.decodeCanonicalUnpadded(String(decoding: text, as: UTF8.self))
    }

    private func parseMAC(_ line: [UInt8]) throws -> [UInt8] {
        guard line.count > 4, line[3] == 0x20 else { throw AgeError.header("the MAC line is malformed") }
        let mac = try Base64.decodeCanonicalUnpadded(String(decoding: line[4...], as: UTF8.self))
        guard mac.count == 32 else { throw AgeError.header("the header MAC has the wrong length") }
        return mac
    }
}
