/// Free text of a person in a signed entry (a full name, a position, an institution: `member.profile`, an
/// external `custody.transfer`), which may be any UTF-8 ("Fiscalía Departamental") while an entry's values are
/// printable ASCII. Docs/FORMAT.md, "Member profiles", specifies the encoding: the text's UTF-8 bytes, each
/// byte outside 0x21–0x7E and every `%` written as `%XX` (uppercase hex), except a single space between two
/// other characters, which stays a space. It is canonical: one text, one encoding, so a verifier compares the
/// entry's bytes, and a changed letter changes the signed bytes.
public enum ProfileText {
    /// The longest text accepted, in UTF-8 bytes (a name, a position, an institution).
    public static let maxBytes = 200

    /// The encoded form of `text`, or nil when it is empty, longer than `maxBytes`, has a control character,
    /// or has a space at either end or two in a row (say it once; the entry must be canonical).
    public static func encode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maxBytes, bytes.first != 0x20, bytes.last != 0x20 else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        var out = ""
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x20 {
                guard previous != 0x20 else { return nil }
                out.append(" ")
            } else if byte > 0x20, byte < 0x7F, byte != 0x25 {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(Self.hexDigits[Int(byte >> 4)]) + String(Self.hexDigits[Int(byte & 0x0F)])
            }
            previous = byte
        }
        return out
    }

    /// The text an encoded value stands for, or nil when the value is not the canonical encoding of a text
    /// `encode` accepts.
    public static func decode(_ value: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = value.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == 0x25 else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(Self.nibble), let low = utf8.next().flatMap(Self.nibble) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        guard let text = String(validating: bytes, as: UTF8.self), encode(text) == value else { return nil }
        return text
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
