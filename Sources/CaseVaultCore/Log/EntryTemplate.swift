import CaseVaultCrypto
import CaseVaultLog

/// An entry before the tree it extends is known: everything but its vault, `prev` line and author. A batch
/// makes its runs of entries from these (`EntryRuns`), chaining each to the tree the one before ends.
struct EntryTemplate: Sendable {
    let type: EntryType
    let time: String
    let fields: [(key: String, value: String)]
}

extension SignedEntry {
    /// An entry made, as stored: the entry, its note's bytes (the Merkle leaf) and the leaf's hash.
    struct Made: Sendable {
        let entry: LogEntry
        let note: [UInt8]
        let leaf: [UInt8]
        /// False for an entry stored unsigned, its body alone, under a `run.seal`.
        let signed: Bool
    }

    /// Makes `template` into the entry of `vault` by `author` against the tree of `previousSize` entries with
    /// root `previousRoot`, and its stored note: the signed note, signed by `author`, or (`signed` false) the
    /// body alone, for a `run.seal` by `author` to cover. The one place entries are made.
    static func make(
        _ template: EntryTemplate, vault: String?, previousSize: Int, previousRoot: [UInt8], author: LogAuthor,
        signed: Bool = true
    ) throws -> Made {
        let entry = LogEntry(
            type: template.type, vault: vault, previousSize: previousSize, previousRoot: previousRoot,
            time: template.time, author: author.name, fields: template.fields)
        let body = entry.body
        // What a verifier will parse back must be this very entry: canonical, with the type's fields.
        _ = try LogEntry.parse(body)
        let note = signed ? try author.signedNote(body).bytes : Array(body.utf8)
        return Made(entry: entry, note: note, leaf: try Merkle.leafHash(note), signed: signed)
    }
}

/// The end of a vault's log as a batch extends it, entry after entry: each entry made names the tree that
/// ends with the entry before it.
struct EntryChain: Sendable {
    let vaultID: String
    private(set) var frontier: MerkleFrontier

    /// Makes the next entry from `template`, signed by `author` or (`signed` false) stored unsigned (see
    /// `SignedEntry.make`), and extends the tree with it.
    mutating func extend(_ template: EntryTemplate, author: LogAuthor, signed: Bool = true) throws
        -> SignedEntry.Made
    {
        let root = frontier.size == 0 ? try Merkle.emptyRoot() : try frontier.root()
        let made = try SignedEntry.make(
            template, vault: vaultID, previousSize: Int(frontier.size), previousRoot: root, author: author,
            signed: signed)
        try frontier.append(leafHash: made.leaf)
        return made
    }
}
