import CaseVaultAge

/// One entry of a vault's signed log: what changed, who changed it, when, and against which state of the
/// log, as canonical text. The text is the body of a C2SP signed note that the author signs with their
/// Ed25519 key; the whole signed note is a leaf of the log's Merkle tree. Docs/FORMAT.md, "The signed log",
/// specifies it byte for byte.
///
/// ```
/// casevault/entry/v1
/// type item.add
/// vault 3f9a…(32 hex)
/// prev 41 <base64 of the 32-byte root of the first 41 entries>
/// time 2026-03-01T14:05:09Z
/// by lucia
/// item it_3f9a0c2d4e5b6a71
/// …
/// ```
public struct LogEntry: Sendable, Equatable {
    /// The first line of every entry: names the format and its version.
    public static let header = "casevault/entry/v1"

    public let type: EntryType
    /// The vault's id; nil only in the genesis entry, from which the id is derived.
    public let vault: String?
    /// The tree the author saw when they made the entry: its size and root hash.
    public let previousSize: Int
    public let previousRoot: [UInt8]
    /// ISO 8601, UTC, whole seconds, from the author's clock.
    public let time: String
    /// The author's member name (the signer of the note).
    public let author: String
    /// The type's own fields, in the order the type defines (`EntryType.fields`).
    public let fields: [(key: String, value: String)]

    public init(
        type: EntryType, vault: String?, previousSize: Int, previousRoot: [UInt8], time: String, author: String,
        fields: [(key: String, value: String)]
    ) {
        self.type = type
        self.vault = vault
        self.previousSize = previousSize
        self.previousRoot = previousRoot
        self.time = time
        self.author = author
        self.fields = fields
    }

    public static func == (a: LogEntry, b: LogEntry) -> Bool { a.body == b.body }

    /// The first value of field `key`, if present.
    public func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }

    /// Every value of field `key` (a field may repeat, as `role` in the genesis entry).
    public func values(_ key: String) -> [String] { fields.filter { $0.key == key }.map(\.value) }

    /// The canonical text: the signed note's body.
    public var body: String {
        var lines = [Self.header, "type \(type.rawValue)"]
        if let vault { lines.append("vault \(vault)") }
        lines.append("prev \(previousSize) \(Base64.encodePadded(previousRoot))")
        lines.append("time \(time)")
        lines.append("by \(author)")
        for field in fields { lines.append("\(field.key) \(field.value)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses a body strictly: every line `key value`, the fixed lines in their order, values of printable
    /// ASCII with single spaces, and nothing the format does not define.
    public static func parse(_ body: String) throws -> LogEntry {
        guard body.hasSuffix("\n") else { throw SignedLogError.malformedEntry("the body does not end with a newline") }
        var lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == header else { throw SignedLogError.malformedEntry("it does not start with \(header)") }
        lines.removeFirst()
        var pairs: [(key: String, value: String)] = []
        for line in lines {
            guard let space = line.firstIndex(of: " ") else {
                throw SignedLogError.malformedEntry("a line has no value")
            }
            let key = String(line[..<space])
            let value = String(line[line.index(after: space)...])
            guard isKey(key), isValue(value) else { throw SignedLogError.malformedEntry("a line is not canonical") }
            pairs.append((key, value))
        }
        func take(_ key: String) throws -> String {
            guard let first = pairs.first, first.key == key else {
                throw SignedLogError.malformedEntry("the \(key) line is missing or out of order")
            }
            pairs.removeFirst()
            return first.value
        }
        guard let type = EntryType(rawValue: try take("type")) else {
            throw SignedLogError.malformedEntry("the entry type is unknown")
        }
        let vault = type == .genesis ? nil : try take("vault")
        let prev = try take("prev").split(separator: " ")
        guard prev.count == 2, let size = Int(prev[0]), String(size) == prev[0], size >= 0,
            let root = try? Base64.decodePadded(prev[1]), root.count == 32
        else { throw SignedLogError.malformedEntry("the prev line is not a size and a 32-byte root") }
        let time = try take("time")
        let author = try take("by")
        let entry = LogEntry(
            type: type, vault: vault, previousSize: size, previousRoot: root, time: time, author: author,
            fields: pairs)
        try type.checkFields(entry)
        guard entry.body == body else { throw SignedLogError.malformedEntry("it is not in canonical form") }
        return entry
    }

    private static func isKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, first >= 0x61, first <= 0x7A else { return false }
        return key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    private static func isValue(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20 else { return false }
        for (i, byte) in bytes.enumerated() {
            guard byte >= 0x20, byte <= 0x7E else { return false }
            if byte == 0x20 && bytes[i - 1] == 0x20 { return false }
        }
        return true
    }
}
