import CaseVaultIO
import Testing

@testable import CaseVaultAge

/// Hands out at most `step` bytes per read, so lines straddle the reader's refills.
private final class TrickleSource: ByteSource {
    private let bytes: [UInt8]
    private let step: Int
    private var offset = 0

    init(_ bytes: [UInt8], step: Int) {
        self.bytes = bytes
        self.step = step
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(step, buffer.count, bytes.count - offset)
        if n == 0 { return 0 }
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
        offset += n
        return n
    }
}

/// Reads `source` to its end with a caller buffer of `chunk` bytes.
private func readAll(_ source: some ByteSource, chunk: Int = 64 * 1024) throws -> [UInt8] {
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { return output }
        output += buffer[..<n]
    }
}

private func dearmor(_ text: [UInt8], chunk: Int = 64 * 1024, step: Int = .max) throws -> [UInt8] {
    try readAll(ArmoredReader(source: TrickleSource(text, step: step)), chunk: chunk)
}

private func dearmor(_ text: String) throws -> [UInt8] {
    try dearmor(Array(text.utf8))
}

/// Armors `data`, handing it to the writer in pieces of `piece` bytes.
private func armor(_ data: [UInt8], piece: Int = .max) throws -> [UInt8] {
    let sink = MemorySink()
    let writer = ArmoredWriter(sink: sink)
    var offset = 0
    while offset < data.count {
        let end = offset + min(piece, data.count - offset)
        try writer.write(Array(data[offset..<end]))
        offset = end
    }
    try writer.finish()
    return sink.bytes
}

/// The ways the conformance vectors are read: one large read, then small caller buffers over a source that
/// returns a few bytes at a time (line and buffer boundaries must not matter).
private let readStrategies: [(chunk: Int, step: Int)] = [(64 * 1024, .max), (1, 1), (7, 5), (48, 13), (100, 64 * 1024)]

@Suite("Armor conformance (C2SP CCTV)")
struct ArmorVectorTests {
    /// The armor vectors in scope: all `armor_*` files except the post-quantum one (armor_hybrid).
    static let names = (TestVectors.ageVectorNames(prefix: "armor_") ?? []).filter { name in
        guard let vector = try? TestVectors.load(name) else { return true }  // a broken file must fail, not vanish
        return !vector.isPostQuantum
    }

    @Test(
        "All 32 in-scope armor vectors are present",
        .enabled(if: TestVectors.ageDirectory != nil, "\(TestVectors.missingMessage)")
    )
    func inventory() {
        #expect(Self.names.count == 32)
        #expect(Self.names.contains("armor_whitespace_outside") && Self.names.contains("armor_empty_last_line"))
    }

    @Test(
        "Dearmoring fails exactly when the vector expects an armor failure",
        .enabled(if: TestVectors.ageDirectory != nil, "\(TestVectors.missingMessage)"),
        arguments: names
    )
    func vector(name: String) throws {
        let vector = try TestVectors.load(name)
        let expect = try #require(vector.values("expect").first)
        #expect(vector.values("armored") == ["yes"])
        for (chunk, step) in readStrategies {
            if expect == "armor failure" {
                let error = #expect(throws: AgeError.self, "chunk \(chunk), step \(step)") {
                    try dearmor(vector.body, chunk: chunk, step: step)
                }
                #expect(error?.failureClass == "armor failure", "\(String(describing: error))")
                continue
            }
            // Any other outcome is decided after dearmoring, by the header and payload layers.
            let output = try dearmor(vector.body, chunk: chunk, step: step)
            if expect == "header failure" {
                // armor_empty holds nothing; armor_header_crlf holds a header with CRLF line endings.
                #expect(output.isEmpty || output.starts(with: "age-encryption.org/v1".utf8))
            } else {
                #expect(output.starts(with: "age-encryption.org/v1\n".utf8), "chunk \(chunk), step \(step)")
            }
        }
    }

    /// Vectors produced by age's own writer in canonical form (LF, no surrounding whitespace).
    @Test(
        "Re-armoring a canonical vector reproduces it byte for byte",
        .enabled(if: TestVectors.ageDirectory != nil, "\(TestVectors.missingMessage)"),
        arguments: ["armor_x25519", "armor_full_last_line", "armor_no_match", "armor_scrypt", "armor_empty"]
    )
    func reArmor(name: String) throws {
        let body = try TestVectors.load(name).body
        #expect(try armor(dearmor(body)) == body)
    }
}

@Suite("Armor")
struct ArmorTests {
    static let sizes = [0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 48 * 10 - 1, 48 * 10, 48 * 10 + 1, 100 * 1024]

    @Test("Round trip: lines are 64 columns, the last one shorter or equal", arguments: sizes)
    func roundTrip(size: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<size).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = try armor(data)

