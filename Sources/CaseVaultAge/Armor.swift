import CaseVaultCrypto
import CaseVaultIO

/// The age ASCII armor: strict PEM with type "AGE ENCRYPTED FILE", no headers, canonical padded base64 in lines
/// of exactly 64 columns except a shorter (non-empty) last one, and LF line endings.
///
/// The decoder is as strict as the C2SP CCTV conformance vectors require, which is slightly stricter than the
/// age 1.1.1 CLI: a line after a full 64-column line may not be empty. Like age's Go implementation it accepts
/// CRLF line endings, up to 1 KiB of whitespace before the begin line and less than 1 KiB after the end line;
/// anything else around the armored block is an error, so nothing can be smuggled alongside a file.
public enum Armor {
    /// The first line of an armored age file.
    public static let beginLine = "-----BEGIN AGE ENCRYPTED FILE-----"
    /// The last line of an armored age file.
    public static let endLine = "-----END AGE ENCRYPTED FILE-----"

    static let columnsPerLine = 64
    static let bytesPerLine = 48
    /// How much whitespace may surround the armored block, as in age's Go implementation.
    static let maxWhitespace = 1024

    static let beginBytes = Array(beginLine.utf8)
    static let endBytes = Array(endLine.utf8)

    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// Whitespace as Go's `bytes.TrimSpace` sees it, restricted to ASCII (space, \t, \n, \v, \f, \r).
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}

/// Decodes an armored age file as a stream: memory use is constant whatever the file size.
///
/// Every deviation from the format throws `AgeError.armor`, including data after the end line. Errors from the
/// underlying source are passed through unchanged. When an error is found after some bytes of the current
/// `read(into:)` were decoded, those bytes are returned first and the error is thrown by the next call; once
/// thrown, every later call throws it again.
public final class ArmoredReader: ByteSource {
    private enum State {
        case beforeBegin
        case body
        case finished
        case failed(any Error)
    }

    private enum Line {
        case line(Range<Int>)
        case tooLong
        case endOfInput
    }

    private static let inputCapacity = 64 * 1024

    private let source: any ByteSource
    private var state = State.beforeBegin
    /// Armored text read ahead from `source`; lines are decoded in place.
    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var sourceEnded = false
    /// The decoded bytes of a line that did not fit in the caller's buffer.
    private let pending: UnsafeMutablePointer<UInt8>
    private var pendingStart = 0
    private var pendingEnd = 0
    /// 1-based number of the last line read, for error messages.
    private var lineNumber = 0

    /// Creates a reader that decodes the armored age file in `source`.
    public init(source: any ByteSource) {
        self.source = source
        input = .allocate(byteCount: Self.inputCapacity, alignment: 1)
        pending = .allocate(capacity: Armor.bytesPerLine)
    }

    deinit {
        input.deallocate()
        pending.deallocate()
    }

