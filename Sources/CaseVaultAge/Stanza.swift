/// One recipient stanza of an age header: `-> TYPE ARG…` followed by a base64 body. For CaseVault, a
/// role's key envelope is exactly one X25519 stanza.
public struct Stanza: Equatable, Sendable {
    public var type: String
    public var arguments: [String]
    public var body: [UInt8]

    public init(type: String, arguments: [String], body: [UInt8]) {
        self.type = type
        self.arguments = arguments
        self.body = body
    }

    /// The stanza's canonical encoding: the argument line, then the body in 64-column base64 lines, always
    /// ending with a line shorter than 64 columns (empty if the body's encoding is a multiple of 64).
    public func encoded() -> [UInt8] {
        var out = Array("-> ".utf8)
        out += Array(([type] + arguments).joined(separator: " ").utf8)
        out.append(0x0A)
        let text = Array(Base64.encodeUnpadded(body).utf8)
        var offset = 0
        while true {
            let end = min(offset + 64, text.count)
            out += text[offset..<end]
            out.append(0x0A)
            if end - offset < 64 { break }
            offset = end
        }
        return out
    }

    /// Arguments must be non-empty runs of visible ASCII (VCHAR, 0x21–0x7E).
    static func isValidArgument<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
