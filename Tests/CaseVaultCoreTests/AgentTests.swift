import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// An unlock agent serving on a background thread of the test process.
final class RunningAgent: @unchecked Sendable {
    let agent: UnlockAgent
    let directory: AgentDirectory
    private let finished = DispatchSemaphore(value: 0)

    init(
        _ session: MemberSession, in folder: TemporaryFolder, lifetime: Int = 60, idle: Int = 60, tick: Int32 = 100
    ) throws {
        directory = AgentDirectory(path: folder.file("agent"))
        let handoff = try AgentHandoff(session: session, expiresAt: Int(time(nil)) + lifetime, idleSeconds: idle)
        agent = try UnlockAgent(handoff: handoff, directory: directory)
        Thread.detachNewThread { [self] in
            agent.serve(tick: tick)
            finished.signal()
        }
    }

    /// Waits for the serving loop to end; false if it is still running after `seconds`.
    func waitUntilStopped(seconds: Double = 10) -> Bool {
        finished.wait(timeout: .now() + seconds) == .success
    }

    /// Locks the agent through `vault`, as `casevault lock` does, and waits for its loop to end: the clean-up
    /// of a test's `defer`, where nothing is asserted (the tests of locking itself assert each step).
    func stop(through vault: Vault, member: String) {
        _ = try? vault.lockAgent(of: member, in: directory)
        _ = waitUntilStopped()
    }

    /// Sends one raw request and returns the reply.
    func exchange(_ message: AgentMessage) throws -> AgentMessage? {
        guard let socket = try UnixSocket.connect(to: agent.socketPath, timeoutSeconds: 5) else { return nil }
        try message.send(over: socket)
        return try AgentMessage.receive(from: socket)
    }
}

@Suite("The unlock agent")
struct AgentTests {
    @Test("a session through the agent reads, adds and signs like one that opened the key file")
    func sessionThroughAgent() throws {
        let team = try Team()
        let plaintext = randomBytes(200_000)
        let item = try team.addItem(plaintext, itemClass: .legal)
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        #expect(session.usesAgent)
        #expect(session.recipient == team.lawyer.recipient)

        try team.vault.get(item.id, to: .file(path: team.folder.file("out")), by: session)
        #expect(try readFile(team.folder.file("out")) == plaintext)

        let source = try team.folder.write("second.bin", Array("second".utf8))
        let added = try team.vault.add(caseID: "C-1", files: [source], by: session)[0]
        try team.vault.get(added.id, to: .file(path: team.folder.file("out2")), by: team.lawyer)
        #expect(try readFile(team.folder.file("out2")) == Array("second".utf8))

        let message = Array("custody event".utf8)
        let signature = try session.sign(message)
        let publicKey = try Ed25519.PublicKey(rawRepresentation: Hex.decode(team.lawyer.signingPublicKey)!)
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(!publicKey.isValidSignature(signature, for: Array("another event".utf8)))

        #expect(try team.vault.lockAgent(of: "luis", in: running.directory))
        #expect(running.waitUntilStopped())
        #expect(!FileManager.default.fileExists(atPath: running.agent.socketPath))
        #expect(try team.vault.sessionFromAgent("luis", in: running.directory) == nil)
    }

    @Test("the agent opens only what its member's key opens")
    func agentOpensOnlyItsOwn() throws {
        let team = try Team()
        let legal = try team.addItem(Array("legal".utf8), itemClass: .legal)
        let running = try RunningAgent(team.psychologist, in: team.folder)
        let session = try #require(try team.vault.sessionFromAgent("paula", in: running.directory))
        #expect(throws: VaultError.notAReader(subject: .item(legal.id), readers: ["lawyer", "mentor"])) {
            try team.vault.get(legal.id, to: .file(path: team.folder.file("out")), by: session)
        }
        #expect(!FileManager.default.fileExists(atPath: team.folder.file("out")))

