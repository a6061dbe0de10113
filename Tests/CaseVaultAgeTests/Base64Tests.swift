import Testing

@testable import CaseVaultAge

@Suite("Base64")
struct Base64Tests {
    /// RFC 4648 §10 test vectors, as (input, padded encoding).
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test("RFC 4648 vectors, padded", arguments: rfc4648)
    func rfc4648Padded(input: String, encoded: String) throws {
        #expect(Base64.encodePadded(Array(input.utf8)) == encoded)
        #expect(try Base64.decodePadded(encoded) == Array(input.utf8))
    }

    @Test("RFC 4648 vectors, unpadded", arguments: rfc4648)
    func rfc4648Unpadded(input: String, padded: String) throws {
        let encoded = String(padded.filter { $0 != "=" })
        #expect(Base64.encodeUnpadded(Array(input.utf8)) == encoded)
        #expect(try Base64.decodeCanonicalUnpadded(encoded) == Array(input.utf8))
        #expect(try Base64.decodeCanonicalUnpadded(encoded[...]) == Array(input.utf8))
        #expect(try Base64.decodeCanonicalUnpadded(ascii: Array(encoded.utf8)) == Array(input.utf8))
    }

    @Test("The standard alphabet's last two characters are + and /")
    func standardAlphabet() throws {
        #expect(Base64.encodePadded([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64.encodeUnpadded([0xFF]) == "/w")
        #expect(try Base64.decodeCanonicalUnpadded("+/+/") == [0xFB, 0xFF, 0xBF])
    }

    @Test("Every length and byte value round-trips in both flavours")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let padded = Base64.encodePadded(bytes)
            let unpadded = Base64.encodeUnpadded(bytes)
            #expect(padded.utf8.count == (length + 2) / 3 * 4)
            #expect(unpadded == String(padded.filter { $0 != "=" }))
            #expect(try Base64.decodePadded(padded) == bytes)
            #expect(try Base64.decodeCanonicalUnpadded(unpadded) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(try Base64.decodeCanonicalUnpadded(Base64.encodeUnpadded(all)) == all)
        // A lazy collection has no contiguous storage and takes the copying path.
        #expect(Base64.encodeUnpadded(all.lazy.map { $0 }) == Base64.encodeUnpadded(all))
    }

    /// Strings the unpadded decoder must reject: padding, non-canonical trailing bits, impossible lengths,
    /// whitespace and characters from other alphabets.
    static let invalidUnpadded = [
        "Zg==", "Zm8=", "Zm9vYg=", "Zh", "Zm9", "Zm9vYh", "Z", "Zm9vY", "Zm9v\n", "Zm9v\r\n", "Zm 9v", " Zm9v",
        "Zm9v\t", "-w", "_w", "Zm9v=", "Zg=a", "Zm9v\u{00E9}",
    ]

    @Test("Unpadded decoding is strict and throws header failures", arguments: invalidUnpadded)
    func unpaddedRejects(input: String) {
        let error = #expect(throws: AgeError.self) { try Base64.decodeCanonicalUnpadded(input) }
        #expect(error?.failureClass == "header failure")
    }

    /// Strings the padded decoder must reject: missing or misplaced padding, non-canonical bits, bad lengths.
    static let invalidPadded = [
        "Zg", "Zm8", "Zg=", "Zg===", "Z===", "====", "=", "Zm8=Zm8=", "Zh==", "Zm9=", "Zm9vYh==", "Zg==\n",
        "Zm9v\r", "Zm 9v", "Zm9v Zm9v", "-w==", "Zm9v====",
    ]

    @Test("Padded decoding is strict and throws armor failures", arguments: invalidPadded)
    func paddedRejects(input: String) {
        let error = #expect(throws: AgeError.self) { try Base64.decodePadded(input) }
        #expect(error?.failureClass == "armor failure")
    }

    @Test("Each canonical-bits check rejects exactly the non-canonical variants of a final character")
    func canonicalTrailingBits() throws {
        // With one significant byte the second character carries 4 unused bits; with two, the third carries 2.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        for (value, character) in alphabet.enumerated() {
            let oneByte = "Z\(character)"
            let twoBytes = "Zm\(character)"
            let oneByteCanonical = value & 0x0F == 0
            let twoBytesCanonical = value & 0x03 == 0
            #expect(((try? Base64.decodeCanonicalUnpadded(oneByte)) != nil) == oneByteCanonical, "\(oneByte)")
            #expect(((try? Base64.decodeCanonicalUnpadded(twoBytes)) != nil) == twoBytesCanonical, "\(twoBytes)")
            #expect(((try? Base64.decodePadded(oneByte + "==")) != nil) == oneByteCanonical, "\(oneByte)==")
            #expect(((try? Base64.decodePadded(twoBytes + "=")) != nil) == twoBytesCanonical, "\(twoBytes)=")
        }
    }

    @Test("Error messages say what is wrong")
    func messages() {
        #expect(throws: AgeError.header("invalid base64: unexpected '=' at offset 2")) {
            try Base64.decodeCanonicalUnpadded("Zg==")
        }
        #expect(throws: AgeError.header("invalid base64: non-zero trailing bits (not canonical)")) {
            try Base64.decodeCanonicalUnpadded("Zh")
        }
        #expect(throws: AgeError.armor("invalid base64: length 2 is not a multiple of 4")) {
            try Base64.decodePadded("Zg")
        }
        #expect(throws: AgeError.armor("invalid base64: unexpected byte 0x0A at offset 4")) {
            try Base64.decodePadded("Zm9v\nZm9")
        }
    }
}
