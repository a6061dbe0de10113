import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultLog

/// Standard base64 by Foundation: an independent encoder to build test inputs with.
func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

/// A key ID as eight lower-case hex digits.
func keyIDText(_ id: UInt32) -> String {
    let digits = String(id, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// The library's strict base64 codec against Foundation's.
@Suite("base64 (RFC 4648 §4, strict)")
struct Base64Tests {
    @Test("encoding matches Foundation and decoding inverts it, for every length up to 100")
    func roundTrip() {
        for count in 0...100 {
            let bytes = randomBytes(count)
            #expect(Base64.encode(bytes) == base64(bytes))
            #expect(Base64.decode(base64(bytes)) == bytes)
        }
    }

    @Test(
        "non-canonical or foreign forms are refused",
        arguments: [
            "AA", "AA=", "AB==", "AAB=", "A===", "====", "AA==AA==", "AA-_", "AA\n==", " AAA", "AAA=\n", "=AAA",
        ])
    func refused(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
