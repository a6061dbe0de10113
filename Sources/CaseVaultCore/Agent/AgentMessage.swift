import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

/// One message of the unlock agent's protocol, and of the hand-over of keys to a new agent:
///
///     frame   = length(u32, big-endian) kind(u8) field*
///     field   = length(u32, big-endian) bytes
///
/// Requests carry an operation as their kind, replies a status. Fields are opaque bytes; the ones that
/// hold secrets (a file key, the member key text) are read straight into `SecureBytes`, and every
/// message buffer is wiped when it goes away.
final class AgentMessage {
    /// Frames are small: a few stanzas, a message to sign, or one member key file.
    static let maximumSize = 64 * 1024

    enum Operation: UInt8 {
        case identify = 1
        case unwrap = 2
        case sign = 3
        case lock = 4
        // 5 made, signed and chained a run of log entries; since runs are stored unsigned under one
        // `run.seal` (signed with `sign`), it is unused, and refused as an unknown request.
        /// Not sent over the socket: the parent process's hand-over of keys to the agent it started.
        case handoff = 0x48
    }

    enum Status: UInt8 {
        case ok = 0
        case noMatch = 1
        case refused = 2
    }

    private(set) var kind: UInt8
    private var bytes: [UInt8]
    private var fieldRanges: [Range<Int>] = []

    init(kind: UInt8) {
        self.kind = kind
        bytes = [kind]
    }

    convenience init(_ operation: Operation) { self.init(kind: operation.rawValue) }
    convenience init(_ status: Status) { self.init(kind: status.rawValue) }

    deinit { ConstantTime.wipe(&bytes) }

    // MARK: Writing

    @discardableResult
    func append(_ field: UnsafeRawBufferPointer) -> AgentMessage {
        withUnsafeBytes(of: UInt32(field.count).bigEndian) { bytes += $0 }
        let start = bytes.count
        bytes += field
        fieldRanges.append(start..<bytes.count)
        return self
    }

    @discardableResult
    func append(_ field: [UInt8]) -> AgentMessage { field.withUnsafeBytes { append($0) } }

    @discardableResult
    func append(_ text: String) -> AgentMessage { append(Array(text.utf8)) }

    @discardableResult
    func append(secret: SecureBytes) -> AgentMessage { secret.withUnsafeBytes { append($0) } }

    // MARK: Reading

    var fieldCount: Int { fieldRanges.count }

    func field(_ index: Int) throws -> [UInt8] {
        guard index < fieldRanges.count else { throw Self.malformed }
        return Array(bytes[fieldRanges[index]])
    }

    func string(_ index: Int) throws -> String {
        guard let text = String(validating: try field(index), as: UTF8.self) else { throw Self.malformed }
        return text
    }

    func secret(_ index: Int) throws -> SecureBytes {
        guard index < fieldRanges.count else { throw Self.malformed }
        return SecureBytes(copying: bytes[fieldRanges[index]])
    }

    static let malformed = VaultError.agentUnavailable(.malformedMessage)

    /// Parses a frame's body (kind and fields); throws on anything that is not exactly that.
    private init(body: [UInt8]) throws {
        guard let first = body.first else { throw Self.malformed }
        kind = first
        bytes = body
        var offset = 1
        while offset < body.count {
            guard body.count - offset >= 4 else { throw Self.malformed }
            let length = body[offset..<offset + 4].reduce(0) { Int($0) << 8 | Int($1) }
            offset += 4
            guard length <= body.count - offset else { throw Self.malformed }
            fieldRanges.append(offset..<offset + length)
            offset += length
        }
    }

    // MARK: Framing

    /// Writes the frame to a socket, or to the pipe of the key hand-over.
    func send(over sink: ByteSink) throws {
        var frame = [UInt8]()
        frame.reserveCapacity(bytes.count + 4)
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { frame += $0 }
        frame += bytes
        defer { ConstantTime.wipe(&frame) }
        try frame.withUnsafeBytes { try sink.write($0) }
    }

    /// Reads one frame from a socket or a pipe; nil when the other side closed before sending anything.
    static func receive(from source: ByteSource) throws -> AgentMessage? {
        var header = [UInt8](repeating: 0, count: 4)
        let headerCount = try header.withUnsafeMutableBytes { try source.readFully(into: $0) }
        if headerCount == 0 { return nil }
        guard headerCount == 4 else { throw malformed }
        let length = header.reduce(0) { Int($0) << 8 | Int($1) }
        guard (1...maximumSize).contains(length) else { throw malformed }
        var body = [UInt8](repeating: 0, count: length)
        defer { ConstantTime.wipe(&body) }
        guard try body.withUnsafeMutableBytes({ try source.readFully(into: $0) }) == length else { throw malformed }
        return try AgentMessage(body: body)
    }
}
