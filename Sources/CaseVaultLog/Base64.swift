import CaseVaultCrypto

/// Standard base64 with padding, as every C2SP text format uses, strict (`CanonicalBase64`): each byte string
/// has exactly one accepted text, so a signed or hashed text cannot be varied without the change being seen.
enum Base64 {
    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        CanonicalBase64.encode(bytes, padded: true)
    }

    /// The bytes of `text`, or nil unless it is canonical standard base64.
    static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        try? CanonicalBase64.decode(text.utf8, padded: true)
    }
}
