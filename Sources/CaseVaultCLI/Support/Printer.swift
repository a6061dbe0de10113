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

    /// Prints rows under a header, each column as wide as its widest cell (in characters). Every row has one
    /// cell per header column.
    static func table(_ header: [String], _ rows: [[String]]) {
        var table = TextTable(header: header, rows: rows.count)
        for row in rows {
            precondition(row.count == header.count, "a table row needs one cell per column")
            for cell in row { table.add(cell) }
        }
        Console.write(bytes: table.render())
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
