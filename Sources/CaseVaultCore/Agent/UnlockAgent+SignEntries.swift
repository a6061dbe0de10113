extension UnlockAgent {
    /// Makes, signs and chains a run of log entries (`AgentMessage.entryRun`), so that a batch costs one
    /// round trip per run instead of one per entry. Each entry is made exactly as a command appending to its
    /// log makes it (`EntryChain`, `SignedEntry.make`), with this agent's vault id and member as its vault
    /// and author: the agent signs only well-formed entries of the vault and member it was unlocked for,
    /// never a genesis, and nothing at all when one entry of the run is not one.
    func signEntries(_ request: AgentMessage) -> AgentMessage {
        guard let run = try? request.entryRun() else {
            return refusal("request", "a sign-entries request needs a tree and 1 to 128 entries")
        }
        guard run.vaultID == handoff.vaultID, run.member == handoff.member else {
            return refusal("request", "the entries are not for this agent's vault and member")
        }
        var chain = EntryChain(vaultID: handoff.vaultID, frontier: run.frontier)
        let author = LogAuthor(name: handoff.member, keys: handoff.keys)
        let reply = AgentMessage(.ok)
        for (index, template) in run.templates.enumerated() {
            guard template.type != .genesis, let made = try? chain.extend(template, author: author) else {
                return refusal("request", "entry \(index + 1) of the run is not a well-formed log entry")
            }
            reply.append(made.signature)
        }
        return reply
    }
}