    /// Reads decoded bytes; returns 0 only after the end line and the trailing whitespace were verified.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        while produced < buffer.count {
            if pendingStart < pendingEnd {
                let n = min(pendingEnd - pendingStart, buffer.count - produced)
                (buffer.baseAddress! + produced).copyMemory(from: pending + pendingStart, byteCount: n)
                pendingStart += n
                produced += n
                continue
            }
            switch state {
            case .finished:
                return produced
            case .failed(let error):
                if produced > 0 { return produced }
                throw error
            case .beforeBegin, .body:
                do {
                    produced += try decodeNextLine(into: buffer, at: produced)
                } catch {
                    state = .failed(error)
                    if produced == 0 { throw error }
                }
            }
        }
        return produced
    }

    /// Decodes one line, straight into `buffer` when a whole line fits, else into `pending`.
    /// - Returns: the number of bytes written to `buffer`.
    private func decodeNextLine(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        if case .beforeBegin = state {
            try readBeginLine()
            state = .body
        }
        let range: Range<Int>
        switch try nextLine(limit: Armor.columnsPerLine) {
        case .endOfInput: throw AgeError.armor("the file ends without the line \(Armor.endLine)")
        case .tooLong: throw AgeError.armor("line \(lineNumber) is longer than \(Armor.columnsPerLine) columns")
        case .line(let line): range = line
        }
        if matches(range, Armor.endBytes) {
            try checkTrailingWhitespace()
            state = .finished
            return 0
        }
        // Go's decoder reads an empty line as a zero-length last line; the conformance vectors reject it.
        guard !range.isEmpty else { throw AgeError.armor("line \(lineNumber) is empty") }

        let direct = buffer.count - offset >= Armor.bytesPerLine
        let target = direct ? buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset : pending
        let count: Int
        do {
            let line = UnsafeRawBufferPointer(rebasing: input[range])
            count = try CanonicalBase64.decode(line, padded: true, into: target)
        } catch {
            throw AgeError.armor("line \(lineNumber) is not canonical padded base64: \(error.message)")
        }

        if count < Armor.bytesPerLine {
            // Only the last line may be short, so the end line must follow it immediately.
            let shortLine = lineNumber
            switch try nextLine(limit: Armor.endBytes.count) {
            case .line(let next) where matches(next, Armor.endBytes):
                break
            case .endOfInput:
                throw AgeError.armor("the file ends without the line \(Armor.endLine)")
            case .line, .tooLong:
                throw AgeError.armor("line \(shortLine) is shorter than 64 columns but the end line does not follow it")
            }
            try checkTrailingWhitespace()
            state = .finished
        }
        if direct { return count }
        pendingStart = 0
        pendingEnd = count
        return 0
    }

    /// Skips the whitespace that may precede the armor and checks the begin line.
    private func readBeginLine() throws {
        var skipped = 0
        while true {
            guard case .line(let range) = try nextLine(limit: Armor.maxWhitespace) else {
                throw AgeError.armor("the input does not start with the line \(Armor.beginLine)")
            }
            if input[range].allSatisfy(Armor.isWhitespace) {
                skipped += range.count + 1
                guard skipped <= Armor.maxWhitespace else {
                    throw AgeError.armor("more than \(Armor.maxWhitespace) bytes of whitespace before the armor")
                }
                continue
            }
            guard matches(range, Armor.beginBytes) else {
                throw AgeError.armor("line \(lineNumber) should be \(Armor.beginLine)")
            }
            return
        }
    }

    /// Checks that only a little whitespace follows the end line, reading the source to its end.
    private func checkTrailingWhitespace() throws {
        var seen = 0
        while true {
            guard input[inputStart..<inputEnd].allSatisfy(Armor.isWhitespace) else {
                throw AgeError.armor("there is data after the line \(Armor.endLine)")
            }
            seen += inputEnd - inputStart
            inputStart = inputEnd
            guard seen < Armor.maxWhitespace else {
                throw AgeError.armor("there are \(Armor.maxWhitespace) or more bytes of whitespace after the armor")
            }
            if sourceEnded { return }
            try refill()
        }
    }

    /// Returns the next line without its LF or CRLF ending. A last line may lack the ending.
    /// Never buffers more than `limit` + 2 bytes of one line, so a hostile input cannot grow memory.
    private func nextLine(limit: Int) throws -> Line {
        while true {
            let available = inputEnd - inputStart
            let searchEnd = inputStart + min(available, limit + 2)
            if let lineFeed = firstLineFeed(from: inputStart, to: searchEnd) {
                let line = trimmingCarriageReturn(inputStart..<lineFeed)
                inputStart = lineFeed + 1
                lineNumber += 1
                return line.count <= limit ? .line(line) : .tooLong
            }
            if available > limit + 1 {
                lineNumber += 1
                return .tooLong
            }
            if sourceEnded {
                guard available > 0 else { return .endOfInput }
                let line = trimmingCarriageReturn(inputStart..<inputEnd)
                inputStart = inputEnd
                lineNumber += 1
                return line.count <= limit ? .line(line) : .tooLong
            }
            try refill()
        }
    }

    /// Finds the first LF in `input[start..<end]`. It runs for every line, so it tests eight bytes at a time
    /// (the "has a zero byte" bit trick on the word XOR LF); that made dearmoring about 1.5 times faster.
    private func firstLineFeed(from start: Int, to end: Int) -> Int? {
        let bytes = UnsafeRawPointer(input.baseAddress!)
        var index = start
        while index + 8 <= end {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < end {
            if bytes.load(fromByteOffset: index, as: UInt8.self) == Armor.lineFeed { return index }
            index += 1
        }
        return nil
    }

    private func trimmingCarriageReturn(_ range: Range<Int>) -> Range<Int> {
        if let last = range.last, input[last] == Armor.carriageReturn { return range.lowerBound..<last }
        return range
    }

    /// Moves the unread bytes to the front of `input` and reads more from the source after them.
    private func refill() throws {
        let available = inputEnd - inputStart
        if inputStart > 0 {
            if available > 0 {
                input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: available)
            }
            inputStart = 0
            inputEnd = available
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
        if n == 0 { sourceEnded = true }
        inputEnd += n
    }

    private func matches(_ range: Range<Int>, _ expected: [UInt8]) -> Bool {
        range.count == expected.count && input[range].elementsEqual(expected)
    }
}

