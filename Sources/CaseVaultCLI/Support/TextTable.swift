/// An aligned text table built straight into UTF-8 bytes: each column is as wide as its widest cell (in
/// characters), every cell but a row's last is followed by that width plus two spaces, and rows end in a
/// newline.
///
/// A listing can have 10,000 rows, so each cell is copied once into one flat buffer and measured once; no
/// array per row and no string per line is made, and the result is written with one call.
struct TextTable {
    private let columns: Int
    /// Every cell's bytes, row after row.
    private var text: [UInt8] = []
    /// Per cell: where its bytes end in `text`, and its width in characters.
    private var ends: [Int] = []
    private var cellWidths: [Int] = []
    private var widths: [Int]

    /// A table with `header` as its first row; `rows` (if known) reserves room for that many more.
    init(header: [String], rows: Int = 0) {
        precondition(!header.isEmpty, "a table needs at least one column")
        columns = header.count
        widths = Array(repeating: 0, count: header.count)
        let cells = (rows + 1) * header.count
        text.reserveCapacity(cells * 16)
        ends.reserveCapacity(cells)
        cellWidths.reserveCapacity(cells)
        for cell in header { add(cell) }
    }

    /// Appends the next cell, left to right and row by row. `width` is the cell's width in characters when
    /// the caller knows it (a fixed format that is not all ASCII), which spares counting characters.
    mutating func add(_ cell: String, width: Int? = nil) {
        var cell = cell
        let asciiCount = cell.withUTF8 { bytes -> Int? in
            text.append(contentsOf: bytes)
            return bytes.allSatisfy { $0 < 0x80 } ? bytes.count : nil
        }
        let cellWidth = width ?? asciiCount ?? cell.count
        let column = ends.count % columns
        ends.append(text.count)
        cellWidths.append(cellWidth)
        widths[column] = max(widths[column], cellWidth)
    }

    /// The table's bytes.
    func render() -> [UInt8] {
        precondition(ends.count % columns == 0, "a table row has fewer cells than the header")
        var out: [UInt8] = []
        out.reserveCapacity(text.count + ends.count * 4)
        var start = 0
        text.withUnsafeBufferPointer { text in
            for (index, end) in ends.enumerated() {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<end]))
                start = end
                let column = index % columns
                if column == columns - 1 {
                    out.append(UInt8(ascii: "\n"))
                } else {
                    out.append(
                        contentsOf: repeatElement(UInt8(ascii: " "), count: widths[column] + 2 - cellWidths[index]))
                }
            }
        }
        return out
    }
}
