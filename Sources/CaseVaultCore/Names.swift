/// The characters and lengths the vault accepts for names and ids. The same rules are CHECK constraints
/// in the schema; checking here first gives a friendlier error than the database would. Public so that
/// the CLI checks input with the very same rules before it opens a vault or asks for a passphrase.
public enum Names {
    public static func checkMember(_ name: String) throws {
        guard
            matches(
                name, max: 64, first: isLowerAlnum, rest: { isLowerAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" })
        else { throw VaultError.invalidName(kind: .member, value: name) }
    }

    public static func checkCase(_ id: String) throws {
        guard matches(id, max: 64, first: isAlnum, rest: { isAlnum($0) || $0 == "." || $0 == "_" || $0 == "-" })
        else { throw VaultError.invalidName(kind: .caseID, value: id) }
    }

    public static func checkRole(_ role: String) throws {
        guard matches(role, max: 32, first: { $0 >= "a" && $0 <= "z" }, rest: { isLowerAlnum($0) || $0 == "-" })
        else { throw VaultError.invalidName(kind: .role, value: role) }
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

extension Names {
    /// A stored file name made safe to create in a folder: its last path component only, no control
    /// characters, no leading dots (no hidden files, no `..`). nil when nothing is left.
    public static func safeFileName(_ name: String) -> String? {
        let last = name.split(separator: "/").last.map(String.init) ?? ""
        let cleaned = String(
            last.unicodeScalars.filter { $0.properties.generalCategory != .control }.map(Character.init))
        let trimmed = cleaned.drop(while: { $0 == "." })
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// `name` shortened to at most `limit` bytes of UTF-8, keeping whole characters and its extension: the
    /// last one or two (`.pdf.age`) when together they take at most 16 bytes; and whether it was shortened.
    public static func fitFileName(_ name: String, limit: Int) -> (String, shortened: Bool) {
        guard name.utf8.count > limit else { return (name, false) }
        var stem = Substring(name)
        var ext = Substring("")
        let dots = name.indices.filter { name[$0] == "." && $0 != name.startIndex }.suffix(2)
        if let dot = dots.first(where: { name.utf8.distance(from: $0, to: name.endIndex) <= 16 }) {
            stem = name[..<dot]
            ext = name[dot...]
        }
        let room = max(1, limit - ext.utf8.count)
        var kept = ""
        for character in stem {
            if kept.utf8.count + String(character).utf8.count > room { break }
            kept.append(character)
        }
        return (kept + ext, true)
    }
}