        // Straight to the agent: a stanza for another key is no match; a malformed one is a header error.
        let other = try X25519Identity.generate()
        let stanzas = try other.recipient.wrap(fileKey: try FileKey.generate())
        #expect(try session.identity.unwrap(stanzas: stanzas) == nil)
        var broken = stanzas[0]
        broken.arguments = ["AAAA"]
        #expect(throws: AgeError.self) { try session.identity.unwrap(stanzas: [broken]) }
        _ = try team.vault.lockAgent(of: "paula", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    @Test("no request, well-formed or not, gets a private key back")
    func noRequestRevealsKeys() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let keys = try #require(team.lawyer.keys as? MemberKeys)
        let secrets = [
            keys.identity.privateKey.rawRepresentation.unsafeExportedBytes(),
            keys.signingKey.rawRepresentation.unsafeExportedBytes(),
            Array("AGE-SECRET-KEY-1".utf8),
        ]
        let stanza = try keys.identity.recipient.wrap(fileKey: try FileKey.generate())[0]
        var replies = 0
        for kind in UInt8.min...UInt8.max where kind != AgentMessage.Operation.lock.rawValue {
            for fields in [[], [stanza.type, stanza.arguments[0]], ["x", "y", "z"]] {
                let request = AgentMessage(kind: kind)
                for field in fields { request.append(field) }
                let reply = try #require(try running.exchange(request))
                var everything: [UInt8] = []
                for index in 0..<reply.fieldCount { everything += try reply.field(index) }
                for secret in secrets {
                    #expect(!contains(everything, secret), "request kind \(kind) with \(fields.count) fields")
                }
                replies += 1
            }
        }
        #expect(replies == 255 * 3)
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    @Test("the agent stops when its time is up or its socket is removed")
    func agentStops() throws {
        let team = try Team()
        let expiring = try RunningAgent(team.lawyer, in: team.folder, lifetime: 1)
        #expect(expiring.waitUntilStopped(seconds: 10))
        #expect(!FileManager.default.fileExists(atPath: expiring.agent.socketPath))
        #expect(try team.vault.sessionFromAgent("luis", in: expiring.directory) == nil)

        let orphaned = try RunningAgent(team.mentor, in: team.folder)
        unlink(orphaned.agent.socketPath)
        #expect(orphaned.waitUntilStopped(seconds: 10))
    }

    @Test("the agent stops after its idle time; opening envelopes keeps it alive, asking who it is does not")
    func idleAgentStops() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8), itemClass: .legal)
        let running = try RunningAgent(team.lawyer, in: team.folder, idle: 2)
        // Used every half second for three seconds: longer than the idle time, so only use kept it alive.
        for step in 0..<6 {
            let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
            try team.vault.get(item.id, to: .file(path: team.folder.file("out-\(step)")), by: session)
            usleep(500_000)
        }
        #expect(try team.vault.sessionFromAgent("luis", in: running.directory) != nil)
        // Identify requests alone (one every half second) do not: it stops within its idle time.
        var stopped = false
        for _ in 0..<12 where !stopped {
            stopped = try team.vault.sessionFromAgent("luis", in: running.directory) == nil
            if !stopped { usleep(500_000) }
        }
        #expect(stopped)
        #expect(running.waitUntilStopped())
    }

    @Test("a client that sends its request slowly cannot keep others waiting")
    func slowClientDropped() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let slow = try #require(try UnixSocket.connect(to: running.agent.socketPath, timeoutSeconds: 30))
        // Two bytes of a frame's length, then nothing: the agent must give up on it.
        try [UInt8(0), 0].withUnsafeBytes { try slow.write($0) }
        let start = UnixSocket.monotonicNanoseconds()
        let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        let waited = Double(UnixSocket.monotonicNanoseconds() - start) / 1e9
        #expect(session.usesAgent)
        #expect(waited < Double(UnlockAgent.requestSeconds) + 2, "waited \(waited) s behind a stalled client")
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    @Test("what a rogue agent returns is checked: a wrong file key or signature is refused")
    func rogueAgentAnswersChecked() throws {
        let team = try Team()
        let item = try team.addItem(Array("acta".utf8), itemClass: .legal)
        let rogue = try RogueAgent(posingAs: team.lawyer, vault: team.vault, in: team.folder)
        let session = try #require(try team.vault.sessionFromAgent("luis", in: rogue.directory))
        #expect(throws: VaultError.self) { try session.sign(Array("event".utf8)) }
        #expect(throws: VaultError.self) {
            try team.vault.get(item.id, to: .file(path: team.folder.file("rogue-out")), by: session)
        }
        #expect(!FileManager.default.fileExists(atPath: team.folder.file("rogue-out")))
    }

    @Test("an agent's answer for other keys is refused")
    func mismatchedAgentRefused() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        // Pose luis's agent as paula's: the vault compares the agent's keys with paula's record.
        let paulaPath = team.vault.agentSocketPath(for: "paula", in: running.directory)
        #expect(symlink(running.agent.socketPath, paulaPath) == 0)
        #expect(throws: VaultError.agentMismatch(member: "paula")) {
            try team.vault.sessionFromAgent("paula", in: running.directory)
        }
        unlink(paulaPath)
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    /// The name check alone would pass here: only comparing the agent's keys with the member's record
    /// refuses it.
    @Test("an agent that names the member and the vault but holds other keys is refused")
    func agentWithOtherKeysRefused() throws {
        let team = try Team()
        let rogue = try RogueAgent(posingAs: team.lawyer, vault: team.vault, in: team.folder, otherKeys: true)
        #expect(throws: VaultError.agentMismatch(member: "luis")) {
            try team.vault.sessionFromAgent("luis", in: rogue.directory)
        }
    }

    @Test("a second agent for the same member is refused, a stale socket is replaced")
    func oneAgentPerMember() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        #expect(throws: VaultError.self) {
            _ = try UnlockAgent(
                handoff: try AgentHandoff(session: team.lawyer, expiresAt: Int(time(nil)) + 60, idleSeconds: 60),
                directory: running.directory)
        }
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())

        // A socket file that nobody listens on (an agent killed with SIGKILL) does not block a new agent.
        let stale = try UnixSocketLeftover(path: running.agent.socketPath)
        #expect(FileManager.default.fileExists(atPath: stale.path))
        let again = try RunningAgent(team.lawyer, in: team.folder)
        #expect(try team.vault.sessionFromAgent("luis", in: again.directory) != nil)
        _ = try team.vault.lockAgent(of: "luis", in: again.directory)
        #expect(again.waitUntilStopped())
    }

    @Test("an agent folder open to others, or owned by someone else, is not used")
    func unsafeFolderRefused() throws {
        let team = try Team()
        let folder = team.folder.file("agent")
        #expect(mkdir(folder, 0o755) == 0)
        chmod(folder, 0o755)
        let directory = AgentDirectory(path: folder)
        #expect(throws: VaultError.self) { try team.vault.sessionFromAgent("luis", in: directory) }
        #expect(throws: VaultError.self) {
            _ = try UnlockAgent(
                handoff: try AgentHandoff(session: team.lawyer, expiresAt: Int(time(nil)) + 60, idleSeconds: 60),
                directory: directory)
        }
        #expect(throws: VaultError.self) { _ = try Vault.lockAllAgents(in: directory) as (Int, [String]) }
        // A missing folder simply means no agent runs.
        #expect(try team.vault.sessionFromAgent("luis", in: AgentDirectory(path: team.folder.file("none"))) == nil)
    }

    @Test("the hand-over carries the keys through a pipe, and nothing else passes for one")
    func handoffRoundTrip() throws {
        let team = try Team()
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let handoff = try AgentHandoff(session: team.lawyer, expiresAt: 1_900_000_000, idleSeconds: 1800)
        try handoff.write(to: ends[1])
        close(ends[1])
        let received = try AgentHandoff.read(from: ends[0])
        #expect(received.member == "luis")
        #expect(received.expiresAt == 1_900_000_000)
        #expect(received.idleSeconds == 1800)
        #expect(received.keys.recipient == team.lawyer.recipient)
        #expect(received.keys.signingPublicKeyHex == team.lawyer.signingPublicKey)

        var garbage: [Int32] = [-1, -1]
        #expect(pipe(&garbage) == 0)
        defer { close(garbage[0]) }
        _ = write(garbage[1], [0, 0, 0, 3, 0x48, 1, 2], 7)
        close(garbage[1])
        #expect(throws: VaultError.self) { _ = try AgentHandoff.read(from: garbage[0]) }

        let running = try RunningAgent(team.lawyer, in: team.folder)
        let viaAgent = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        #expect(throws: VaultError.self) {
            _ = try AgentHandoff(session: viaAgent, expiresAt: 1_900_000_000, idleSeconds: 60)
        }
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}

