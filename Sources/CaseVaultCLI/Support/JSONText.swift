/// Pretty JSON written by hand, byte for byte as `Printer.json` writes it (Foundation's `JSONEncoder` with
/// pretty printing, sorted keys and unescaped slashes): two-space indents, `"key" : value`, and an empty
/// container as its brackets around a blank line.
///
/// For listings only, where the encoder's cost shows: a 10,000-item `list --json` spent most of its time in
/// `JSONEncoder`. The caller writes keys in sorted order itself. Tests compare the output with the
/// encoder's.
struct JSONText {
    private(set) var bytes: [UInt8] = []
    /// Per open container: whether it has no element yet.
    private var open: [Bool] = []
    /// A key was just written, so the next value goes on its line.
    private var afterKey = false

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func beginArray() { begin(UInt8(ascii: "[")) }
    mutating func endArray() { end(UInt8(ascii: "]")) }
    mutating func beginObject() { begin(UInt8(ascii: "{")) }
    mutating func endObject() { end(UInt8(ascii: "}")) }

    /// Starts an object member; its value follows.
    mutating func key(_ name: String) {
        startElement()
        appendQuoted(name)
        bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
        afterKey = true
    }

    mutating func value(_ text: String) {
        startElement()
        appendQuoted(text)
    }

    mutating func value(_ number: Int64) {
        startElement()
        bytes.append(contentsOf: String(number).utf8)
    }

    mutating func value(_ strings: [String]) {
        beginArray()
        for string in strings { value(string) }
        endArray()
    }

    /// A member whose value is a string, left out when `text` is nil (as `encodeIfPresent` does).
    mutating func member(_ name: String, _ text: String?) {
        guard let text else { return }
        key(name)
        value(text)
    }

    private mutating func begin(_ bracket: UInt8) {
        startElement()
        bytes.append(bracket)
        bytes.append(UInt8(ascii: "\n"))
        open.append(true)
    }

    private mutating func end(_ bracket: UInt8) {
        open.removeLast()
        bytes.append(UInt8(ascii: "\n"))
        indent()
        bytes.append(bracket)
    }

    /// The comma, newline and indent before an element, unless it is the value of the key just written.
    private mutating func startElement() {
        if afterKey {
            afterKey = false
            return
        }
        guard !open.isEmpty else { return }
        if open[open.count - 1] {
            open[open.count - 1] = false
        } else {
            bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: "\n")])
        }
        indent()
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * open.count))
    }

    /// `text` as a JSON string literal, escaped as `JSONEncoder` escapes it: `"` and `\`, the two-letter
    /// escapes for backspace, form feed, newline, carriage return and tab, `\u00xx` (lower-case hex) for the
    /// other control characters below U+0020; everything else, `/` and non-ASCII included, as it is.
    static func quoted(_ text: String) -> String {
        var json = JSONText()
        json.appendQuoted(text)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private mutating func appendQuoted(_ text: String) {
        var text = text
        bytes.append(UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape (nearly everything) are copied whole.
            var run = 0
            for (i, byte) in utf8.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                bytes.append(contentsOf: Self.escape(byte))
                run = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "\""): return Array(#"\""#.utf8)
        case UInt8(ascii: "\\"): return Array(#"\\"#.utf8)
        case 0x08: return Array(#"\b"#.utf8)
        case 0x0C: return Array(#"\f"#.utf8)
        case UInt8(ascii: "\n"): return Array(#"\n"#.utf8)
        case UInt8(ascii: "\r"): return Array(#"\r"#.utf8)
        case UInt8(ascii: "\t"): return Array(#"\t"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            return Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        }
    }
}
