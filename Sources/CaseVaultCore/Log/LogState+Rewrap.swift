/// Rewrapping in the log: `item.rewrap` and `case.rewrap` move the stanza of one role in a batch of item
/// headers (and their metadata) or case titles from an older generation to the role's current one. Only the
/// age headers change, so the entry records their new hashes and the new reader list; everything else an
/// item's `item.add` bound (object, size, SHA-256, class, case) stays as it was.
extension LogState {
    /// Applies `item.rewrap`: lines `ID HEADER-SHA256 METADATA-SHA256`.
    mutating func rewrapItems(_ entry: LogEntry, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem) {
        let (role, generation) = try rewrapTarget(entry)
        var updated: [String: Item] = [:]
        for line in entry.values("item") {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3 else { throw .malformed("an item line is not 'ID HEADER METADATA'") }
            guard updated[parts[0]] == nil, var item = try knownItem(parts[0], lookup: lookup) else {
                throw .inconsistent("no item \(parts[0]) to rewrap, or named twice")
            }
            item.readers = try Self.rewrapped(item.readers, role: role, to: generation, subject: parts[0])
            item.headerHash = parts[1]
            item.metadataHash = parts[2]
            updated[parts[0]] = item
        }
        // Every line was checked before any item changes.
        items.merge(updated) { $1 }
    }

    /// Applies `case.rewrap`: lines `ID METADATA-SHA256`.
    mutating func rewrapCases(_ entry: LogEntry) throws(LogProblem) {
        let (role, generation) = try rewrapTarget(entry)
        var updated: [String: Case] = [:]
        for line in entry.values("case") {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 2 else { throw .malformed("a case line is not 'ID METADATA'") }
            guard updated[parts[0]] == nil, var facts = cases[parts[0]] else {
                throw .inconsistent("no case \(parts[0]) to rewrap, or named twice")
            }
            facts.readers = try Self.rewrapped(facts.readers, role: role, to: generation, subject: parts[0])
            facts.metadataHash = parts[1]
            updated[parts[0]] = facts
        }
        cases.merge(updated) { $1 }
    }

    /// The role and generation of a rewrap: the role's current generation, and an author who holds the role
    /// (rewrapping opens the file keys with the role's older keys).
    private func rewrapTarget(_ entry: LogEntry) throws(LogProblem) -> (String, Int) {
        guard let role = entry.value("role"), let text = entry.value("generation"), let generation = Int(text) else {
            throw .malformed("no role or generation field")
        }
        guard let facts = roles[role], facts.current > 0, generation == facts.current else {
            throw .inconsistent("\(role):\(text) is not the role's current key")
        }
        guard facts.holders.contains(entry.author) else { throw .notAuthorized("only a holder of \(role) rewraps") }
        return (role, generation)
    }

    /// `readers` with `role`'s older generation replaced by `generation`, in place (the stanza order).
    private static func rewrapped(_ readers: [String], role: String, to generation: Int, subject: String)
        throws(LogProblem) -> [String]
    {
        guard let index = readers.firstIndex(where: { $0.hasPrefix(role + ":") }),
            let old = Int(readers[index].dropFirst(role.count + 1)), old < generation
        else { throw .inconsistent("\(subject) is not wrapped to an older key of \(role)") }
        var out = readers
        out[index] = "\(role):\(generation)"
        return out
    }
}