/// A socket file left behind by a process that died without removing it.
struct UnixSocketLeftover {
    let path: String

    init(path: String) throws {
        self.path = path
        // Bind, then close without unlinking: exactly what SIGKILL leaves.
        _ = try UnixSocket.listen(at: path)
    }
}

/// A process posing as a member's agent: it answers `identify` with the member's real public keys, and
/// every other request with random bytes where a file key or a signature should be.
final class RogueAgent: @unchecked Sendable {
    let directory: AgentDirectory
    private let listener: UnixSocket

    /// With `otherKeys`, it names the member and the vault but announces other public keys, as an agent
    /// holding a stolen or stale key file would.
    /// With `honestSignatures`, it signs single messages (a checkpoint) with the member's real key, and
    /// only the signatures of entry runs are wrong.
    init(
        posingAs session: MemberSession, vault: Vault, in folder: TemporaryFolder, otherKeys: Bool = false,
        honestSignatures: Bool = false
    ) throws {
        directory = AgentDirectory(path: folder.file("rogue-agent"))
        try directory.check(create: true)
        listener = try UnixSocket.listen(at: vault.agentSocketPath(for: session.member, in: directory))
        var keys = (session.recipient, session.signingPublicKey)
        if otherKeys {
            let stranger = try MemberKeys.generate()
            keys = (stranger.recipient, stranger.signingPublicKeyHex)
        }
        let identity = [vault.vaultID, session.member, keys.0, keys.1, "9999999999"]
        Thread.detachNewThread { [self] in
            while let connection = try? listener.accept(waitingAtMost: 10_000) {
                guard let request = try? AgentMessage.receive(from: connection) else { continue }
                let reply = AgentMessage(.ok)
                if request.kind == AgentMessage.Operation.identify.rawValue {
                    for field in identity { reply.append(field) }
                } else if honestSignatures, request.kind == AgentMessage.Operation.sign.rawValue,
                    let signature = try? session.sign(request.field(0))
                {
                    reply.append(signature)
                } else {
                    reply.append(randomBytes(request.kind == AgentMessage.Operation.sign.rawValue ? 64 : 16))
                }
                try? reply.send(over: connection)
            }
        }
    }
}

extension RogueAgent {
    /// Adds `files` small files to case C-1 of `team` as `session` (from a rogue agent posing as luis) and
    /// expects the batch refused before its commit: no item, no log entry, and a log that still verifies.
    static func expectBatchRefused(files: Int, in team: Team, by session: MemberSession) throws {
        let paths = try (0..<files).map { try team.folder.write("f\($0)", randomBytes(100)) }
        let before = try team.vault.auditEntries().count
        #expect(throws: VaultError.agentMismatch(member: "luis")) {
            try team.vault.add(caseID: "C-1", files: paths, by: session)
        }
        #expect(try team.vault.items().isEmpty)
        #expect(try team.vault.auditEntries().count == before)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
    }
}
