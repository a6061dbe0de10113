import CaseVaultIO

extension CustodyBundle {
    /// An item's `seals/`, checked: the index of every `S.entry`, and those that verify as entries (whether
    /// each is a `run.seal` covering an event is the event's check, `Context.sealed`).
    struct ItemSeals {
        var indexes: [Int] = []
        var verified: [Int: ProvedEntry] = [:]
    }

    /// Checks every file of an item's `seals/`, once: each must be a `run.seal` entry `S.entry` that verifies
    /// as any entry of the bundle does (signature, inclusion proof, `prev` line: Docs/FORMAT.md, "Evidence
    /// bundles", point 3), or the `S.proof` of one. A seal no event needs is checked too: a bundle holds
    /// nothing unproved. Returns the seals and the problems found.
    static func checkSeals(_ item: String, folder: String, context: Context) -> (ItemSeals, [String]) {
        let names = FileSystem.contents(of: folder).sorted()
        var seals = ItemSeals()
        var problems: [String] = []
        for name in names {
            let stem = name.hasSuffix(".entry") || name.hasSuffix(".proof") ? String(name.dropLast(6)) : ""
            guard let index = Int(stem), String(index) == stem else {
                problems.append("\(item) seals/\(name): not a seal's entry or proof")
                continue
            }
            if name.hasSuffix(".proof") {
                if !names.contains("\(index).entry") {
                    problems.append("\(item) seals/\(name): a proof without its entry")
                }
                continue
            }
            seals.indexes.append(index)
            var found: [String] = []
            if let seal = context.check(folder, index: index, &found) {
                seals.verified[index] = seal
                if seal.entry.type != .runSeal { found.append("entry \(index): it is not a run.seal") }
            }
            problems += found.map { "\(item) seals/\($0)" }
        }
        return (seals, problems)
    }
}
