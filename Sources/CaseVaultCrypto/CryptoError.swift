internal import COpenSSL

/// A failure inside the crypto layer: which operation failed and, when OpenSSL had something to say,
/// every entry of its error queue (drained, so the next call starts clean).
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What we were doing, in words ("X25519 key agreement").
    public let operation: String
    /// Why, in words: our own reason or OpenSSL's error strings, oldest first.
    public let reasons: [String]

    public init(operation: String, reasons: [String]) {
        self.operation = operation
        self.reasons = reasons
    }

    public var description: String {
        reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
    }

    /// An error for `operation` carrying the whole OpenSSL error queue, which is emptied.
    static func openSSL(_ operation: String) -> CryptoError {
        CryptoError(operation: operation, reasons: drainErrorQueue())
    }

    /// An error of our own making (bad length, rejected input); the OpenSSL queue is cleared too.
    static func rejected(_ operation: String, _ reason: String) -> CryptoError {
        _ = drainErrorQueue()
        return CryptoError(operation: operation, reasons: [reason])
    }

    static func drainErrorQueue() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            reasons.append(text)
        }
        return reasons
    }
}

/// Checks an OpenSSL return code: 1 is success, anything else throws with the drained error queue.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
    if result != 1 { throw CryptoError.openSSL(operation()) }
}
