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
    /// ASCII with single spaces, and nothing the format does not define. What it accepts is canonical by
    /// construction (`body` gives back the same bytes; `LogEntryParsingTests` checks this on mutated bodies):
    /// an auditor's replay parses 100,000 entries, so it reads bytes once and re-serializes nothing.
    public static func parse(_ body: String) throws -> LogEntry {
        var body = body
        return try body.withUTF8 { try parse(bytes: $0) }
    }

    /// The same, from the body's bytes.
    public static func parse(bytes body: UnsafeBufferPointer<UInt8>) throws -> LogEntry {
        guard body.last == 0x0A else { throw SignedLogError.malformedEntry("the body does not end with a newline") }
        var pairs: [(key: String, value: String)] = []
        pairs.reserveCapacity(16)
        var start = 0
        var first = true
        while start < body.count {
            var end = start
            while body[end] != 0x0A { end += 1 }
            let line = UnsafeBufferPointer(rebasing: body[start..<end])
            start = end + 1
            if first {
                guard line.elementsEqual(header.utf8) else {
                    throw SignedLogError.malformedEntry("it does not start with \(header)")
                }
                first = false
                continue
            }
            guard let space = line.firstIndex(of: 0x20) else {
                throw SignedLogError.malformedEntry("a line has no value")
            }
            let key = UnsafeBufferPointer(rebasing: line[..<space])
            let value = UnsafeBufferPointer(rebasing: line[(space + 1)...])
            guard isKey(key), isValue(value) else { throw SignedLogError.malformedEntry("a line is not canonical") }
            pairs.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        var next = 0
        func take(_ key: String) throws -> String {
            guard next < pairs.count, pairs[next].key == key else {
                throw SignedLogError.malformedEntry("the \(key) line is missing or out of order")
            }
            next += 1
            return pairs[next - 1].value
        }
        guard let type = EntryType(rawValue: try take("type")) else {
            throw SignedLogError.malformedEntry("the entry type is unknown")
        }
        let vault = type == .genesis ? nil : try take("vault")
        guard let (size, root) = parsePrevious(try take("prev")) else {
            throw SignedLogError.malformedEntry("the prev line is not a size and a 32-byte root")
        }
        let time = try take("time")
        let author = try take("by")
        let entry = LogEntry(
            type: type, vault: vault, previousSize: size, previousRoot: root, time: time, author: author,
            fields: Array(pairs[next...]))
        try type.checkFields(entry)
        return entry
    }

    /// `SIZE ROOT`: a canonical decimal (no sign, no leading zero) and canonical padded base64 of 32 bytes
    /// (the decoder accepts one text per byte string), so that the body is the one `body` writes.
    private static func parsePrevious(_ value: String) -> (Int, [UInt8])? {
        let utf8 = Array(value.utf8)
        guard let space = utf8.firstIndex(of: 0x20), space > 0, space <= 18 else { return nil }
        let digits = utf8[..<space]
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.first != 0x30 || digits.count == 1 else {
            return nil
        }
        let size = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard let root = try? Base64.decodePadded(ascii: utf8[(space + 1)...]), root.count == 32 else { return nil }
        return (size, root)
    }

    private static func isKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = key.first, first >= 0x61, first <= 0x7A else { return false }
        return key.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    private static func isValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20 else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            guard byte >= 0x20, byte <= 0x7E, !(byte == 0x20 && previous == 0x20) else { return false }
            previous = byte
        }
        return true
    }
}
