/// Runs of entries under one signature (Docs/FORMAT.md, "Runs of entries under one signature"): a batch add
/// stores its `item.add` entries unsigned and ends each run with a signed `run.seal` by the same author,
/// whose `prev` line names the tree that ends with them. The seal's signature covers the run as every `prev`
/// line covers what precedes it, at one Ed25519 signature (and one check) per run instead of per item.
extension LogState {
    /// Unsigned entries waiting for the seal that covers them.
    struct OpenRun: Sendable, Equatable, Codable {
        var author: String
        /// The index of the run's first entry.
        var first: Int
        var count: Int
    }

    /// Checks, before `entry` is applied, where it stands among runs: only an `item.add` may be unsigned; an
    /// unsigned entry continues its author's run (or starts one); while a run is open, the only signed entry
    /// allowed is its author's `run.seal` covering exactly the run; and a `run.seal` closes an open run.
    func checkRun(_ entry: LogEntry, signed: Bool) throws(LogProblem) {
        if !signed && entry.type != .itemAdd { throw .unsignedType(entry.type.rawValue) }
        if let run = openRun {
            guard entry.author == run.author else { throw .unsealedRun(first: run.first) }
            if signed {
                guard entry.type == .runSeal, entry.value("covers") == String(run.count) else {
                    throw .unsealedRun(first: run.first)
                }
            }
        } else if entry.type == .runSeal {
            throw .inconsistent("run.seal covers no unsigned entries")
        }
    }

    /// Records `entry`, applied at `index`, in the run bookkeeping: a signed entry leaves no run open.
    mutating func noteRun(_ entry: LogEntry, signed: Bool, index: Int) {
        guard !signed else {
            openRun = nil
            return
        }
        if var run = openRun {
            run.count += 1
            openRun = run
        } else {
            openRun = OpenRun(author: entry.author, first: index, count: 1)
        }
    }

    /// A log, or a checkpoint, may not end inside a run: its unsigned entries would be nobody's.
    func checkRunClosed() throws(LogProblem) {
        if let run = openRun { throw .unsealedRun(first: run.first) }
    }
}
