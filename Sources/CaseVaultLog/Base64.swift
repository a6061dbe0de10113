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
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            let isLast = i + 4 == input.count
            let pad = isLast ? (input[i + 3] == UInt8(ascii: "=") ? (input[i + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            var quad: [UInt8] = []
            for j in 0..<(4 - pad) {
                let v = values[Int(input[i + j])]
                guard v != 0xFF else { return nil }
                quad.append(v)
            }
            switch pad {
            case 0:
                out.append(quad[0] << 2 | quad[1] >> 4)
                out.append((quad[1] & 0x0F) << 4 | quad[2] >> 2)
                out.append((quad[2] & 0x03) << 6 | quad[3])
            case 1:
                guard quad[2] & 0x03 == 0 else { return nil }
                out.append(quad[0] << 2 | quad[1] >> 4)
                out.append((quad[1] & 0x0F) << 4 | quad[2] >> 2)
            default:
                guard quad[1] & 0x0F == 0 else { return nil }
                out.append(quad[0] << 2 | quad[1] >> 4)
            }
            i += 4
        }
        return out
    }
}
