import CaseVaultCrypto
import CaseVaultLog
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// A batch add has the unlock agent make, sign and chain a run of log entries per request
/// (`UnlockAgent.signEntries`) instead of one signature per round trip.
@Suite("The unlock agent signs runs of log entries")
struct EntryRunTests {
    /// A well-formed `case.create` template.
    static func template(_ number: Int) -> EntryTemplate {
        EntryTemplate(
            type: .caseCreate, time: "2026-03-01T14:05:09Z",
            fields: [("case", "C-\(number)"), ("metadata", String(repeating: "ab", count: 32)), ("readers", "lawyer")])
    }

    /// The end of `team`'s log as it stands.
    static func chainEnd(_ team: Team) throws -> EntryChain {
        EntryChain(vaultID: team.vault.vaultID, frontier: try team.vault.trusted().frontier)
    }

    static func request(_ chain: EntryChain, _ templates: [EntryTemplate], member: String = "luis") -> AgentMessage {
        AgentMessage.entryRun(
            vaultID: chain.vaultID, member: member, frontier: chain.frontier, templates: templates[...])
    }

    static func expectRefused(_ reply: AgentMessage?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply?.kind == AgentMessage.Status.refused.rawValue, sourceLocation: sourceLocation)
        #expect(
            reply?.fieldCount == 2, "a refusal carries a category and a reason, no signature",
            sourceLocation: sourceLocation)
    }

    @Test("two runs: each signature is the member's, over the entry this side makes, chained across the runs")
    func runsChain() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let key = try Ed25519.PublicKey(rawRepresentation: Hex.decode(team.lawyer.signingPublicKey)!)
        let author = LogAuthor(session: team.lawyer)
        var chain = try Self.chainEnd(team)
        let start = Int(chain.frontier.size)
        var leaves: [[UInt8]] = []
        for run in [0..<3, 3..<5] {
            let templates = run.map(Self.template)
            let reply = try #require(try running.exchange(Self.request(chain, templates)))
            #expect(reply.kind == AgentMessage.Status.ok.rawValue)
            try #require(reply.fieldCount == templates.count)
            for (offset, template) in templates.enumerated() {
                let signature = try reply.field(offset)
                let made = try chain.extend(template, author: author, signature: signature)
                #expect(made.entry.previousSize == start + leaves.count)
                #expect(key.isValidSignature(signature, for: Array(made.entry.body.utf8)))
                leaves.append(made.leaf)
            }
        }
        // The chain is the vault's tree with the five leaves after it, rebuilt here without `EntryChain`.
        var expected = try team.vault.trusted().frontier
        for leaf in leaves { try expected.append(leafHash: leaf) }
        #expect(chain.frontier == expected)
        // Each entry names the tree just before it: the third names the first two, not the vault's tree.
        let third = try chain.extend(Self.template(9), author: author, signature: Array(repeating: 0, count: 64))
        #expect(third.entry.previousSize == start + 5)
        #expect(third.entry.previousRoot == (try expected.root()))
    }

    @Test("a batch add through the agent spans several runs, and the whole log verifies as audit verify checks it")
    func batchAddVerifies() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        let before = try team.vault.auditEntries().count
        // Three runs of 80, 80 and 10 entries.
        let count = 2 * EntryRuns.runLength + 10
        let contents = (0..<count).map { _ in randomBytes(300) }
        let paths = try contents.enumerated().map { try team.folder.write("f\($0.offset)", $0.element) }
        let items = try team.vault.add(caseID: "C-1", files: paths, by: session)
        #expect(items.count == count)
        #expect(try team.vault.auditEntries().count == before + count)
        let report = try team.vault.verifyWholeLog()
        #expect(report.problems.isEmpty)
        // A new client replays the log from the folder alone and reads the last item of the last run.
        let fresh = try TemporaryFolder()
        let reopened = try Vault.open(at: team.vaultPath, keyWorkFactor: testWorkFactor, stateFolder: fresh.path)
        let out = team.folder.file("last")
        let lawyer = try reopened.unlock("luis", passphrase: secret("luis passphrase"))
        try reopened.get(items[count - 1].id, to: .file(path: out), by: lawyer)
        #expect(try readFile(out) == contents[count - 1])
    }

    @Test("a run's wrong signatures are refused before the commit even when the checkpoint's is right")
    func wrongRunSignaturesRefused() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let rogue = try RogueAgent(posingAs: team.lawyer, vault: team.vault, in: team.folder, honestSignatures: true)
        let session = try #require(try team.vault.sessionFromAgent("luis", in: rogue.directory))
        // The rogue agent's single signatures are the member's: a checkpoint passes.
        let message = Array("checkpoint".utf8)
        #expect(try session.sign(message) == (try team.lawyer.sign(message)))
        try RogueAgent.expectBatchRefused(files: 3, in: team, by: session)
    }

    @Test(
        "a malformed request is refused and nothing is signed",
        arguments: [
            "size not canonical", "hash missing", "short hash", "no entry", "too many entries",
            "fields without newline", "field without value", "unknown type", "fields not in threes",
        ])
    func malformedRefused(_ defect: String) throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let chain = try Self.chainEnd(team)
        let size = chain.frontier.size
        try #require(size > 0)
        let hashes = chain.frontier.hashes
        var entries: [[String]] = [["case.create", "2026-03-01T14:05:09Z", "case C-1\nmetadata ab\nreaders lawyer\n"]]
        var sizeText = String(size)
        var sent = hashes
        switch defect {
        case "size not canonical": sizeText = "0" + sizeText
        case "hash missing": sent = Array(hashes.dropLast())
        case "short hash": sent[0] = Array(sent[0].dropLast())
        case "no entry": entries = []
        case "too many entries":
            entries = Array(repeating: entries[0], count: AgentMessage.maximumRunEntries + 1)
        case "fields without newline": entries[0][2] = "case C-1\nmetadata ab\nreaders lawyer"
        case "field without value": entries[0][2] = "case C-1\nmetadata\nreaders lawyer\n"
        case "unknown type": entries[0][0] = "case.created"
        default: entries[0].removeLast()
        }
        let message = AgentMessage(.signEntries).append(chain.vaultID).append("luis").append(sizeText)
        for hash in sent { message.append(hash) }
        for field in entries.joined() { message.append(field) }
        Self.expectRefused(try running.exchange(message))
        // The same request without the defect is signed.
        let good = AgentMessage(.signEntries).append(chain.vaultID).append("luis").append(String(size))
        for hash in hashes { good.append(hash) }
        for field in ["case.create", "2026-03-01T14:05:09Z", "case C-1\nmetadata ab\nreaders lawyer\n"] {
            good.append(field)
        }
        #expect(try running.exchange(good)?.kind == AgentMessage.Status.ok.rawValue)
    }

    @Test(
        "a run with one entry that is not a well-formed entry is refused whole",
        arguments: ["missing field", "unknown field", "genesis", "double space", "newline in a value", "empty value"])
    func tamperedEntryRefused(_ defect: String) throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let good = Self.template(1)
        var fields = good.fields
        var type = good.type
        var time = good.time
        switch defect {
        case "missing field": fields.removeLast()
        case "unknown field": fields.append(("admin", "ana"))
        case "genesis":
            type = .genesis
            fields = [
                ("admin", "luis"), ("role", "lawyer"), ("class-readers", "x"), ("case-readers", "x"),
                ("upgrade", "x"),
            ]
        case "double space": fields[0].value = "C  1"
        case "newline in a value": time = "2026-03-01T14:05:09Z\ncase C-9"
        default: fields[0].value = ""
        }
        let chain = try Self.chainEnd(team)
        let tampered = EntryTemplate(type: type, time: time, fields: fields)
        // The good entry first: nothing at all is signed.
        Self.expectRefused(try running.exchange(Self.request(chain, [good, tampered])))
        #expect(try running.exchange(Self.request(chain, [good, good]))?.kind == AgentMessage.Status.ok.rawValue)
    }

    @Test("an agent asked for entries of another vault or another member refuses")
    func otherVaultOrMemberRefused() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        defer { running.stop(through: team.vault, member: "luis") }
        let chain = try Self.chainEnd(team)
        let templates = [Self.template(1)]
        let otherVault = EntryChain(vaultID: String(repeating: "0", count: 32), frontier: chain.frontier)
        Self.expectRefused(try running.exchange(Self.request(otherVault, templates)))
        Self.expectRefused(try running.exchange(Self.request(chain, templates, member: "paula")))
        // An agent unlocked for another member (ana) refuses the lawyer's entries, and signs its own.
        let admin = try RunningAgent(team.admin, in: team.folder)
        defer { admin.stop(through: team.vault, member: "ana") }
        Self.expectRefused(try admin.exchange(Self.request(chain, templates)))
        #expect(
            try admin.exchange(Self.request(chain, templates, member: "ana"))?.kind == AgentMessage.Status.ok.rawValue)
        // An agent of another vault, for a member of the same name, refuses this vault's entries.
        let other = try Team()
        let otherAgent = try RunningAgent(other.lawyer, in: other.folder)
        defer { otherAgent.stop(through: other.vault, member: "luis") }
        Self.expectRefused(try otherAgent.exchange(Self.request(chain, templates)))
        #expect(try running.exchange(Self.request(chain, templates))?.kind == AgentMessage.Status.ok.rawValue)
    }
}
