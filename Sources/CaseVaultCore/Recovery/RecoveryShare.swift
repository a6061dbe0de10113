import CaseVaultCrypto

/// One share of a vault's recovery key, as printed for paper (Docs/FORMAT.md, "Recovery shares"):
///
/// ```
/// casevault-recovery-share v1
/// vault 3f9a0c2d4e5b6a713f9a0c2d4e5b6a71 8c1f
/// key 1a2b3c4d5e6f7081 02d4
/// share 2 of 5 need 3 77aa
/// data-1 0a1b 2c3d 4e5f 6071 51c2
/// data-2 …
/// data-3 …
/// data-4 …
/// check 9f8e7d6c5b4a3921
/// ```
///
/// Every line but the first and last ends with a checksum of its own (4 hex digits: the first two bytes of
/// SHA-256 over `casevault-recovery-share ` and the line without its checksum), so a mistyped character is
/// named by its line; `check` covers the whole share, so lines mixed from two shares are caught too.
public struct RecoveryShare: Sendable {
    public static let header = "casevault-recovery-share v1"
    /// The recovery secret's length, and so each share value's.
    public static let valueByteCount = 32
    static let dataLines = 4
    static let bytesPerLine = valueByteCount / dataLines

    public let vaultID: String
    /// The recovery key this share belongs to (`RecoveryKeys.keyID`).
    public let keyID: String
    /// The share's x coordinate, 1…255.
    public let index: Int
    public let threshold: Int
    public let count: Int
    public let value: SecureBytes

    public init(vaultID: String, keyID: String, index: Int, threshold: Int, count: Int, value: SecureBytes) {
        self.vaultID = vaultID
        self.keyID = keyID
        self.index = index
        self.threshold = threshold
        self.count = count
        self.value = value
    }

    /// The printable block, in secret storage (its data lines are the share).
    public func text() throws -> SecureBytes {
        var out: [UInt8] = []
        defer { ConstantTime.wipe(&out) }
        var lines: [UInt8] = []
        defer { ConstantTime.wipe(&lines) }
        func add(_ line: [UInt8]) throws {
            var line = line
            defer { ConstantTime.wipe(&line) }
            let sum = Hex.encode(try Self.lineChecksum(line))
            lines += line + [0x0A]
            out += line + Array(" \(sum)\n".utf8)
        }
        out += Array((Self.header + "\n").utf8)
        lines += Array((Self.header + "\n").utf8)
        try add(Array("vault \(vaultID)".utf8))
        try add(Array("key \(keyID)".utf8))
        try add(Array("share \(index) of \(count) need \(threshold)".utf8))
        var bytes = value.unsafeExportedBytes()
        defer { ConstantTime.wipe(&bytes) }
        for line in 0..<Self.dataLines {
            var text = Array("data-\(line + 1)".utf8)
            defer { ConstantTime.wipe(&text) }
            for pair in stride(from: 0, to: Self.bytesPerLine, by: 2) {
                let at = line * Self.bytesPerLine + pair
                text.append(0x20)
                Self.appendHex(bytes[at], to: &text)
                Self.appendHex(bytes[at + 1], to: &text)
            }
            try add(text)
        }
        out += Array("check \(Hex.encode(try Self.shareChecksum(lines)))\n".utf8)
        return SecureBytes(copying: out)
    }

    static func lineChecksum(_ line: [UInt8]) throws -> [UInt8] {
        Array(try Digest.hash(.sha256, Array("casevault-recovery-share ".utf8) + line).prefix(2))
    }

    static func shareChecksum(_ lines: [UInt8]) throws -> [UInt8] {
        Array(try Digest.hash(.sha256, lines).prefix(8))
    }

    /// Lower-case hex of a secret byte by arithmetic on masks, not a table indexed by it.
    static func appendHex(_ byte: UInt8, to text: inout [UInt8]) {
        for nibble in [byte >> 4, byte & 0x0F] {
            // 0…9 → '0'…'9', 10…15 → 'a'…'f': add 39 more when nibble > 9, selected by a mask.
            let above9 = 0 &- ((9 &- nibble) >> 7)
            text.append(0x30 &+ nibble &+ (39 & above9))
        }
    }
}
