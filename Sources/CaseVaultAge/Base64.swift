import CaseVaultCrypto

/// Base64 in the two flavours age uses, over the one strict codec (`CanonicalBase64`):
///
/// - Unpadded: stanza arguments, stanza bodies and the header MAC. age requires the *canonical* encoding, so a
///   decoder that tolerated padding, stray bits or whitespace would accept headers that other implementations
///   reject, and two different strings could name the same bytes.
/// - Padded: the ASCII armor, one line at a time.
public enum Base64 {
    /// Encodes `bytes` without `=` padding, as age headers require.
    public static func encodeUnpadded(_ bytes: some Collection<UInt8>) -> String {
        CanonicalBase64.encode(bytes, padded: false)
    }

    /// Encodes `bytes` with `=` padding to a multiple of four characters, as the armor requires.
    public static func encodePadded(_ bytes: some Collection<UInt8>) -> String {
        CanonicalBase64.encode(bytes, padded: true)
    }

    /// Decodes canonical unpadded base64, as found in age headers.
    ///
    /// Rejects `=`, whitespace (CR and LF included), any character outside the standard alphabet, a length of
    /// 1 mod 4, and non-zero unused bits in the last character.
    /// - Throws: `AgeError.header` saying what is wrong.
    public static func decodeCanonicalUnpadded(_ string: some StringProtocol) throws(AgeError) -> [UInt8] {
        try decodeCanonicalUnpadded(ascii: string.utf8)
    }

    /// Decodes canonical unpadded base64 from raw bytes (a header line that was never turned into a `String`).
    /// - Throws: `AgeError.header` saying what is wrong.
    public static func decodeCanonicalUnpadded(ascii: some Collection<UInt8>) throws(AgeError) -> [UInt8] {
        do {
            return try CanonicalBase64.decode(ascii, padded: false)
        } catch {
            throw .header("invalid base64: \(error.message)")
        }
    }

    /// Decodes canonical padded base64, as found in armor lines.
    ///
    /// Rejects a length that is not a multiple of 4, missing or misplaced `=`, whitespace, characters outside the
    /// standard alphabet, and non-zero unused bits before the padding.
    /// - Throws: `AgeError.armor` saying what is wrong.
    public static func decodePadded(_ string: some StringProtocol) throws(AgeError) -> [UInt8] {
        try decodePadded(ascii: string.utf8)
    }

    /// Decodes canonical padded base64 from raw bytes.
    /// - Throws: `AgeError.armor` saying what is wrong.
    public static func decodePadded(ascii: some Collection<UInt8>) throws(AgeError) -> [UInt8] {
        do {
            return try CanonicalBase64.decode(ascii, padded: true)
        } catch {
            throw .armor("invalid base64: \(error.message)")
        }
    }
}
