import CaseVaultCrypto
import CaseVaultTestSupport
import Testing

@testable import CaseVaultCore

/// The printed share format (Docs/FORMAT.md, "Recovery shares"): read back strictly, mistakes named by line.
@Suite("Recovery share text")
struct RecoveryShareTests {
    /// Made by the Python lines of FORMAT.md's definition (hashlib only), not by CaseVault: a known answer.
    static let known = """
        casevault-recovery-share v1
        vault 3f9a0c2d4e5b6a713f9a0c2d4e5b6a71 6de3
        key 1a2b3c4d5e6f7081 aa6a
        share 2 of 5 need 3 b62d
        data-1 1011 1213 1415 1617 9b91
        data-2 1819 1a1b 1c1d 1e1f e1a7
        data-3 2021 2223 2425 2627 1283
        data-4 2829 2a2b 2c2d 2e2f 5376
        check 0c74ac8a16004e06

        """

    func parse(_ text: String) throws(VaultError) -> RecoveryShare {
        try RecoveryShare.parse(SecureBytes(copying: Array(text.utf8)), source: "s.txt")
    }

    func problem(_ text: String) -> VaultError.ShareProblem? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            guard case .invalidShare(let source, let problem) = error, source == "s.txt" else { return nil }
            return problem
        }
    }

    @Test func knownShareReads() throws {
        let share = try parse(Self.known)
        #expect(share.vaultID == "3f9a0c2d4e5b6a713f9a0c2d4e5b6a71" && share.keyID == "1a2b3c4d5e6f7081")
        #expect(share.index == 2 && share.count == 5 && share.threshold == 3)
        #expect(share.value.unsafeExportedBytes() == Array(0x10...0x2F))
        // And prints back to the same bytes.
        #expect(try share.text().unsafeExportedBytes() == Array(Self.known.utf8))
    }

    @Test func printedSharesReadBack() throws {
        let value = SecureBytes(copying: randomBytes(32))
        let share = RecoveryShare(
            vaultID: String(repeating: "ab", count: 16), keyID: "0011223344556677", index: 255, threshold: 200,
            count: 255, value: value)
        let again = try RecoveryShare.parse(try share.text(), source: "x")
        #expect(again.value.constantTimeEquals(value) && again.index == 255 && again.threshold == 200)
    }

    @Test("what paper and typing change is forgiven: case, spacing, blank and # lines, CRLF")
    func forgiving() throws {
        let typed =
            "# share for Marta, kept in the office safe\n\n"
            + Self.known.uppercased().replacingOccurrences(
                of: "CASEVAULT-RECOVERY-SHARE V1", with: "casevault-recovery-share v1"
            )
            .replacingOccurrences(of: " ", with: "   ").replacingOccurrences(of: "\n", with: " \r\n")
        #expect(try parse(typed).value.unsafeExportedBytes() == Array(0x10...0x2F))
    }

    @Test(
        "a mistyped character is caught and its line named",
        arguments: [
            ("data-2 1819 1a1b 1c1d 1e1f", "data-2 1819 1a1b 1c1d 1e1e", 6, "data-2"),
            ("share 2 of 5", "share 4 of 5", 4, "share"),
            ("need 3", "need 2", 4, "share"),
            ("key 1a2b3c4d5e6f7081", "key 1a2b3c4d5e6f7082", 3, "key"),
            ("data-4 2829 2a2b 2c2d 2e2f 5376", "data-4 2829 2a2b 2c2d 2e2f 5377", 8, "data-4"),
        ])
    func mistyped(original: String, typo: String, line: Int, key: String) {
        #expect(
            problem(Self.known.replacingOccurrences(of: original, with: typo)) == .lineChecksum(line: line, key: key))
    }

    @Test func linesOfTwoSharesAreCaught() throws {
        let other = RecoveryShare(
            vaultID: "3f9a0c2d4e5b6a713f9a0c2d4e5b6a71", keyID: "1a2b3c4d5e6f7081", index: 3, threshold: 3, count: 5,
            value: SecureBytes(copying: Array(0x40...0x5F)))
        let otherText = String(decoding: try other.text().unsafeExportedBytes(), as: UTF8.self)
        let otherData1 = otherText.split(separator: "\n").first { $0.hasPrefix("data-1") }!
        let mixed = Self.known.replacingOccurrences(of: "data-1 1011 1213 1415 1617 9b91", with: String(otherData1))
        #expect(problem(mixed) == .shareChecksum)
    }

    @Test func structuralProblemsAreNamed() {
        #expect(problem("hello\n") == .notAShare)
        #expect(problem("") == .notAShare)
        #expect(
            problem(Self.known.replacingOccurrences(of: "data-4 2829 2a2b 2c2d 2e2f 5376\n", with: ""))
                == .missingLine("data-4"))
        #expect(
            problem(
                Self.known.replacingOccurrences(
                    of: "data-3 2021 2223 2425 2627 1283", with: "data-3 2021 2223 2425 1283"))
                == .lineChecksum(line: 7, key: "data-3"))
        #expect(
            problem(Self.known.replacingOccurrences(of: "check 0c74ac8a16004e06", with: "check 0c74"))
                == .malformedLine(line: 9))
        #expect(
            problem(Self.known.replacingOccurrences(of: "check 0c74ac8a16004e06", with: "check 0c74ac8a16004e07"))
                == .shareChecksum)
        #expect(problem(Self.known + "extra 1\n") == .malformedLine(line: 10))
        #expect(problem(Self.known.replacingOccurrences(of: "1011", with: "10é1")) == .malformedLine(line: 5))
    }
}
