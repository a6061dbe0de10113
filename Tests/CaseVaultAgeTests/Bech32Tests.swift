import Testing

@testable import CaseVaultAge

@Suite("Bech32")
struct Bech32Tests {
    /// The X25519 identity from the age conformance vectors.
    static let ageIdentity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"

    /// BIP-173 valid Bech32 strings. Their payloads are not all whole bytes, so only the checksum layer applies.
    static let bip173Valid = [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11" + String(repeating: "q", count: 82) + "c8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ]

    @Test("BIP-173 valid checksums", arguments: bip173Valid)
    func bip173ValidChecksum(string: String) throws {
        let (hrp, values) = try Bech32.decodeValues(string)
        let separator = string.lastIndex(of: "1")!
        #expect(hrp == string[..<separator].lowercased())
        #expect(values.count == string.distance(from: separator, to: string.endIndex) - 1 - 6)
        // Re-encoding the 5-bit values must reproduce the (lowercased) string, checksum included.
        #expect(Bech32.encode(hrp: hrp, values: values) == string.lowercased())
    }

    /// BIP-173 invalid strings, minus the one rejected only for exceeding 90 characters (age has no such limit).
    static let bip173Invalid = [
        "\u{20}1nwldj5",  // HRP character out of range
        "\u{7F}1axkwrx",  // HRP character out of range
        "\u{80}1eym55h",  // HRP character out of range
        "pzry9x0s0muk",  // no separator
        "1pzry9x0s0muk",  // empty HRP
        "x1b4n0q5v",  // invalid data character
        "li1dgmt3",  // checksum too short
        "de1lg7wt\u{FF}",  // invalid character in checksum
        "A1G7SGD8",  // checksum computed over the uppercase HRP
        "10a06t8",  // empty HRP
        "1qzzfhee",  // empty HRP
    ]

    @Test("BIP-173 invalid strings are rejected as invalid keys", arguments: bip173Invalid)
    func bip173InvalidRejected(string: String) {
        let error = #expect(throws: AgeError.self) { try Bech32.decodeValues(string) }
        #expect(error?.failureClass == "invalid key")
    }

    @Test("There is no 90-character limit")
    func noLengthLimit() throws {
        // BIP-173's "overall max length exceeded" vector has a valid checksum; age keys may be that long.
        let long = "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx"
        #expect(long.count == 91)
        #expect(try Bech32.decodeValues(long).hrp.count == 84)
        let data = (0..<200).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let encoded = Bech32.encode(hrp: "age", data: data)
        #expect(encoded.count > 300)
        #expect(try Bech32.decode(encoded).data == data)
    }

    @Test("The age identity vector decodes to 32 bytes and re-encodes to itself")
    func ageIdentity() throws {
        let (hrp, data) = try Bech32.decode(Self.ageIdentity)
        #expect(hrp == "age-secret-key-")
        #expect(data.count == 32)
        #expect(Bech32.encode(hrp: hrp, data: data).uppercased() == Self.ageIdentity)
        #expect(try Bech32.decode(Self.ageIdentity.lowercased()).data == data)
    }

    @Test("Mixed case is rejected")
    func mixedCase() {
        let mixed = "age-secret-key-1" + Self.ageIdentity.dropFirst("AGE-SECRET-KEY-1".count)
        #expect(throws: AgeError.invalidKey("Bech32 string mixes upper and lower case")) { try Bech32.decode(mixed) }
        let oneLower = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2Lm0"
        #expect(throws: AgeError.self) { try Bech32.decode(oneLower) }
    }

    @Test("Changing any one data character breaks the checksum")
    func flippedCharacter() {
        let characters = Array(Self.ageIdentity)
        let charset = Array("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")
        for position in "AGE-SECRET-KEY-1".count..<characters.count {
            var changed = characters
            changed[position] = charset[(charset.firstIndex(of: characters[position])! + 1) % charset.count]
            #expect(throws: AgeError.self, "position \(position)") { try Bech32.decode(String(changed)) }
        }
    }

    @Test("Encoding and decoding round-trip for every payload length up to 64")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            let data = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let encoded = Bech32.encode(hrp: "age", data: data)
            #expect(encoded == encoded.lowercased())
            let decoded = try Bech32.decode(encoded)
            #expect(decoded.hrp == "age")
            #expect(decoded.data == data)
        }
    }

    @Test("Padding must be zero and shorter than 5 bits")
    func padding() throws {
        let identity = try Bech32.decodeValues(Self.ageIdentity)
        // 32 bytes are 52 values whose last 4 bits are padding; setting one makes a valid checksum over bad padding.
        #expect(identity.values.count == 52)
        var values = identity.values
        values[51] |= 1
        let nonZeroPadding = Bech32.encode(hrp: identity.hrp, values: values)
        #expect(throws: AgeError.self) { try Bech32.decode(nonZeroPadding) }
        // 1 and 9 values leave 5 bits over: a whole 5-bit group of padding, which no encoder emits.
        for count in [1, 9] {
            let excess = Bech32.encode(hrp: "age", values: [UInt8](repeating: 0, count: count))
            #expect(throws: AgeError.self, "\(count) values") { try Bech32.decode(excess) }
        }
        #expect(try Bech32.decode(Bech32.encode(hrp: "age", values: [])).data.isEmpty)
    }

    @Test("Characters outside the charset or outside ASCII are rejected, and the message says which")
    func invalidCharacters() {
        let outsideCharset = AgeError.invalidKey("Bech32 data contains a character outside the charset")
        let outsideASCII = AgeError.invalidKey("Bech32 string contains a character outside printable ASCII")
        #expect(throws: outsideCharset) { try Bech32.decode("age1qpzry9x8gbpzry9x8") }
        #expect(throws: outsideCharset) { try Bech32.decode("age1qpzry9x8giqpzry9x") }
        #expect(throws: outsideASCII) { try Bech32.decode("ag\u{E9}1qpzry9x8gf2tvdw0") }
        #expect(throws: outsideASCII) { try Bech32.decode("age 1qpzry9x8gf2tvdw0") }
    }
}
