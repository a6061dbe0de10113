/// The replay rules of `custody.reencrypt` (Docs/FORMAT.md, "Re-encryption"): an item given a new file key,
/// a new payload object and new encrypted metadata because a key that could open it is known to be
/// compromised. It is a custody event: it names the item's SHA-256 and object as they stand and links to the
/// item's previous event, so the chain shows the plaintext hash unchanged across the change of object.
extension LogState {
    /// Applies `custody.reencrypt`. The author holds `role`, one of the item's reader roles (re-encryption
    /// opens the old file key with it, as a rewrap does); the new header is wrapped to every reader role of
    /// the item, in the same stanza order, each at its current generation, so nothing is encrypted to a key
    /// that was replaced. A sealed or held item may be re-encrypted: its plaintext does not change.
    mutating func reencryptItem(_ entry: LogEntry, lookup: (String) throws(LogProblem) -> Item?) throws(LogProblem) {
        let (id, item, current) = try linked(entry, lookup: lookup)
        let role = try field(entry, "role")
        let itemRoles = item.readers.map { String($0.split(separator: ":")[0]) }
        guard itemRoles.contains(role) else { throw .inconsistent("\(role) is not a reader role of \(id)") }
        guard holds(entry.author, role) else { throw .notAuthorized("only a holder of \(role) re-encrypts \(id)") }
        let newObject = try field(entry, "new-object")
        try Self.checkHex(newObject, length: 64, "new-object")
        guard newObject != item.object else { throw .inconsistent("the new object of \(id) is its old one") }
        let header = try field(entry, "header")
        let metadata = try field(entry, "metadata")
        try Self.checkHex(header, length: 64, "header")
        try Self.checkHex(metadata, length: 64, "metadata")
        var readers: [String] = []
        for name in itemRoles {
            guard let facts = roles[name], facts.current > 0 else { throw .inconsistent("no role \(name)") }
            readers.append("\(name):\(facts.current)")
        }
        guard try field(entry, "readers") == readers.joined(separator: ",") else {
            throw .inconsistent("the readers of \(id) are not its reader roles at their current keys")
        }
        var updated = item
        updated.object = newObject
        updated.headerHash = header
        updated.metadataHash = metadata
        updated.readers = readers
        items[id] = updated
        var chain = current
        chain.last = size
        setChain(chain, of: id)
    }
}
