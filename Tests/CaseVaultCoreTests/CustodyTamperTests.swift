import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import GRDB
import Testing

@testable import CaseVaultCore

/// Custody records that were altered: in the log (entries a member signs that the rules refuse, a stored
/// entry edited) and in one item's chain checked on its own (an event dropped, two reordered, one grafted
/// from another item). Each is caught and named.
@Suite("Custody: tampering is caught and named")
struct CustodyTamperTests {
    /// Appends an entry signed by `session` without the vault's friendly pre-checks, as a modified client
    /// would: only the log's replay rules stand in the way.
    func forge(
        _ team: Team, _ type: EntryType, _ fields: [(String, String)], by session: MemberSession
    ) throws {
        try team.vault.write { db in
            try team.vault.appendLog(
                db, type, fields, by: LogAuthor(session: session), at: "2026-03-01T10:00:00Z")
        }
    }

    func link(_ item: Item, previous: Int) -> [(String, String)] {
        [
            ("item", item.id), ("sha256", item.sha256), ("object", item.object),
            ("prev-event", String(previous)),
        ]
    }

    func problem(_ body: () throws -> Void) -> LogProblem? {
        do { try body() } catch let SignedLogError.entry(_, problem) { return problem } catch {
            return nil
        }
        return nil
    }

    let hash = String(repeating: "ab", count: 32)

