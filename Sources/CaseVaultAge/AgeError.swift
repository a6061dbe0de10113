/// Why an age file could not be read or written. The classes match those of the age conformance suite
/// (C2SP CCTV), so a caller can tell a wrong key from a damaged file from a forged one.
public enum AgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header is malformed, uses an unsupported version, or a stanza is invalid for its type.
    case header(String)
    /// The header is well formed but no identity given could unwrap the file key.
    case noMatch(String)
    /// The header MAC does not verify: the header was altered or the file key is wrong.
    case hmac(String)
    /// The payload is damaged, truncated, extended or forged.
    case payload(String)
    /// The ASCII armor is malformed.
    case armor(String)
    /// A key, recipient or passphrase given by the caller is unusable.
    case invalidKey(String)

    /// The conformance-suite name of the class ("header failure", …).
    public var failureClass: String {
        switch self {
        case .header: "header failure"
        case .noMatch: "no match"
        case .hmac: "HMAC failure"
        case .payload: "payload failure"
        case .armor: "armor failure"
        case .invalidKey: "invalid key"
        }
    }

    public var detail: String {
        switch self {
        case .header(let s), .noMatch(let s), .hmac(let s), .payload(let s), .armor(let s),
            .invalidKey(let s):
            s
        }
    }

    public var description: String { "\(failureClass): \(detail)" }
}
