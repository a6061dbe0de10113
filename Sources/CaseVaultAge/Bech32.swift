/// Bech32 (BIP-173, checksum constant 1) as age uses it for recipients (`age1…`) and identities
/// (`AGE-SECRET-KEY-1…`).
///
/// Two deliberate departures from BIP-173, both from age: there is no 90-character limit (post-quantum and
/// plugin keys are longer), and the payload is always 8-bit bytes, so the 5-to-8-bit conversion is part of
/// decoding and must be exact.
///
/// Error messages never quote the input: it may be a secret key, and errors end up in logs.
public enum Bech32 {
    private static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// Maps a lowercase ASCII byte to its 5-bit value, or to 0xFF when it is not in the charset.
    private static let charsetValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in charset.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
    private static let checksumLength = 6
    private static let separator = UInt8(ascii: "1")

    /// Encodes `data` under the human-readable part `hrp`, in lowercase.
    ///
    /// age identities are the uppercase form of this string; uppercase the result for those.
    /// - Precondition: `hrp` is non-empty printable ASCII (0x21–0x7E). Callers pass constants such as `"age"`.
    public static func encode(hrp: String, data: [UInt8]) -> String {
        encode(hrp: hrp, values: convertBits(data, from: 8, to: 5))
    }

    /// Encodes 5-bit `values` with a checksum. Internal: lets tests build strings whose checksum is right but
    /// whose padding is not.
    static func encode(hrp: String, values: [UInt8]) -> String {
        let hrpBytes = Array(hrp.utf8).map(lowercased)
        precondition(!hrpBytes.isEmpty && hrpBytes.allSatisfy { (0x21...0x7E).contains($0) }, "invalid Bech32 HRP")
        precondition(values.allSatisfy { $0 < 32 }, "Bech32 values are 5-bit")
        var output = hrpBytes
        output.reserveCapacity(hrpBytes.count + 1 + values.count + checksumLength)
        output.append(separator)
        for value in values + makeChecksum(hrp: hrpBytes, values: values) { output.append(charset[Int(value)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a Bech32 string whose payload is a whole number of bytes.
    ///
    /// Accepts all-lowercase or all-uppercase input and returns the HRP in lowercase.
    /// - Throws: `AgeError.invalidKey` for mixed case, a character outside the charset, a missing separator or
    ///   HRP, a bad checksum, or leftover bits that do not form a whole byte.
    public static func decode(_ string: String) throws(AgeError) -> (hrp: String, data: [UInt8]) {
        try decode(ascii: Array(string.utf8))
    }

    /// Decodes Bech32 given as ASCII bytes, so that a secret key read from a file never has to become a
    /// `String` (which cannot be wiped). Intermediate copies are wiped; the caller wipes the result.
    public static func decode(ascii: some Collection<UInt8>) throws(AgeError) -> (hrp: String, data: [UInt8]) {
        var (hrp, values) = try decodeValues(ascii: ascii)
        defer { for i in values.indices { values[i] = 0 } }
        guard let data = convertBitsExact(values) else {
            throw .invalidKey("Bech32 payload does not end on a byte boundary (non-zero or excess padding bits)")
        }
        return (hrp, data)
    }

    /// Checks the string and its checksum and returns the HRP (lowercased) and the 5-bit payload values, checksum
    /// removed. Internal so the BIP-173 test vectors, whose payloads are not all whole bytes, can exercise it.
    static func decodeValues(_ string: String) throws(AgeError) -> (hrp: String, values: [UInt8]) {
        try decodeValues(ascii: Array(string.utf8))
    }

    static func decodeValues(ascii: some Collection<UInt8>) throws(AgeError) -> (hrp: String, values: [UInt8]) {
        var bytes = Array(ascii)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        var hasLower = false
        var hasUpper = false
        for byte in bytes {
            guard (0x21...0x7E).contains(byte) else {
                throw .invalidKey("Bech32 string contains a character outside printable ASCII")
            }
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) { hasLower = true }
            if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) { hasUpper = true }
        }
        guard !(hasLower && hasUpper) else { throw .invalidKey("Bech32 string mixes upper and lower case") }
        // In place: a mapped copy would leave the original (a secret key's text) unwiped on the heap.
        for i in bytes.indices { bytes[i] = lowercased(bytes[i]) }

        // The HRP may itself contain '1' ("age-secret-key-1" does not, but BIP-173 allows it): split at the last.
        guard let separatorIndex = bytes.lastIndex(of: separator) else {
            throw .invalidKey("Bech32 string has no '1' separator")
        }
        guard separatorIndex > 0 else { throw .invalidKey("Bech32 string has an empty human-readable part") }
        guard bytes.count - separatorIndex - 1 >= checksumLength else {
            throw .invalidKey("Bech32 string is too short to hold a checksum")
        }
        let hrp = Array(bytes[..<separatorIndex])
        var values: [UInt8] = []
        values.reserveCapacity(bytes.count - separatorIndex - 1)
        for byte in bytes[(separatorIndex + 1)...] {
            let value = charsetValues[Int(byte)]
            guard value != 0xFF else { throw .invalidKey("Bech32 data contains a character outside the charset") }
            values.append(value)
        }
        var checked = hrpExpand(hrp)
        checked += values
        defer { for i in checked.indices { checked[i] = 0 } }
        guard polymod(checked) == 1 else {
            throw .invalidKey("Bech32 checksum does not match (the string is mistyped or damaged)")
        }
        values.removeLast(checksumLength)
        return (String(decoding: hrp, as: UTF8.self), values)
    }

    // MARK: - BIP-173 internals

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1FF_FFFF) << 5 ^ UInt32(value)
            for (bit, word) in generator.enumerated() where top >> UInt32(bit) & 1 == 1 {
                checksum ^= word
            }
        }
        return checksum
    }

    private static func hrpExpand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func makeChecksum(hrp: [UInt8], values: [UInt8]) -> [UInt8] {
        let mod = polymod(hrpExpand(hrp) + values + [UInt8](repeating: 0, count: checksumLength)) ^ 1
        return (0..<checksumLength).map { UInt8(truncatingIfNeeded: mod >> UInt32(5 * (5 - $0))) & 31 }
    }

    /// Regroups bits, zero-padding the last group (used for 8-to-5, where padding is always allowed).
    private static func convertBits(_ input: [UInt8], from: Int, to: Int) -> [UInt8] {
        var accumulator = 0
        var bits = 0
        var output: [UInt8] = []
        output.reserveCapacity((input.count * from + to - 1) / to)
        let mask = (1 << to) - 1
        for value in input {
            accumulator = accumulator << from | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                output.append(UInt8(accumulator >> bits & mask))
            }
            accumulator &= (1 << bits) - 1
        }
        if bits > 0 { output.append(UInt8(accumulator << (to - bits) & mask)) }
        return output
    }

    /// Regroups 5-bit values into bytes. Returns nil when 5 or more bits are left over or the leftover bits are
    /// not zero: such strings are not what any encoder produces, and accepting them would make the encoding
    /// non-unique.
    private static func convertBitsExact(_ values: [UInt8]) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 5 / 8)
        for value in values {
            accumulator = accumulator << 5 | Int(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(accumulator >> bits & 0xFF))
            }
            accumulator &= (1 << bits) - 1
        }
        guard bits < 5, accumulator == 0 else { return nil }
        return output
    }
}