    @Test("an event signed by a member who never held the item's reader roles is refused")
    func signedByOutsider() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let index = try team.vault.entryIndex(ofItem: item.id)
        let refused = problem {
            try forge(
                team, .custodyTransfer,
                link(item, previous: index) + [
                    ("to", "paula"), ("purpose", "handover"), ("private", hash),
                ],
                by: team.psychologist)
        }
        guard case .notAuthorized(let rule) = refused else {
            Issue.record("expected notAuthorized, got \(String(describing: refused))")
            return
        }
        #expect(rule.contains("reader role of \(item.id)"))
        let note = problem {
            try forge(
                team, .custodyNote, link(item, previous: index) + [("private", hash)], by: team.socialWorker
            )
        }
        #expect(note.map { if case .notAuthorized = $0 { true } else { false } } == true)
    }

    @Test(
        "an event grafted from another item's chain is refused: its link is not this item's previous event"
    )
    func graftedInLog() throws {
        let team = try Team()
        let first = try team.addItem(Array("uno".utf8))
        let second = try team.addItem(Array("dos".utf8))
        let firstEvent = try team.vault.annotateCustody(
            first.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        // second's event pointing at first's event, and first's hashes on second's id: both refused.
        let linked = problem {
            try forge(
                team, .custodyNote, link(second, previous: firstEvent) + [("private", hash)],
                by: team.lawyer)
        }
        #expect(
            linked.map { if case .inconsistent(let r) = $0 { r.contains("prev-event") } else { false } }
                == true)
        let swapped = [("item", second.id), ("sha256", first.sha256), ("object", first.object)]
        let hashes = problem {
            try forge(
                team, .custodyNote,
                swapped + [
                    ("prev-event", String(try team.vault.entryIndex(ofItem: second.id))), ("private", hash),
                ],
                by: team.lawyer)
        }
        #expect(
            hashes.map {
                if case .inconsistent(let r) = $0 { r.contains("sha256 or object") } else { false }
            } == true)
    }

    @Test("an event that links to an older event of its item (a reorder, a fork) is refused")
    func staleLink() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let intake = try team.vault.entryIndex(ofItem: item.id)
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        let stale = problem {
            try forge(
                team, .custodySeal, link(item, previous: intake) + [("private", hash)], by: team.lawyer)
        }
        #expect(
            stale.map {
                if case .inconsistent(let r) = $0 { r.contains("prev-event \(intake)") } else { false }
            } == true)
    }

    @Test("a transfer after a seal is refused by the log, even signed by a reader")
    func transferAfterSeal() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let sealed = try team.vault.sealCustody(
            item.id, remarks: CustodyRemarks(text: "juicio"), by: team.lawyer)
        let refused = problem {
            try forge(
                team, .custodyTransfer,
                link(item, previous: sealed) + [
                    ("to", "mario"), ("purpose", "handover"), ("private", hash),
                ],
                by: team.lawyer)
        }
        #expect(refused == .inconsistent("\(item.id) is sealed for court"))
    }

    @Test(
        "an access recorded before custody chains still replays, and is reported as an unlinked gap")
    func legacyAccess() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        try forge(team, .itemGet, [("item", item.id), ("output", "file")], by: team.lawyer)
        try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        let fresh = try Vault.open(at: team.vaultPath)
        let record = try fresh.custodyDossier(items: [item.id], as: nil).records[0]
        #expect(record.events.map(\.kind) == ["intake", "access", "annotated"])
        #expect(record.gaps.map(\.code) == ["unlinked"] && record.gaps.allSatisfy { !$0.tampering })
        // A half link is no link: refused.
        let half = problem {
            try forge(
                team, .itemGet, [("item", item.id), ("output", "file"), ("sha256", item.sha256)],
                by: team.lawyer)
        }
        #expect(half == .malformed("a custody link needs sha256, object and prev-event"))
    }

    @Test(
        "an event edited in the vault's database is caught when the log is verified, naming its entry")
    func editedEvent() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let index = try team.vault.transferCustody(
            item.id, to: "mario", purpose: .handover, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        try team.vault.database.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER log_entries_append_only_update")
            try db.execute(
                sql: "UPDATE log_entries SET note = CAST(replace(CAST(note AS TEXT), 'purpose handover', "
                    + "'purpose prosecutor') AS BLOB) WHERE idx = ?", arguments: [index])
        }
        #expect(
            throws: SignedLogError.entry(
                index: index, problem: .malformed("its stored leaf hash is not the hash of the entry"))
        ) {
            _ = try Vault.open(at: team.vaultPath)
        }
        // With the leaf hash fixed up too, the signature gives it away.
        try team.vault.database.writeWithoutTransaction { db in
            let note = try Data.fetchOne(
                db, sql: "SELECT note FROM log_entries WHERE idx = ?", arguments: [index])!
            try db.execute(
                sql: "UPDATE log_entries SET leaf_hash = ? WHERE idx = ?",
                arguments: [Data(try Merkle.leafHash([UInt8](note))), index])
        }
        #expect(throws: SignedLogError.entry(index: index, problem: .badSignature)) {
            _ = try Vault.open(at: team.vaultPath)
        }
    }

    /// One item's events as a bundle holds them, for the checks on a chain alone.
    func chain(_ team: Team, _ item: Item) throws -> [(index: Int, entry: LogEntry)] {
        try team.vault.custodyDossier(items: [item.id], as: nil).records[0].events.map { event in
            (event.entry, try LogEntry.parse(try SignedNote(parsing: Array(event.signedEntry.utf8)).text))
        }
    }

    @Test("one item's chain alone: an event dropped, two reordered, one grafted from another item")
    func chainAlone() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        let other = try team.addItem(Array("otra".utf8))
        for text in ["uno", "dos", "tres"] {
            try team.vault.annotateCustody(item.id, remarks: CustodyRemarks(text: text), by: team.lawyer)
        }
        try team.vault.annotateCustody(other.id, remarks: CustodyRemarks(text: "x"), by: team.lawyer)
        let events = try chain(team, item)
        #expect(CustodyChainCheck.problems(item: item.id, events: events).isEmpty)

        var dropped = events
        dropped.remove(at: 2)
        #expect(
            CustodyChainCheck.problems(item: item.id, events: dropped) == [
                .brokenLink(entry: events[3].index, points: events[2].index, previous: events[1].index)
            ])

        var reordered = events
        reordered.swapAt(1, 2)
        let problems = CustodyChainCheck.problems(item: item.id, events: reordered)
        #expect(problems.contains(.outOfOrder(entry: events[1].index)))
        #expect(problems.contains { if case .brokenLink = $0 { true } else { false } })

        var grafted = events
        let foreign = try chain(team, other)[1]
        grafted.append(foreign)
        #expect(
            CustodyChainCheck.problems(item: item.id, events: grafted) == [
                .otherItem(entry: foreign.index, names: other.id)
            ])
        #expect(
            CustodyChainCheck.problems(item: item.id, events: Array(events.dropFirst())) == [.noIntake])
    }

    @Test("one item's chain alone: a note after the seal is named, a hold after it is not")
    func chainAfterSeal() throws {
        let team = try Team()
        let item = try team.addItem(Array("foto".utf8))
        try team.vault.sealCustody(item.id, remarks: CustodyRemarks(text: "para juicio"), by: team.lawyer)
        let events = try chain(team, item)
        #expect(CustodyChainCheck.problems(item: item.id, events: events).isEmpty)
        let seal = try #require(events.last)
        // What a forger would add after the seal, linked to it as the log's rules for links require.
        func after(_ type: EntryType) -> (index: Int, entry: LogEntry) {
            let fields = seal.entry.fields.map {
                $0.key == "prev-event" ? (key: $0.key, value: String(seal.index)) : $0
            }
            return (
                seal.index + 1,
                LogEntry(
                    type: type, vault: seal.entry.vault, previousSize: seal.index + 1,
                    previousRoot: seal.entry.previousRoot, time: seal.entry.time, author: "luis", fields: fields)
            )
        }
        #expect(
            CustodyChainCheck.problems(item: item.id, events: events + [after(.custodyNote)]) == [
                .afterSeal(entry: seal.index + 1)
            ])
        #expect(CustodyChainCheck.problems(item: item.id, events: events + [after(.custodyHold)]).isEmpty)
    }
}
