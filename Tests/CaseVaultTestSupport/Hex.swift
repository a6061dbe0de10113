/// Decodes hex as test vectors print it. Whitespace and newlines are ignored so long vectors can be wrapped;
/// anything else that is not a hex digit is a typo in the vector and stops the run.
public func hex(_ s: String) -> [UInt8] {
    let digits = s.utf8.filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 }
    precondition(digits.count % 2 == 0, "hex vector has an odd number of digits")
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: preconditionFailure("not a hex digit: \(c)")
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var i = 0
    while i < digits.count {
        out.append(nibble(digits[i]) << 4 | nibble(digits[i + 1]))
        i += 2
    }
    return out
}

extension Array where Element == UInt8 {
    /// Lowercase hex, the form the RFCs and `sha256sum` print, so a failing `#expect` shows a readable diff.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