        #expect(text.last == UInt8(ascii: "\n"))
        let lines = text.dropLast().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.first.map(Array.init) == Array(Armor.beginLine.utf8))
        #expect(lines.last.map(Array.init) == Array(Armor.endLine.utf8))
        let body = lines.dropFirst().dropLast()
        #expect(body.count == (size + 47) / 48)
        #expect(body.dropLast().allSatisfy { $0.count == 64 })
        if let last = body.last { #expect((1...64).contains(last.count)) }
        #expect(Array(body.joined()) == Array(Base64.encodePadded(data).utf8))

        #expect(try dearmor(text) == data)
        #expect(try dearmor(text, chunk: 5, step: 3) == data)
        // Feeding the writer in odd pieces must not change the output.
        for piece in [1, 7, 47, 48, 49, 1000] where size <= 5000 || piece >= 47 {
            #expect(try armor(data, piece: piece) == text, "piece \(piece)")
        }
    }

    @Test("An empty file is the begin line and the end line")
    func emptyFile() throws {
        #expect(try armor([]) == Array("\(Armor.beginLine)\n\(Armor.endLine)\n".utf8))
        #expect(try dearmor("\(Armor.beginLine)\n\(Armor.endLine)\n").isEmpty)
    }

    static let foo = "\(Armor.beginLine)\nZm9v\n\(Armor.endLine)\n"

    @Test("Every last-line length is found at every alignment of the line scan")
    func lineScanAlignment() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 1...50 {
            let data = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let text = try armor(data)
            // Leading blank lines shift every line ending against the reader's eight-byte words.
            for shift in 0..<9 {
                let shifted = [UInt8](repeating: UInt8(ascii: "\n"), count: shift) + text
                #expect(try dearmor(shifted) == data, "length \(length), shift \(shift)")
            }
        }
    }

    @Test("Whitespace around the block: up to 1024 bytes before, under 1024 after")
    func surroundingWhitespace() throws {
        let before = String(repeating: " ", count: 1023) + "\n"
        #expect(try dearmor(before + Self.foo) == Array("foo".utf8))
        #expect(throws: AgeError.self) { try dearmor(" " + before + Self.foo) }
        #expect(try dearmor(Self.foo + String(repeating: "\r\n", count: 511) + " ") == Array("foo".utf8))
        #expect(throws: AgeError.self) { try dearmor(Self.foo + String(repeating: "\n", count: 1024)) }
        #expect(throws: AgeError.self) { try dearmor(Self.foo + "\n\u{0}") }
    }

    @Test("CR before LF is accepted on any line, as age does; a lone CR is not a line ending")
    func carriageReturns() throws {
        #expect(try dearmor("\(Armor.beginLine)\r\nZm9v\n\(Armor.endLine)\r\n") == Array("foo".utf8))
        #expect(try dearmor("\(Armor.beginLine)\nZm9v\n\(Armor.endLine)\r") == Array("foo".utf8))
        #expect(throws: AgeError.self) { try dearmor("\(Armor.beginLine)\rZm9v\n\(Armor.endLine)\n") }
        #expect(throws: AgeError.self) { try dearmor("\(Armor.beginLine)\nZm9v\r\r\n\(Armor.endLine)\n") }
    }

    /// A malformed input beyond the conformance vectors, shown in test output by the reason it must fail.
    struct Malformed: CustomTestStringConvertible, Sendable {
        let text: String
        let reason: String
        var testDescription: String { reason }

        init(_ text: String, _ reason: String) {
            self.text = text
            self.reason = reason
        }
    }

    static let malformed: [Malformed] = [
        .init("", "empty input"),
        .init("\n \n", "whitespace only"),
        .init(Armor.beginLine, "no end line"),
        .init("\(Armor.beginLine)\n\(String(repeating: "A", count: 64))\n", "full line then EOF"),
        .init("\(Armor.beginLine)\n\(String(repeating: "A", count: 68))\n\(Armor.endLine)\n", "line of 68 columns"),
        .init("\(Armor.beginLine)\n\(String(repeating: "A", count: 60))AA==\nAAAA\n\(Armor.endLine)\n", "padded line"),
        .init("\(Armor.beginLine)\nZm9v\nZm9v\n\(Armor.endLine)\n", "short line in the middle"),
        .init("\(Armor.beginLine)\nZm9v\n\(Armor.endLine)x\n", "end line with a suffix"),
        .init("\(Armor.beginLine)\nZm9v\n\(Armor.endLine)\n\(Armor.beginLine)\nZm9v\n\(Armor.endLine)\n", "two blocks"),
        .init("\(String(repeating: " ", count: 5000))\(Armor.beginLine)\nZm9v\n\(Armor.endLine)\n", "long first line"),
    ]

    @Test("Malformed armor throws an armor failure", arguments: malformed)
    func rejects(input: Malformed) {
        let error = #expect(throws: AgeError.self, "\(input.reason)") { try dearmor(input.text) }
        #expect(error?.failureClass == "armor failure", "\(input.reason)")
    }

    @Test("A huge line without a line feed fails without being buffered")
    func hugeLine() {
        let text = Array("\(Armor.beginLine)\n".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 8 << 20)
        #expect(throws: AgeError.armor("line 2 is longer than 64 columns")) { try dearmor(text) }
    }

    @Test("Bytes decoded before an error are returned first; the error then repeats")
    func deferredError() throws {
        let line = String(repeating: "A", count: 64)
        let text = Array("\(Armor.beginLine)\n\(line)\n\(Armor.endLine)\ngarbage\n".utf8)
        let reader = ArmoredReader(source: MemorySource(text))
        var buffer = [UInt8](repeating: 0xFF, count: 4096)
        #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == 48)
        #expect(buffer.prefix(48).allSatisfy { $0 == 0 })
        for _ in 0..<2 {
            #expect(throws: AgeError.armor("there is data after the line \(Armor.endLine)")) {
                try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            }
        }
    }

    @Test("The writer refuses use after finish()")
    func writerFinish() throws {
        let writer = ArmoredWriter(sink: MemorySink())
        try writer.write([1, 2, 3])
        try writer.finish()
        #expect(throws: AgeError.self) { try writer.finish() }
        #expect(throws: AgeError.self) { try writer.write([4]) }
    }
}
