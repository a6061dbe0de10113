import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCrypto

/// GF(256) against FIPS-197 §4.2, and Shamir sharing against a published 2-of-4 vector and by its properties.
@Suite("Secret sharing")
struct SecretSharingTests {
    /// FIPS-197 §4.2 and §4.2.1: {57}·{83} = {c1}, {57}·{13} = {fe}, {57}·{02} = {ae}.
    @Test(arguments: [(0x57, 0x83, 0xC1), (0x57, 0x13, 0xFE), (0x57, 0x02, 0xAE), (0x57, 0x10, 0x07)])
    func fips197Products(a: Int, b: Int, product: Int) {
        #expect(GF256.multiply(UInt8(a), UInt8(b)) == UInt8(product))
        #expect(GF256.multiply(UInt8(b), UInt8(a)) == UInt8(product))
    }

    @Test func everyNonZeroElementHasAnInverse() {
        #expect(GF256.inverse(0) == 0)
        for a in 1...255 { #expect(GF256.multiply(UInt8(a), GF256.inverse(UInt8(a))) == 1, "\(a)") }
        // FIPS-197 §4.2: {53}^-1 = {ca} (the S-box's worked example).
        #expect(GF256.inverse(0x53) == 0xCA)
    }

    /// The known-secret 2-of-4 vector of shanewholloway/js-shamir-tss-gf256 (test/test_shamir_sharing.jsy,
    /// after draft-mcgrew-tss-03: AES's field, share x = its index). Each share is base64url of
    /// threshold ‖ index ‖ 64 value bytes. Every pair, triple and the four give the secret back.
    static let knownSecret =
        "/Vyb7AZeqh0Hx7tPw3Jy8yHbr2Zr00RtkiW3X9UGmZTsbh2VNajR/zOEpNd/U/X7y+BpIIr7w64x+YmMooBg2g=="
    static let knownShares = [
        "AgFA2MLGSIKPAXdcZpyyOWxxmt-3CJjtLSGcWQSUv3WFNHj9_2AJvJh7brZ8TEyHiIcf5MshdX1lHnPN2q8y0ox9",
        "AgKcTym4mv3gJefqGvIh5E7sTNOfupavlvWO3crSAeChz99TwmRNgEPsieAP-hngDwN46DYib-yU1bWRL8qZJKOP",
        "AgMhy3CS1CHFOZdxxyFQr1Bu99eH1GWR_7mAoXkZa5O9b0vAIJFxlApo1NLXYSo0cn-s7JQjkGoyZfelfOkJdk8o",
        "AgQ_euREJQM-bdyd4i4cRQrN-8vPxYor-0aqzk1eZtHpIooUuGzF-O7ZXEzpjbMuGhC28NckW9VtWCIp3gDU0_1w",
    ]

    static func base64URL(_ text: String) -> [UInt8] {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Array(Data(base64Encoded: standard)!)
    }

    @Test(arguments: [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3], [0, 1, 2], [1, 2, 3], [0, 1, 2, 3]])
    func publishedVector(subset: [Int]) throws {
        let shares = subset.map { i -> SecretSharing.Share in
            let bytes = Self.base64URL(Self.knownShares[i])
            return SecretSharing.Share(index: bytes[1], value: SecureBytes(copying: bytes[2...]))
        }
        let secret = try SecretSharing.combine(shares)
        #expect(secret.unsafeExportedBytes() == Array(Data(base64Encoded: Self.knownSecret)!))
    }

    @Test(arguments: [(2, 2), (2, 3), (3, 5), (5, 5), (4, 9)])
    func anyThresholdSubsetRecoversTheSecret(threshold: Int, count: Int) throws {
        let secret = SecureBytes(copying: randomBytes(32))
        let shares = try SecretSharing.split(secret, threshold: threshold, count: count)
        #expect(shares.map(\.index) == (1...count).map(UInt8.init))
        for _ in 0..<10 {
            let chosen = Array(shares.shuffled().prefix(threshold))
            #expect(try SecretSharing.combine(chosen).constantTimeEquals(secret))
        }
        // All of them interpolate the same polynomial.
        #expect(try SecretSharing.combine(shares).constantTimeEquals(secret))
    }

    /// K-1 shares are consistent with every secret: for each candidate value of the first byte there is a
    /// polynomial through them, so the value they interpolate is no better than a guess (never the secret
    /// systematically). Checked by counting: over many splits, K-1 shares give the secret's byte about 1/256
    /// of the time.
    @Test func fewerThanThresholdRevealNothing() throws {
        let secret = SecureBytes(copying: [0x42] + randomBytes(31))
        var hits = 0
        for _ in 0..<512 {
            let shares = try SecretSharing.split(secret, threshold: 3, count: 5)
            let guess = try SecretSharing.combine(Array(shares.prefix(2)))
            #expect(!guess.constantTimeEquals(secret))
            if guess.unsafeExportedBytes()[0] == 0x42 { hits += 1 }
        }
        #expect(hits < 16)
    }

    @Test func sharesOfDifferentSplitsDoNotCombineToEitherSecret() throws {
        let a = SecureBytes(copying: randomBytes(32))
        let b = SecureBytes(copying: randomBytes(32))
        let sharesA = try SecretSharing.split(a, threshold: 2, count: 3)
        let sharesB = try SecretSharing.split(b, threshold: 2, count: 3)
        let mixed = try SecretSharing.combine([sharesA[0], sharesB[1]])
        #expect(!mixed.constantTimeEquals(a))
        #expect(!mixed.constantTimeEquals(b))
    }

    @Test(arguments: [(1, 3), (0, 0), (3, 2), (2, 256), (256, 256)])
    func outOfRangeParametersAreRefused(threshold: Int, count: Int) {
        #expect(throws: CryptoError.self) {
            try SecretSharing.split(SecureBytes(copying: [1, 2]), threshold: threshold, count: count)
        }
    }

    @Test func duplicateOrZeroIndexesAreRefused() throws {
        let shares = try SecretSharing.split(SecureBytes(copying: randomBytes(32)), threshold: 2, count: 2)
        #expect(throws: CryptoError.self) { try SecretSharing.combine([shares[0], shares[0]]) }
        #expect(throws: CryptoError.self) {
            try SecretSharing.combine([SecretSharing.Share(index: 0, value: shares[0].value), shares[1]])
        }
        #expect(throws: CryptoError.self) { try SecretSharing.combine([shares[0]]) }
    }
}
