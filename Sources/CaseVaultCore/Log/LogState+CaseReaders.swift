/// Adding a case-reader role to cases made before that role had a key: a case's title is encrypted, at
/// `case.create`, to the current key of every case-reader role that has one, so a role that got its first
/// holder later was left out of the cases made until then. `case.reader` adds a stanza for the role's current
/// key to a batch of such cases; the other stanzas and the title stay as they were.
extension LogState {
    /// Applies `case.reader`: fields `role`, `generation`, then lines `ID METADATA-SHA256`.
    mutating func addCaseReader(_ entry: LogEntry) throws(LogProblem) {
        guard let role = entry.value("role"), let text = entry.value("generation"), let generation = Int(text) else {
            throw .malformed("no role or generation field")
        }
        guard caseReaders.contains(role) else { throw .inconsistent("\(role) is not a case-reader role") }
        guard let facts = roles[role], facts.current > 0, generation == facts.current else {
            throw .inconsistent("\(role):\(text) is not the role's current key")
        }
        var updated: [String: Case] = [:]
        for line in entry.values("case") {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 2 else { throw .malformed("a case line is not 'ID METADATA'") }
            guard updated[parts[0]] == nil, var facts = cases[parts[0]] else {
                throw .inconsistent("no case \(parts[0]) to add a reader to, or named twice")
            }
            guard !facts.readers.contains(where: { $0.hasPrefix(role + ":") }) else {
                throw .inconsistent("\(parts[0]) is already read by \(role)")
            }
            // The title's file key is opened with a reader role's key: only a holder of one can add a stanza.
            guard facts.readers.contains(where: { holds(entry.author, String($0.prefix { $0 != ":" })) }) else {
                throw .notAuthorized("only a holder of a reader role of \(parts[0]) adds a reader to it")
            }
            facts.readers.append("\(role):\(generation)")
            facts.metadataHash = parts[1]
            updated[parts[0]] = facts
        }
        // Every line was checked before any case changes.
        cases.merge(updated) { $1 }
    }
}
