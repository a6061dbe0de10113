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
    /// An entry made and signed, as stored: the entry, its signed note's bytes (the Merkle leaf) and the
    /// leaf's hash, and the author's signature of its body.
    struct Made: Sendable {
        let entry: LogEntry
        let note: [UInt8]
        let leaf: [UInt8]
        /// Empty for an entry stored unsigned, under a `run.seal` (`makeUnsigned`).
        let signature: [UInt8]

        var signed: Bool { !signature.isEmpty }
    }

    /// Makes `template` into an entry stored unsigned, its body alone, for a `run.seal` by `author` to cover.
    static func makeUnsigned(
        _ template: EntryTemplate, vault: String?, previousSize: Int, previousRoot: [UInt8], author: LogAuthor
    ) throws -> Made {
        let entry = LogEntry(
            type: template.type, vault: vault, previousSize: previousSize, previousRoot: previousRoot,
            time: template.time, author: author.name, fields: template.fields)
        let note = Array(entry.body.utf8)
        _ = try note.withUnsafeBufferPointer { try LogEntry.parse(bytes: $0) }
        return Made(entry: entry, note: note, leaf: try Merkle.leafHash(note), signature: [])
    }

    /// Makes `template` into the entry of `vault` by `author` against the tree of `previousSize` entries with
    /// root `previousRoot`, and its signed note: signed by `author`, or carrying `signature` when the
    /// signature was made elsewhere (by the unlock agent, for exactly this entry). The one place entries are
    /// made, by a command appending to its log and by the agent signing a run of them.
    static func make(
        _ template: EntryTemplate, vault: String?, previousSize: Int, previousRoot: [UInt8], author: LogAuthor,
        signature: [UInt8]? = nil
    ) throws -> Made {
        let entry = LogEntry(
            type: template.type, vault: vault, previousSize: previousSize, previousRoot: previousRoot,
            time: template.time, author: author.name, fields: template.fields)
        let body = entry.body
        // What a verifier will parse back must be this very entry: canonical, with the type's fields.
        _ = try LogEntry.parse(body)
        let signature = try signature ?? author.sign(Array(body.utf8))
        let note = try author.note(body, signature: signature).bytes
        return Made(entry: entry, note: note, leaf: try Merkle.leafHash(note), signature: signature)
    }
}

/// The end of a vault's log as a batch extends it, entry after entry: each entry made names the tree that
/// ends with the entry before it.
struct EntryChain: Sendable {
    let vaultID: String
    private(set) var frontier: MerkleFrontier

    /// Makes the next entry from `template` (signed by `author`, or carrying `signature`, see
    /// `SignedEntry.make`) and extends the tree with it.
    mutating func extend(_ template: EntryTemplate, author: LogAuthor, signature: [UInt8]? = nil) throws
        -> SignedEntry.Made
    {
        let root = frontier.size == 0 ? try Merkle.emptyRoot() : try frontier.root()
        let made = try SignedEntry.make(
            template, vault: vaultID, previousSize: Int(frontier.size), previousRoot: root, author: author,
            signature: signature)
        try frontier.append(leafHash: made.leaf)
        return made
    }

    /// Makes the next entry from `template` unsigned (`SignedEntry.makeUnsigned`) and extends the tree with it.
    mutating func extendUnsigned(_ template: EntryTemplate, author: LogAuthor) throws -> SignedEntry.Made {
        let root = frontier.size == 0 ? try Merkle.emptyRoot() : try frontier.root()
        let made = try SignedEntry.makeUnsigned(
            template, vault: vaultID, previousSize: Int(frontier.size), previousRoot: root, author: author)
        try frontier.append(leafHash: made.leaf)
        return made
    }
}
