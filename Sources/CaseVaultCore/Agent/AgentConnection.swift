import CaseVaultIO

/// A connection to an unlock agent that carries requests one after another. A batch asks the agent for
/// thousands of signatures, and a new connection for each (socket, connect, the agent's accept and peer
/// check, close) cost more than the signature itself.
///
/// The agent serves one connection at a time and ends each after its turn (`UnlockAgent.turnMilliseconds`),
/// between two replies, so that a batch cannot keep other clients, `lock` included, waiting. The next
/// request then connects again, behind whoever was waiting. A request sent on a connection the agent has
/// just ended is sent once more on a new one: asking the agent to sign or to open an envelope changes
/// nothing but its reply, so asking twice is harmless.
final class AgentConnection {
    let socketPath: String
    private var socket: UnixSocket?

    init(socketPath: String) { self.socketPath = socketPath }

    /// One request and its reply; nil when nobody listens at `socketPath`.
    func exchange(_ message: AgentMessage) throws -> AgentMessage? {
        do {
            if let socket {
                self.socket = nil
                // The agent closed it (its turn was over) or it failed: either way, connect again below.
                if let reply = try? Self.roundTrip(message, over: socket) {
                    self.socket = socket
                    return reply
                }
            }
            guard let fresh = try UnixSocket.connect(to: socketPath, timeoutSeconds: AgentKeys.timeoutSeconds) else {
                return nil
            }
            guard let reply = try Self.roundTrip(message, over: fresh) else {
                throw VaultError.agentUnavailable(.closedWithoutAnswer)
            }
            socket = fresh
            return reply
        } catch let error as IOError {
            // A socket that fails is an agent that cannot be used: the caller falls back to the key file.
            throw VaultError.agentUnavailable(.io(error))
        }
    }

    /// Whether a connection to the agent is open (the agent serves one connection at a time: an open one
    /// keeps every other client waiting, up to the agent's one-second wait for its next request).
    var isOpen: Bool { socket != nil }

    /// Ends the connection, so the agent serves the next client at once.
    func close() { socket = nil }

    /// Sends `message` and reads the reply; nil when the agent closed the connection without one.
    private static func roundTrip(_ message: AgentMessage, over socket: UnixSocket) throws -> AgentMessage? {
        try message.send(over: socket)
        return try AgentMessage.receive(from: socket)
    }
}
