import CaseVaultIO

/// A read buffer over a `ByteSource` that can hand out lines (for the header) and peek ahead (for armor
/// detection) and then pass the remaining bytes through unchanged (for the payload).
final class BufferedSource: ByteSource {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(_ source: ByteSource) { self.source = source }

    private var available: Int { buffer.count - start }

    var knownRemainingCount: Int? { source.knownRemainingCount.map { $0 + available } }

    /// Makes at least `count` bytes available unless the stream ends first; returns how many are.
    @discardableResult
    private func fill(atLeast count: Int) throws -> Int {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        while available < count && !atEnd {
            var chunk = [UInt8](repeating: 0, count: max(4096, count - available))
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { atEnd = true } else { buffer += chunk[0..<n] }
        }
        return available
    }

    /// Up to `count` bytes from the current position, without consuming them.
    func peek(_ count: Int) throws -> [UInt8] {
        let n = min(try fill(atLeast: count), count)
        return Array(buffer[start..<start + n])
    }

    /// The next line including its final `\n`, or what is left if the stream ends first (without `\n`).
    /// Throws `tooLong` when no newline appears within `maximumLength` bytes.
    func readLine(maximumLength: Int, tooLong: @autoclosure () -> Error) throws -> [UInt8] {
        var scanned = 0
        while true {
            if let i = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start...i])
                start = i + 1
                return line
            }
            scanned = available
            if scanned > maximumLength { throw tooLong() }
            let before = available
            try fill(atLeast: available + 1)
            if available == before {
                let rest = Array(buffer[start...])
                start = buffer.count
                return rest
            }
        }
    }

    func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        if available > 0 {
            let n = min(out.count, available)
            buffer.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<start + n])) }
            start += n
            return n
        }
        if atEnd { return 0 }
        return try source.read(into: out)
    }
}
