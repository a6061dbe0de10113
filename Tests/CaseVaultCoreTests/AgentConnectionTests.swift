import CaseVaultCrypto
import CaseVaultIO
import CaseVaultTestSupport
import Foundation
import Testing

@testable import CaseVaultCore

/// A batch asks the agent for thousands of signatures over one connection; the agent still serves every
/// client in turn.
@Suite("The unlock agent's connections")
struct AgentConnectionTests {
    @Test("one connection carries several requests, one reply each")
    func severalRequestsOnOneConnection() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let socket = try #require(try UnixSocket.connect(to: running.agent.socketPath, timeoutSeconds: 5))
        let key = try Ed25519.PublicKey(rawRepresentation: Hex.decode(team.lawyer.signingPublicKey)!)
        for index in 0..<5 {
            let message = Array("entry \(index)".utf8)
            try AgentMessage(.sign).append(message).send(over: socket)
            let reply = try #require(try AgentMessage.receive(from: socket))
            #expect(reply.kind == AgentMessage.Status.ok.rawValue)
            #expect(key.isValidSignature(try reply.field(0), for: message))
        }
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    @Test("the agent ends a busy connection after its turn, and serves a client that waited")
    func turnEndsAndOthersAreServed() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let busy = try #require(try UnixSocket.connect(to: running.agent.socketPath, timeoutSeconds: 5))
        try AgentMessage(.identify).send(over: busy)
        #expect(try AgentMessage.receive(from: busy) != nil)
        // Connected while `busy` is being served: it waits in the listen queue.
        let waiting = try #require(try UnixSocket.connect(to: running.agent.socketPath, timeoutSeconds: 5))
        try AgentMessage(.identify).send(over: waiting)
        // `busy` keeps asking; after its turn the agent closes it between two replies.
        let start = UnixSocket.monotonicNanoseconds()
        var replies = 0
        while true {
            try? AgentMessage(.identify).send(over: busy)
            guard (try? AgentMessage.receive(from: busy)) != nil else { break }
            replies += 1
            try #require(UnixSocket.monotonicNanoseconds() - start < 5_000_000_000, "never ended")
        }
        let served = Double(UnixSocket.monotonicNanoseconds() - start) / 1e9
        #expect(replies > 1)
        #expect(served < Double(UnlockAgent.turnMilliseconds) / 1000 + 1, "served \(served) s")
        #expect(try AgentMessage.receive(from: waiting)?.kind == AgentMessage.Status.ok.rawValue)
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    @Test("a client's connection is taken up again after the agent ends its turn")
    func clientConnectsAgain() throws {
        let team = try Team()
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let connection = AgentConnection(socketPath: running.agent.socketPath)
        let start = UnixSocket.monotonicNanoseconds()
        var replies = 0
        // Three turns' worth of requests: the agent ends the connection at least twice on the way.
        while UnixSocket.monotonicNanoseconds() - start < 3 * UnlockAgent.turnMilliseconds * 1_000_000 {
            let reply = try #require(try connection.exchange(AgentMessage(.identify)))
            #expect(reply.kind == AgentMessage.Status.ok.rawValue)
            replies += 1
        }
        #expect(replies > 3)
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }

    @Test("a batch through the agent is signed over one connection and verifies")
    func batchThroughAgent() throws {
        let team = try Team()
        try team.vault.createCase(id: "C-1", by: team.lawyer)
        let running = try RunningAgent(team.lawyer, in: team.folder)
        let session = try #require(try team.vault.sessionFromAgent("luis", in: running.directory))
        let paths = try (0..<30).map { try team.folder.write("f\($0)", randomBytes(700)) }
        let items = try team.vault.add(caseID: "C-1", files: paths, by: session)
        #expect(items.count == 30)
        #expect(try team.vault.verifyWholeLog().problems.isEmpty)
        _ = try team.vault.lockAgent(of: "luis", in: running.directory)
        #expect(running.waitUntilStopped())
    }
}
