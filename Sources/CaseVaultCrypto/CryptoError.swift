internal import COpenSSL

/// A failure inside the crypto layer: which operation failed, a code that says why (compared by callers
/// and tests), and OpenSSL's own error codes when it had something to say (drained from its queue, so the
/// next call starts clean). Text is made only when asked for, in `description`.
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// OpenSSL reported the failure; `openSSLCodes` holds its error queue.
        case openSSL
        case wrongKeyLength(expected: Int, actual: Int)
        case wrongNonceLength(expected: Int, actual: Int)
        case messageTooLong
        /// A parameter (an output length, a work factor) lies outside what is allowed.
        case outOfRange(value: Int, allowed: ClosedRange<Int>)
        case unsupportedParameters(String)
        /// X25519 with a peer key of small order: the shared secret would be all zeros.
        case smallOrderPoint
        case unexpectedOutputLength
    }

    /// What was being done ("X25519 key agreement"): a fixed label of the operation.
    public let operation: String
    public let code: Code
    /// OpenSSL's packed error codes (`ERR_get_error`), oldest first.
    public let openSSLCodes: [UInt]

    public init(operation: String, code: Code, openSSLCodes: [UInt] = []) {
        self.operation = operation
        self.code = code
        self.openSSLCodes = openSSLCodes
    }

    /// OpenSSL's text for each of its codes.
    public var openSSLReasons: [String] {
        openSSLCodes.map { code in
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    public var description: String {
        var reasons: [String] = []
        switch code {
        case .openSSL: break
        case .wrongKeyLength(let expected, let actual): reasons.append("expected a \(expected)-byte key, got \(actual)")
        case .wrongNonceLength(let expected, let actual):
            reasons.append("expected a \(expected)-byte nonce, got \(actual)")
        case .messageTooLong: reasons.append("message too long")
        case .outOfRange(let value, let allowed):
            reasons.append("\(value) is outside \(allowed.lowerBound)...\(allowed.upperBound)")
        case .unsupportedParameters(let which): reasons.append("\(which) are outside the supported range")
        case .smallOrderPoint: reasons.append("the peer's public key has small order (all-zero shared secret)")
        case .unexpectedOutputLength: reasons.append("unexpected output length")
        }
        reasons += openSSLReasons
        return reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
    }

    /// An error for `operation` carrying the whole OpenSSL error queue, which is emptied.
    static func openSSL(_ operation: String) -> CryptoError {
        CryptoError(operation: operation, code: .openSSL, openSSLCodes: drainErrorQueue())
    }

    /// An error of our own finding (bad length, rejected input); the OpenSSL queue is cleared too.
    static func rejected(_ operation: String, _ code: Code) -> CryptoError {
        drainErrorQueue()
        return CryptoError(operation: operation, code: code)
    }

    /// Empties OpenSSL's error queue of this thread and returns its codes, oldest first.
    @discardableResult
    public static func drainErrorQueue() -> [UInt] {
        var codes: [UInt] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            codes.append(code)
        }
        return codes
    }
}

/// Checks an OpenSSL return code: 1 is success, anything else throws with the drained error queue.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
    if result != 1 { throw CryptoError.openSSL(operation()) }
}
