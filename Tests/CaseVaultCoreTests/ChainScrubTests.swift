import CaseVaultCrypto
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// `verify` checks every item's chain of custody on its own, and names each broken one.
@Suite("Integrity scrub: every custody chain")
struct ChainScrubTests {
    @Test("sound chains pass; an event written into the folder with a stale link is named with its item")
    func brokenChainNamed() throws {
        let team = try Team()
        let sound = try team.addItem(Array("uno".utf8))
        let item = try team.addItem(Array("dos".utf8))
        try team.vault.annotateCustody(sound.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        let note = try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "y"), by: team.lawyer)
        let clean = try team.vault.scrub(ScrubOptions())
        #expect(clean.problems.isEmpty && clean.custodyChains == 2)
        // Someone holding luis's key writes a second event linked to the intake, as if the note were not there.
        let intake = try team.vault.entryIndex(ofItem: item.id)
        let forged = try RemovalTests.forge(
            .custodySeal,
            [
                ("item", item.id), ("sha256", item.sha256), ("object", item.object),
                ("prev-event", String(intake)), ("private", String(repeating: "ab", count: 32)),
            ], by: "luis", keys: try RemovalTests.savedKeys(team), in: team.vaultPath)
        let report = try team.vault.scrub(ScrubOptions())
        let chains = report.problems.filter { if case .custodyChainBroken = $0 { true } else { false } }
        #expect(
            chains == [.custodyChainBroken(item: item.id, [.brokenLink(entry: forged, points: intake, previous: note)])]
        )
        #expect(report.problems.contains { if case .log = $0 { true } else { false } })
    }
}
