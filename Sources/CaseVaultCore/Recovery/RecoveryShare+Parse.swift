import CaseVaultCrypto

extension RecoveryShare {
    /// The keys of a share's lines, in order (the header line has none).
    static let lineKeys = ["vault", "key", "share"] + (1...dataLines).map { "data-\($0)" } + ["check"]

    /// Reads a share typed back from paper, from a file or a prompt (`source` names it in errors). Blank lines,
    /// lines starting with `#`, spaces around and between words, and upper-case hex are forgiven; anything
    /// else that differs from what `text()` printed is an error that names the line, and nothing is returned.
    public static func parse(_ text: SecureBytes, source: String) throws(VaultError) -> RecoveryShare {
        func problem(_ problem: VaultError.ShareProblem) -> VaultError { .invalidShare(source: source, problem) }
        var bytes = text.unsafeExportedBytes()
        defer { ConstantTime.wipe(&bytes) }
        // (physical line number, normalized line); the normalized copies are wiped when done.
        var lines: [(number: Int, text: [UInt8])] = []
        defer { for i in lines.indices { ConstantTime.wipe(&lines[i].text) } }
        var number = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            guard let line = normalized(raw) else { throw problem(.malformedLine(line: number)) }
            if line.isEmpty || line.first == 0x23 { continue }
            lines.append((number, line))
            guard lines.count <= lineKeys.count + 1 else { throw problem(.malformedLine(line: number)) }
        }
        guard let first = lines.first, first.text == Array(header.utf8) else { throw problem(.notAShare) }
        // Each keyed line: its key, then its checksum.
        var canonical = Array((header + "\n").utf8)
        defer { ConstantTime.wipe(&canonical) }
        var contents: [String: (number: Int, words: [ArraySlice<UInt8>])] = [:]
        for (position, key) in lineKeys.enumerated() {
            guard position + 1 < lines.count else { throw problem(.missingLine(key)) }
            let (number, line) = lines[position + 1]
            var words = line.split(separator: 0x20)
            guard words.first.map({ Array($0) }) == Array(key.utf8) else {
                throw problem(
                    lines.contains { $0.text.starts(with: Array((key + " ").utf8)) }
                        ? .malformedLine(line: number) : .missingLine(key))
            }
            words.removeFirst()
            if key == "check" {
                guard words.count == 1, let sum = Hex.decode(String(decoding: words[0], as: UTF8.self)), sum.count == 8
                else { throw problem(.malformedLine(line: number)) }
                let expected = try? shareChecksum(canonical)
                guard let expected, ConstantTime.equals(expected, sum) else { throw problem(.shareChecksum) }
                continue
            }
            guard let last = words.popLast(), last.count == 4,
                let sum = Hex.decode(String(decoding: last, as: UTF8.self))
            else { throw problem(.malformedLine(line: number)) }
            var content = Array(line[..<(line.count - 5)])
            defer { ConstantTime.wipe(&content) }
            guard let expected = try? lineChecksum(content), ConstantTime.equals(expected, sum) else {
                throw problem(.lineChecksum(line: number, key: key))
            }
            canonical += content + [0x0A]
            contents[key] = (number, words)
        }
        return try fields(contents, problem: problem)
    }

    /// The share's fields from its checked lines.
    private static func fields(
        _ contents: [String: (number: Int, words: [ArraySlice<UInt8>])],
        problem: (VaultError.ShareProblem) -> VaultError
    ) throws(VaultError) -> RecoveryShare {
        func word(_ key: String, count: Int, length: Int) throws(VaultError) -> [String] {
            let (number, words) = contents[key]!
            guard words.count == count, words.allSatisfy({ $0.count == length || length == 0 }) else {
                throw problem(.malformedLine(line: number))
            }
            return words.map { String(decoding: $0, as: UTF8.self) }
        }
        let vault = try word("vault", count: 1, length: 32)[0]
        let key = try word("key", count: 1, length: 16)[0]
        guard Hex.decode(vault) != nil, Hex.decode(key) != nil else {
            throw problem(.malformedLine(line: contents[Hex.decode(vault) == nil ? "vault" : "key"]!.number))
        }
        let share = try word("share", count: 5, length: 0)
        guard share[1] == "of", share[3] == "need", let index = canonicalNumber(share[0]),
            let count = canonicalNumber(share[2]), let threshold = canonicalNumber(share[4]),
            (1...count).contains(index), count <= 255, (2...count).contains(threshold)
        else { throw problem(.malformedLine(line: contents["share"]!.number)) }
        let value = SecureBytes(zeroedCount: valueByteCount)
        for line in 0..<dataLines {
            let key = "data-\(line + 1)"
            let (number, words) = contents[key]!
            guard words.count == bytesPerLine / 2, words.allSatisfy({ $0.count == 4 }) else {
                throw problem(.malformedLine(line: number))
            }
            let ok = value.withUnsafeMutableBytes { out in
                var at = line * bytesPerLine
                for word in words {
                    var digits = word.makeIterator()
                    while let high = digits.next(), let low = digits.next() {
                        guard let h = nibble(high), let l = nibble(low) else { return false }
                        out[at] = h << 4 | l
                        at += 1
                    }
                }
                return true
            }
            guard ok else { throw problem(.malformedLine(line: number)) }
        }
        return RecoveryShare(
            vaultID: vault, keyID: key, index: index, threshold: threshold, count: count, value: value)
    }

    /// The line trimmed, with runs of spaces and tabs made one space and letters made lower case; nil when it
    /// holds anything but printable ASCII (a carriage return at its end is dropped).
    private static func normalized(_ raw: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var pendingSpace = false
        for (offset, byte) in raw.enumerated() {
            switch byte {
            case 0x20, 0x09: pendingSpace = !out.isEmpty
            case 0x0D where offset == raw.count - 1: break
            case 0x21...0x7E:
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            default:
                ConstantTime.wipe(&out)
                return nil
            }
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }

    private static func canonicalNumber(_ text: String) -> Int? {
        guard let value = Int(text), String(value) == text else { return nil }
        return value
    }
}
