@testable import CaseVaultCrypto

/// Decodes a test vector written in hex. Whitespace and newlines are ignored so long vectors can be wrapped;
/// anything else that is not a hex digit is a typo in the vector and stops the run.
func hex(_ s: String) -> [UInt8] {
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
    /// Lowercase hex, the form the RFCs print vectors in, so a failing `#expect` shows a readable diff.
    var hexString: String {
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

/// The UTF-8 bytes of an ASCII message from a vector ("abc", "Hi There").
func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A vector's key material in secret storage, the only form the crypto layer accepts keys in.
func secret(_ bytes: [UInt8]) -> SecureBytes { SecureBytes(copying: bytes) }

extension SecureBytes {
    /// The secret's bytes as hex, for comparing derived keys with vectors.
    var hexString: String { unsafeExportedBytes().hexString }
}

/// `bytes` with one bit flipped at `index`: the smallest change a forgery could make.
func flippingBit(_ bytes: [UInt8], at index: Int, bit: UInt8 = 0x01) -> [UInt8] {
    var copy = bytes
    copy[index] ^= bit
    return copy
}
