/// Strict base64 (RFC 4648 §4, standard alphabet), padded or unpadded, and only in its canonical form: no
/// whitespace, no character outside the alphabet, `=` only as final padding, and zero bits in what the last
/// character leaves unused. So each byte string has exactly one accepted text, and a signed, hashed or
/// authenticated text cannot be varied unseen. age uses it unpadded in headers and padded in the armor
/// (CaseVaultAge's `Base64`), C2SP notes padded (CaseVaultLog's); one codec serves both.
///
/// It works on bytes with lookup tables rather than on `Character`s, so armoring a multi-GiB file is limited by
/// I/O, and decoding allocates nothing but its result (an auditor's replay decodes two texts per entry).
public enum CanonicalBase64 {
    /// Why a base64 string was rejected; each format maps it to its own error.
    public struct Failure: Error {
        public let message: String
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Maps an ASCII byte to its 6-bit value, or to 0xFF when it is not in the alphabet ('=' included, so padding
    /// in the wrong place is caught by the same check as any other stray byte).
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    private static let pad = UInt8(ascii: "=")

    /// The encoding of `bytes`, with `=` padding to a multiple of four characters or without.
    public static func encode(_ bytes: some Collection<UInt8>, padded: Bool) -> String {
        encodeToString(bytes, padded: padded)
    }

    /// The bytes of the canonical text `ascii` (padded or not, as `padded` says).
    public static func decode(_ ascii: some Collection<UInt8>, padded: Bool) throws(Failure) -> [UInt8] {
        try decodeToArray(ascii, padded: padded)
    }

    // MARK: - Buffer primitives (used by the armor codec on its line buffers)

    /// The number of characters `encode` writes for `count` bytes.
    public static func encodedLength(of count: Int, padded: Bool) -> Int {
        padded ? (count + 2) / 3 * 4 : (count * 4 + 2) / 3
    }

    /// An upper bound on the bytes `decode` writes for `count` characters.
    public static func maximumDecodedLength(of count: Int) -> Int {
        (count + 3) / 4 * 3
    }

    /// Encodes `input` into `output`, which must hold `encodedLength(of: input.count, padded:)` bytes.
    /// - Returns: the number of characters written.
    @discardableResult
    public static func encode(_ input: UnsafeRawBufferPointer, padded: Bool, into output: UnsafeMutablePointer<UInt8>)
        -> Int
    {
        alphabet.withUnsafeBufferPointer { table in
            let count = input.count
            var i = 0
            var o = 0
            while i + 3 <= count {
                let word = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                output[o] = table[Int(word >> 18)]
                output[o + 1] = table[Int(word >> 12 & 0x3F)]
                output[o + 2] = table[Int(word >> 6 & 0x3F)]
                output[o + 3] = table[Int(word & 0x3F)]
                i += 3
                o += 4
            }
            switch count - i {
            case 1:
                let word = UInt32(input[i]) << 16
                output[o] = table[Int(word >> 18)]
                output[o + 1] = table[Int(word >> 12 & 0x3F)]
                o += 2
                if padded {
                    output[o] = pad
                    output[o + 1] = pad
                    o += 2
                }
            case 2:
                let word = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                output[o] = table[Int(word >> 18)]
                output[o + 1] = table[Int(word >> 12 & 0x3F)]
                output[o + 2] = table[Int(word >> 6 & 0x3F)]
                o += 3
                if padded {
                    output[o] = pad
                    o += 1
                }
            default:
                break
            }
            return o
        }
    }

    /// Strictly decodes `input` into `output`, which must hold `maximumDecodedLength(of: input.count)` bytes.
    /// - Returns: the number of bytes written.
    public static func decode(
        _ input: UnsafeRawBufferPointer, padded: Bool, into output: UnsafeMutablePointer<UInt8>
    ) throws(Failure) -> Int {
        let count = input.count
        var body = count  // characters decoded four at a time
        var tail = 0  // significant characters in the final, partial quantum
        if padded {
            guard count % 4 == 0 else { throw Failure(message: "length \(count) is not a multiple of 4") }
            if count > 0 && input[count - 1] == pad {
                tail = input[count - 2] == pad ? 2 : 3
                body = count - 4
            }
        } else {
            switch count % 4 {
            case 1: throw Failure(message: "length \(count) is 1 mod 4, which no byte string encodes to")
            case 2: tail = 2
            case 3: tail = 3
            default: break
            }
            body = count - tail
        }

        return try values.withUnsafeBufferPointer { (table) throws(Failure) -> Int in
            var i = 0
            var o = 0
            while i < body {
                let a = table[Int(input[i])]
                let b = table[Int(input[i + 1])]
                let c = table[Int(input[i + 2])]
                let d = table[Int(input[i + 3])]
                // Valid values fit in 6 bits, so one test of the ORed high bits rejects the whole quantum.
                guard (a | b | c | d) & 0xC0 == 0 else { throw invalidCharacter(in: input, from: i, table: table) }
                output[o] = a << 2 | b >> 4
                output[o + 1] = b << 4 | c >> 2
                output[o + 2] = c << 6 | d
                i += 4
                o += 3
            }
            guard tail > 0 else { return o }

            let a = table[Int(input[i])]
            let b = table[Int(input[i + 1])]
            let c = tail == 3 ? table[Int(input[i + 2])] : 0
            guard (a | b | c) & 0xC0 == 0 else { throw invalidCharacter(in: input, from: i, table: table) }
            // The bits past the last whole byte must be zero; otherwise several strings decode to the same
            // bytes and the encoding is not canonical.
            if tail == 2 {
                guard b & 0x0F == 0 else { throw Failure(message: "non-zero trailing bits (not canonical)") }
                output[o] = a << 2 | b >> 4
                return o + 1
            }
            guard c & 0x03 == 0 else { throw Failure(message: "non-zero trailing bits (not canonical)") }
            output[o] = a << 2 | b >> 4
            output[o + 1] = b << 4 | c >> 2
            return o + 2
        }
    }

    // MARK: - Helpers

    private static func invalidCharacter(
        in input: UnsafeRawBufferPointer, from start: Int, table: UnsafeBufferPointer<UInt8>
    ) -> Failure {
        var offset = start
        while offset < input.count && table[Int(input[offset])] != 0xFF { offset += 1 }
        let byte = offset < input.count ? input[offset] : 0
        let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(hex(byte))"
        return Failure(message: "unexpected \(shown) at offset \(offset)")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    private static func encodeToString(_ bytes: some Collection<UInt8>, padded: Bool) -> String {
        if let string = bytes.withContiguousStorageIfAvailable({ encodeToString(UnsafeRawBufferPointer($0), padded) }) {
            return string
        }
        return Array(bytes).withUnsafeBytes { encodeToString($0, padded) }
    }

    private static func encodeToString(_ raw: UnsafeRawBufferPointer, _ padded: Bool) -> String {
        guard raw.count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: encodedLength(of: raw.count, padded: padded)) { buffer in
            encode(raw, padded: padded, into: buffer.baseAddress!)
        }
    }

    private static func decodeToArray(_ bytes: some Collection<UInt8>, padded: Bool) throws(Failure) -> [UInt8] {
        // Collections without contiguous storage (the UTF-8 view of a bridged string) take one copy.
        let result =
            bytes.withContiguousStorageIfAvailable { decodeToArray(UnsafeRawBufferPointer($0), padded) }
            ?? Array(bytes).withUnsafeBytes { decodeToArray($0, padded) }
        return try result.get()
    }

    private static func decodeToArray(_ raw: UnsafeRawBufferPointer, _ padded: Bool) -> Result<[UInt8], Failure> {
        guard raw.count > 0 else { return .success([]) }
        var failure: Failure?
        let bytes = [UInt8](unsafeUninitializedCapacity: maximumDecodedLength(of: raw.count)) { buffer, count in
            do throws(Failure) {
                count = try decode(raw, padded: padded, into: buffer.baseAddress!)
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { return .failure(failure) }
        return .success(bytes)
    }
}
