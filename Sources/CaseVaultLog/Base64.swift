/// Standard base64 (RFC 4648 §4) with padding, as every C2SP text format uses.
///
/// Decoding is strict: only the standard alphabet, a length that is a multiple of four, padding only at the
/// end, and zero bits in what padding discards. So each byte string has exactly one accepted text, and a
/// signed or hashed text cannot be varied without the change being seen.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i < input.count {
            let b0 = input[i]
            let b1 = i + 1 < input.count ? input[i + 1] : 0
            let b2 = i + 2 < input.count ? input[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < input.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < input.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text`, or nil unless it is canonical standard base64.
    static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { decode(ascii: $0) }
    }

    /// The same, from the text's bytes. It makes no allocation but the result's: an auditor's replay decodes
    /// a signature and a root per entry, 100,000 times.
    static func decode(ascii input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        let equals = UInt8(ascii: "=")
        let pad = input.count == 0 ? 0 : input[input.count - 1] != equals ? 0 : input[input.count - 2] == equals ? 2 : 1
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            let isLast = i + 4 == input.count
            let used = isLast ? 4 - pad : 4
            // Four 6-bit values; padding positions count as zero and are checked below.
            var quad: UInt32 = 0
            for j in 0..<4 {
                var v: UInt8 = 0
                if j < used {
                    v = values[Int(input[i + j])]
                    guard v != 0xFF else { return nil }
                }
                quad = quad << 6 | UInt32(v)
            }
            out.append(UInt8(truncatingIfNeeded: quad >> 16))
            switch used {
            case 4:
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
                out.append(UInt8(truncatingIfNeeded: quad))
            case 3:
                // The bits the padding discards must be zero, so each byte string has one text.
                guard quad & 0xFF == 0 else { return nil }
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
            default:
                guard quad & 0xFFFF == 0 else { return nil }
            }
            i += 4
        }
        return out
    }
}
