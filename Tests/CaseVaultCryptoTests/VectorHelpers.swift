import CaseVaultTestSupport

@testable import CaseVaultCrypto

// Hex decoding and encoding come from CaseVaultTestSupport; what stays here is about the crypto layer's types.

/// The UTF-8 bytes of an ASCII message from a vector ("abc", "Hi There").
func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A vector's key material in secret storage, the only form the crypto layer accepts keys in.
func secret(_ bytes: [UInt8]) -> SecureBytes { SecureBytes(copying: bytes) }

extension SecureBytes {
    /// The secret's bytes as hex, for comparing derived keys with vectors.
    var hexString: String { unsafeExportedBytes().hexString }
}

/// `bytes` with one bit flipped at `index`: the smallest change a forgery could make.
func flippingBit(_ bytes: [UInt8], at index: Int, bit: UInt8 = 0x01) -> [UInt8] {
    var copy = bytes
    copy[index] ^= bit
    return copy
}
