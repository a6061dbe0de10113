import Foundation
import Testing

@testable import CaseVaultCLI

/// The Bolivian times of custody reports are computed with integer arithmetic (`CivilTime`); they must be
/// what Foundation's calendar gives for the same instants, across day, month, year and leap-day boundaries.
@Suite("Custody reports: Bolivian time without a formatter per call")
struct CivilTimeTests {
    static func foundation(_ utc: String) -> String? {
        guard let date = ISO8601DateFormatter().date(from: utc) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = TimeZone(secondsFromGMT: -4 * 3600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date) + " -04:00"
    }

    @Test(
        "boundaries match Foundation",
        arguments: [
            "2026-03-01T02:05:09Z", "2024-03-01T03:59:59Z", "2024-03-01T04:00:00Z", "2026-01-01T00:00:00Z",
            "2000-03-01T01:00:00Z", "1900-03-01T01:00:00Z", "2100-03-01T03:00:00Z", "1970-01-01T00:00:00Z",
            "2026-12-31T23:59:59Z",
        ])
    func boundaries(_ utc: String) {
        #expect(CustodyText.laPaz(utc) == Self.foundation(utc))
    }

    @Test("10,000 random instants from 1900 to 2200 match Foundation")
    func random() {
        var generator = SystemRandomNumberGenerator()
        let formatter = ISO8601DateFormatter()
        for _ in 0..<10_000 {
            let seconds = Double(Int.random(in: -2_208_988_800...7_258_118_400, using: &generator))
            let utc = formatter.string(from: Date(timeIntervalSince1970: seconds))
            #expect(CivilTime(utc: utc)?.shifted(by: -4 * 3600)?.text.appending(" -04:00") == Self.foundation(utc))
        }
    }

    @Test(
        "not the entries' form, or not a valid time: not parsed",
        arguments: [
            "2026-02-29T10:00:00Z", "2026-13-01T10:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T10:00:60Z",
            "2026-03-01 10:00:00Z", "2026-03-01T10:00:00+00:00", "2026-3-01T10:00:00Z", "x",
        ])
    func refused(_ text: String) {
        #expect(CivilTime(utc: text) == nil)
    }
}
