import CaseVaultIO

extension CustodyBundle {
    /// Every file of an item's `seals/` must be a `run.seal` entry `S.entry` that verifies as any entry of the
    /// bundle does (signature, inclusion proof, `prev` line: Docs/FORMAT.md, "Evidence bundles", point 3), or
    /// the `S.proof` of one. A seal no event needs is checked too: a bundle holds nothing unproved.
    static func sealFolderProblems(_ item: String, folder: String, context: Context) -> [String] {
        let names = FileSystem.contents(of: folder).sorted()
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
            var found: [String] = []
            if let seal = context.check(folder, index: index, &found), seal.entry.type != .runSeal {
                found.append("entry \(index): it is not a run.seal")
            }
            problems += found.map { "\(item) seals/\($0)" }
        }
        return problems
    }
}
