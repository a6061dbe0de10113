import CaseVaultCore
import Foundation

/// Shared output formatting: JSON for scripts, aligned tables and labelled fields for people.
enum Printer {
    /// Prints `value` as pretty, key-sorted JSON on standard output.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        Console.out(String(decoding: data, as: UTF8.self))
    }

    /// Prints rows under a header, each column as wide as its widest cell (in characters).
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(width)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], width(cell))
            }
        }
        // The whole table is built as bytes and written once: a 10,000-item listing is otherwise dominated
        // by string appends and per-line writes.
        var out: [UInt8] = []
        func line(_ cells: [String]) {
            for (i, cell) in cells.enumerated() {
                out.append(contentsOf: cell.utf8)
                if i < cells.count - 1 {
                    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[i] + 2 - width(cell)))
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
        line(header)
        for row in rows { line(row) }
        Console.write(bytes: out)
    }

    /// A cell's width in characters; ASCII (nearly every cell) is counted by bytes, which is much cheaper
    /// than counting grapheme clusters.
    static func width(_ cell: String) -> Int {
        let bytes = cell.utf8
        return bytes.allSatisfy { $0 < 0x80 } ? bytes.count : cell.count
    }

    /// Prints `label: value` lines with the values aligned.
    static func fields(_ pairs: [(String, String)]) {
        let width = (pairs.map(\.0.count).max() ?? 0) + 2
        for (label, value) in pairs {
            Console.out((label + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value)
        }
    }

    /// Text that came from the vault, made safe for a terminal: control characters are shown escaped, so a
    /// stored title or file name cannot move the cursor or change colours.
    static func safe(_ text: String) -> String {
        text.unicodeScalars.map { scalar -> String in
            scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined()
    }

    /// 1536 → "1.5 KiB".
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    static func roles(_ roles: [String]) -> String {
        roles.isEmpty ? "-" : roles.joined(separator: ",")
    }
}
