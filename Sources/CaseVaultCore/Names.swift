/// The characters and lengths the vault accepts for names and ids. The same rules are CHECK constraints
/// in the schema; checking here first gives a friendlier error than the database would. Public so that
/// the CLI checks input with the very same rules before it opens a vault or asks for a passphrase.
public enum Names {
    static let memberRule =
        "Use 1 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."
    static let caseRule = "Use 1 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit."
    static let roleRule = "Use 1 to 32 characters: lower-case letters, digits or '-', starting with a letter."

    public static func checkMember(_ name: String) throws {
        guard
            matches(
                name, max: 64, first: isLowerAlnum, rest: { isLowerAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" })
        else { throw VaultError.invalidName(kind: "member name", value: name, rule: memberRule) }
    }

    public static func checkCase(_ id: String) throws {
        guard matches(id, max: 64, first: isAlnum, rest: { isAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" })
        else { throw VaultError.invalidName(kind: "case id", value: id, rule: caseRule) }
    }

    public static func checkRole(_ role: String) throws {
        guard matches(role, max: 32, first: { $0 >= "a" && $0 <= "z" }, rest: { isLowerAlnum($0) || $0 == "-" })
        else { throw VaultError.invalidName(kind: "role name", value: role, rule: roleRule) }
    }

    public static func isItemID(_ id: String) -> Bool {
        let u = Array(id.utf8)
        return u.count == 19 && id.hasPrefix("it_") && u[3...].allSatisfy { isHex(Character(UnicodeScalar($0))) }
    }

    private static func matches(
        _ s: String, max: Int, first: (Character) -> Bool, rest: (Character) -> Bool
    ) -> Bool {
        // Counting UTF-8 bytes rejects any non-ASCII character too, as the schema's GLOB does.
        guard let head = s.first, s.utf8.count <= max, s.utf8.count == s.count, s.allSatisfy(\.isASCII) else {
            return false
        }
        return first(head) && s.dropFirst().allSatisfy(rest)
    }

    private static func isLowerAlnum(_ c: Character) -> Bool { (c >= "a" && c <= "z") || (c >= "0" && c <= "9") }
    private static func isAlnum(_ c: Character) -> Bool { isLowerAlnum(c) || (c >= "A" && c <= "Z") }
    private static func isHex(_ c: Character) -> Bool { (c >= "0" && c <= "9") || (c >= "a" && c <= "f") }
}

/// Lower-case hexadecimal, the vault's text form of digests.
enum Hex {
    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var i = 0
        while i < u.count {
            guard let hi = value(u[i]), let lo = value(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
