import CaseVaultCrypto
import Foundation

// The JSON of encrypted metadata (items, cases): encoded into and decoded from secret storage, so the
// plaintext never sits in an unwiped buffer.

/// JSON for encrypted metadata: encoded into a buffer that is wiped once sealed.
func encodeJSON<T: Encodable>(_ value: T) throws -> SecureBytes {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    defer { data.withUnsafeMutableBytes { ConstantTime.wipe($0) } }
    return SecureBytes(copying: data)
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ bytes: SecureBytes, subject: VaultError.Subject) throws -> T {
    do {
        return try bytes.withUnsafeBytes { raw in
            try JSONDecoder().decode(
                type,
                from: Data(
                    bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress!),
                    count: raw.count, deallocator: .none))
        }
    } catch {
        throw VaultError.integrityFailure(subject: subject, damage: .malformedPlaintext)
    }
}