/// Encodes an age file as armor while it is written: memory use is constant whatever the file size.
///
/// Call `finish()` once after the last `write`: it writes the last line and the end line. Without it the output
/// is truncated (a destructor cannot report errors, so it does not try).
public final class ArmoredWriter: ByteSink {
    /// Encoded lines are collected and written to the sink in blocks of this many bytes (plus one line).
    private static let outputCapacity = 64 * 1024

    private let sink: any ByteSink
    /// Input bytes that do not yet make a whole 64-column line.
    private let partial: UnsafeMutablePointer<UInt8>
    private var partialCount = 0
    private let output: UnsafeMutablePointer<UInt8>
    private var outputCount = 0
    private var started = false
    private var finished = false

    /// Creates a writer that writes the armored form of everything written to it to `sink`.
    public init(sink: any ByteSink) {
        self.sink = sink
        partial = .allocate(capacity: Armor.bytesPerLine)
        output = .allocate(capacity: Self.outputCapacity + Armor.columnsPerLine + 1)
    }

    deinit {
        partial.deallocate()
        output.deallocate()
    }

    /// Encodes `bytes`. Whole lines go to the sink in blocks; the remainder waits for more input or `finish()`.
    /// - Throws: `AgeError.armor` after `finish()`; errors from the sink unchanged.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw AgeError.armor("the armored output was already finished") }
        try startIfNeeded()
        var offset = 0
        if partialCount > 0 {
            offset = min(Armor.bytesPerLine - partialCount, bytes.count)
            if offset > 0 {
                UnsafeMutableRawPointer(partial + partialCount).copyMemory(from: bytes.baseAddress!, byteCount: offset)
            }
            partialCount += offset
            guard partialCount == Armor.bytesPerLine else { return }
            try appendLine(UnsafeRawBufferPointer(start: partial, count: Armor.bytesPerLine))
            partialCount = 0
        }
        while bytes.count - offset >= Armor.bytesPerLine {
            try appendLine(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Armor.bytesPerLine]))
            offset += Armor.bytesPerLine
        }
        let rest = bytes.count - offset
        if rest > 0 {
            UnsafeMutableRawPointer(partial).copyMemory(from: bytes.baseAddress! + offset, byteCount: rest)
        }
        partialCount = rest
    }

    /// Writes the last (short) line, if any, and the end line. Call it exactly once.
    /// - Throws: `AgeError.armor` on a second call; errors from the sink unchanged.
    public func finish() throws {
        guard !finished else { throw AgeError.armor("the armored output was already finished") }
        finished = true
        try startIfNeeded()
        if partialCount > 0 {
            try appendLine(UnsafeRawBufferPointer(start: partial, count: partialCount))
            partialCount = 0
        }
        if outputCount + Armor.endBytes.count + 1 > Self.outputCapacity { try flush() }
        append(Armor.endBytes)
        try flush()
    }

    private func startIfNeeded() throws {
        guard !started else { return }
        started = true
        append(Armor.beginBytes)
    }

    /// Appends `bytes` and a line feed; the caller made sure they fit.
    private func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { (output + outputCount).initialize(from: $0.baseAddress!, count: $0.count) }
        outputCount += bytes.count
        output[outputCount] = Armor.lineFeed
        outputCount += 1
    }

    private func appendLine(_ chunk: UnsafeRawBufferPointer) throws {
        if outputCount >= Self.outputCapacity { try flush() }
        outputCount += CanonicalBase64.encode(chunk, padded: true, into: output + outputCount)
        output[outputCount] = Armor.lineFeed
        outputCount += 1
    }

    private func flush() throws {
        guard outputCount > 0 else { return }
        let count = outputCount
        outputCount = 0
        try sink.write(UnsafeRawBufferPointer(start: output, count: count))
    }
}
