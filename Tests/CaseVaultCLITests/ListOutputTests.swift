import CaseVaultCore
import Foundation
import Testing

@testable import CaseVaultCLI

/// `list` writes its table and its JSON by hand (a 10,000-item listing spent most of its time in
/// `JSONEncoder` and in per-row strings). These tests hold the hand-written output to what the general
/// code makes: `JSONEncoder` as `Printer.json` configures it, and the table algorithm it replaced.
@Suite("list output written by hand")
struct ListOutputTests {
    /// Strings that need escaping, or that must pass unescaped: every control character, quote, backslash,
    /// slash, DEL, non-ASCII letters, combining marks, emoji sequences, the JavaScript line separators.
    static let oddStrings: [String] =
        (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + [
            "", "\"", "\\", "/", "\u{7F}", "plain", "a\"b\\c/d\te\nf", "acta-2026/03.pdf", "Declaración.pdf",
            "e\u{301}", "日本語", "👩🏽‍⚖️ informe", "\u{2028}\u{2029}", "\u{FEFF}bom", "\"\"\"\\\\\\", "end\\",
            "\u{1B}[31mred\u{1B}[0m",
        ]

    static func encoderJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        // Exactly how Printer.json encodes, plus the newline Console.out adds.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
    }

    @Test("a string is escaped exactly as JSONEncoder escapes it", arguments: oddStrings)
    func escaping(text: String) throws {
        let expected = String(decoding: try Self.encoderJSON(text).dropLast(), as: UTF8.self)
        #expect(JSONText.quoted(text) == expected)
        // And it reads back as the same string.
        #expect(try JSONDecoder().decode(String.self, from: Data(JSONText.quoted(text).utf8)) == text)
    }

    /// Items with odd values in every string field, optional fields present and absent, and zero, one or
    /// several readers.
    static func items() throws -> [Item] {
        var objects: [[String: Any]] = []
        for (i, odd) in oddStrings.enumerated() {
            var object: [String: Any] = [
                "id": "it_\(i)\(odd)", "caseID": "C-\(odd)", "itemClass": ["evidence", "legal", "clinical"][i % 3],
                "size": [0, 18, Int(Int64.max)][i % 3], "sha256": "\(odd)\(i)",
                "object": String(repeating: "ab", count: 32),
                "readers": [[], ["lawyer"], ["lawyer", "mentor", odd]][i % 3],
                "createdAt": "2026-11-29T12:00:0\(i % 10)Z",
                "createdBy": "m\(odd)",
            ]
            if i % 2 == 0 { object["replaces"] = "it_\(odd)" }
            objects.append(object)
        }
        return try JSONDecoder().decode([Item].self, from: JSONSerialization.data(withJSONObject: objects))
    }

    private struct NamedItem: Encodable {
        let item: Item
        let filename: String?
    }

    @Test("list --json is byte for byte what JSONEncoder made of the items")
    func itemsJSON() throws {
        let items = try Self.items()
        #expect(ItemListJSON.render(items, names: nil) == (try Self.encoderJSON(items)))
        #expect(ItemListJSON.render([], names: nil) == (try Self.encoderJSON([Item]())))
    }

    @Test("list --names --json is byte for byte what JSONEncoder made of the items and their names")
    func namedItemsJSON() throws {
        let items = try Self.items()
        var names: [String: String?] = [:]
        for (i, item) in items.enumerated() where i % 4 != 3 {
            names[item.id] = i % 4 == 2 ? String?.none : Self.oddStrings[i]
        }
        let expected = try Self.encoderJSON(items.map { NamedItem(item: $0, filename: names[$0.id] ?? nil) })
        #expect(ItemListJSON.render(items, names: names) == expected)
    }

    /// The table algorithm `Printer.table` used before `TextTable`, kept here as the reference.
    static func referenceTable(_ header: [String], _ rows: [[String]]) -> [UInt8] {
        func width(_ cell: String) -> Int { cell.utf8.allSatisfy { $0 < 0x80 } ? cell.utf8.count : cell.count }
        var widths = header.map(width)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(cell)) }
        }
        var out: [UInt8] = []
        for cells in [header] + rows {
            for (i, cell) in cells.enumerated() {
                out.append(contentsOf: cell.utf8)
                if i < cells.count - 1 {
                    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: widths[i] + 2 - width(cell)))
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    @Test("a text table aligns as before, by characters, also with non-ASCII cells")
    func table() {
        let header = ["A", "WIDE HEADER", "É", "LAST"]
        let rows = [
            ["1", "x", "ééé", "tail"], ["22222", "", "👩🏽‍⚖️", "é"], ["e\u{301}", "日本語", "c", ""], ["", "", "", ""],
        ]
        var table = TextTable(header: header)
        for row in rows { for cell in row { table.add(cell) } }
        #expect(table.render() == Self.referenceTable(header, rows))
        #expect(TextTable(header: header).render() == Self.referenceTable(header, []))
    }

    @Test("the item table's short digest is 16 hex digits and an ellipsis, 17 characters wide")
    func shortDigest() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        let (cell, width) = ItemTable.shortDigest(hex)
        #expect(cell == "0123456789abcdef…")
        #expect(width == 17 && cell.count == 17)
        // Anything else is measured the slow way rather than assumed.
        #expect(ItemTable.shortDigest("ééééééééééééééééé").1 == nil)
        #expect(ItemTable.shortDigest("abc") == ("abc…", nil))
    }

    private struct NamedItemJSON: Decodable {
        let filename: String?
        let item: ItemJSON
    }

    @Test("list --names --json carries an odd file name through intact")
    func oddFileNameEndToEnd() throws {
        let team = try TeamVault()
        let name = "acta \"final\" \\ copia\t2 – Declaración 👩🏽‍⚖️.txt"
        let id = try team.add(name, "contenido ficticio\n")
        let listed = try team.cli.run(["list", TeamVault.caseID, "--names", "--json"], env: team.acting("lucia"))
        try expectSuccess(listed)
        let items = try decodeJSON([NamedItemJSON].self, listed.stdout)
        #expect(items.map(\.item.id) == [id])
        #expect(items.first?.filename == name)
        // A member who cannot read the item gets the record without a file name.
        let other = try team.cli.run(
            ["list", TeamVault.caseID, "--names", "--json"] + team.identity("sofia"), env: team.acting("sofia"))
        try expectSuccess(other)
        let unnamed = try decodeJSON([NamedItemJSON].self, other.stdout)
        #expect(unnamed.map(\.item.id) == [id])
        #expect(unnamed.first?.filename == nil)
        #expect(!other.stdout.contains("filename"))
    }
}
