import CaseVaultCrypto
import CaseVaultIO
import CaseVaultLog
import Foundation

/// What `verify-bundle` found in an evidence bundle, checked without the vault.
public struct BundleVerification: Sendable, Equatable, Codable {
    public struct ItemResult: Sendable, Equatable, Codable {
        public let item: String
        public let events: [Int]
        /// "age" or "plaintext".
        public let payload: String
        public let payloadMatches: Bool
        public let gaps: [CustodyGap]
    }

    /// The vault id the checkpoint names.
    public let vault: String
    public let treeSize: Int
    /// Who signed the checkpoint (members) and who cosigned it (auditors), as verified.
    public let checkpointSigners: [String]
    public let items: [ItemResult]
    /// The newest checkpoint auditors cosigned, when the bundle carries one (`cosigned/`).
    public let witness: BundleWitness?
    /// Each problem, naming the file or entry.
    public let problems: [String]
    /// What was found and not checked, and why (a bundle of an earlier export's format); not problems.
    public var notes: [String] = []

    public var ok: Bool { problems.isEmpty }
}

/// Checks an evidence bundle (Docs/FORMAT.md, "Evidence bundles") with nothing but its own files: the bag's
/// manifests, the checkpoint's signatures, every event's signature and inclusion proof, the entries binding
/// the signers' keys, each item's chain on its own, and each payload against its recorded hash.
public enum CustodyBundle {
    public static func verify(folder: String) throws -> BundleVerification {
        let digests = BagIt.FileDigests()
        var problems = BagIt.check(folder: folder, digests: digests).map { "bag: \($0)" }
        let data = folder + "/data"
        let listed = keys(data + "/keys/members.txt", &problems)
        let cosigners = keys(data + "/keys/cosigners.txt", &problems)
        let checkpointBytes = (try? FileSystem.readSmallRegularFile(data + "/checkpoint.txt", limit: 1 << 20)) ?? []
        let origin = String(decoding: checkpointBytes.prefix { $0 != 0x0A }, as: UTF8.self)
        // Every key comes from the binding entries, each checked below against the key its author had at
        // its position; keys/members.txt is only compared with them.
        let bindings = readBindings(data + "/keys/bindings", &problems)
        let parties = CustodyParties(bindings)
        let members = currentKeys(parties, bindings)
        var treeSize = 0
        var signers: [String] = []
        var cosigned: [NoteVerifierKey] = []
        var tree: Checkpoint
        do {
            let opened = try Checkpoint.open(checkpointBytes, knownKeys: members + cosigners, origin: origin)
            tree = opened.checkpoint
            treeSize = Int(tree.size)
            signers = opened.verified.map(\.key.name)
            cosigned = opened.verified.map(\.key).filter { $0.type == .cosignatureV1 }
            if !opened.verified.contains(where: { verified in members.contains { $0 == verified.key } }) {
                problems.append("checkpoint.txt: no member's signature verifies")
            }
        } catch {
            // Every proof is against this checkpoint: with it unreadable, each entry would fail in turn and
            // bury the one cause under consequences.
            problems.append(
                "checkpoint.txt: its signatures or its form do not verify; nothing else is checked against it")
            return BundleVerification(
                vault: String(origin.dropFirst("casevault/".count)), treeSize: 0, checkpointSigners: [],
                items: [], witness: nil, problems: problems)
        }
        let context = Context(
            parties: parties, members: members, origin: origin, checkpoint: checkpointBytes, treeSize: treeSize)
        var proved: [(index: Int, entry: LogEntry)] = []
        for (index, entry) in bindings {
            var found: [String] = []
            guard context.check(data + "/keys/bindings", index: index, &found) != nil else {
                problems += found.map { "keys/bindings/\(index).entry: \($0)" }
                continue
            }
            proved.append((index, entry))
        }
        problems += genesisProblems(data + "/keys/bindings/0.entry", origin: origin)
        problems += listedKeyProblems(listed, bindings: proved)
        problems += cosignerProblems(cosigned, bindings: proved)
        let witness = witness(
            data, origin: origin, tree: tree, bindings: proved, cosigners: cosigners, &problems)
        var items: [BundleVerification.ItemResult] = []
        var authors: Set<String> = []
        for item in FileSystem.contents(of: data + "/items").sorted() {
            items.append(
                checkItem(
                    item, folder: data + "/items/" + item, context: context, digests: digests, &authors, &problems))
        }
        var notes: [String] = []
        problems += keyFileProblems(data + "/keys", bindings: proved, authors: authors, notes: &notes)
        var result = BundleVerification(
            vault: String(origin.dropFirst("casevault/".count)), treeSize: treeSize,
            checkpointSigners: signers.sorted(), items: items, witness: witness, problems: problems)
        result.notes = notes
        return result
    }

    /// The entries of `keys/bindings`, parsed (not yet checked), in index order; one of a type that binds
    /// no key, states no profile and grants no role is named and left out.
    private static func readBindings(_ folder: String, _ problems: inout [String]) -> [(index: Int, entry: LogEntry)] {
        var out: [(index: Int, entry: LogEntry)] = []
        for name in FileSystem.contents(of: folder).filter({ $0.hasSuffix(".entry") }) {
            guard let index = Int(name.dropLast(".entry".count)),
                let bytes = try? FileSystem.readSmallRegularFile("\(folder)/\(name)", limit: 1 << 20),
                let note = try? SignedNote(parsing: bytes), let entry = try? LogEntry.parse(note.text)
            else {
                problems.append("keys/bindings/\(name): missing or not a signed entry")
                continue
            }
            guard bindingTypes.contains(entry.type) else {
                problems.append(
                    "keys/bindings/\(name): not an entry that binds a key, states a profile or grants a role")
                continue
            }
            out.append((index, entry))
        }
        return out.sorted { $0.index < $1.index }
    }

    /// Each member's latest bound key: the keys the checkpoint and the inclusion proofs are signed with.
    private static func currentKeys(_ parties: CustodyParties, _ bindings: [(index: Int, entry: LogEntry)])
        -> [NoteVerifierKey]
    {
        Set(bindings.compactMap { $0.entry.keyBinding?.member }).sorted().compactMap { name in
            parties.allKeys(of: name).last.flatMap {
                try? SignedEntry.verifierKey(name: name, signingKeyHex: $0.signingKey)
            }
        }
    }

    /// The key history starts at the genesis, whose leaf hash gives the vault id (its first 16 bytes, hex):
    /// so the keys are those of the vault the checkpoint names, whose fingerprint a court compares.
    private static func genesisProblems(_ path: String, origin: String) -> [String] {
        guard let bytes = try? FileSystem.readSmallRegularFile(path, limit: 1 << 20),
            let leaf = try? Merkle.leafHash(bytes)
        else { return ["keys/bindings/0.entry: the genesis is missing"] }
        guard "casevault/" + Hex.encode(Array(leaf.prefix(16))) == origin else {
            return ["keys/bindings/0.entry: the genesis is not that of the vault checkpoint.txt names"]
        }
        return []
    }

    /// `keys/members.txt` must list exactly the keys the proved binding entries bind, each under its member.
    static func listedKeyProblems(_ listed: [NoteVerifierKey], bindings: [(index: Int, entry: LogEntry)]) -> [String] {
        var bound: [(index: Int, key: NoteVerifierKey)] = []
        for (index, entry) in bindings {
            guard let binding = entry.keyBinding,
                let key = try? SignedEntry.verifierKey(name: binding.member, signingKeyHex: binding.signingKey)
            else { continue }
            bound.append((index, key))
        }
        var problems: [String] = []
        for key in listed where !bound.contains(where: { $0.key == key }) {
            problems.append(
                "keys/members.txt: the key listed for \(key.name) is bound to \(key.name) by no proved entry")
        }
        for (index, key) in bound where !listed.contains(key) {
            problems.append("keys/members.txt: it lacks the key that entry \(index) binds to \(key.name)")
        }
        return problems
    }

    /// An entry whose signature, inclusion proof and `prev` line verified, with its bytes and leaf hash.
    struct ProvedEntry {
        let index: Int
        let entry: LogEntry
        let bytes: [UInt8]
        let leafHash: [UInt8]
    }

    /// What every entry is checked against.
    struct Context {
        /// The keys each member had, from the binding entries.
        let parties: CustodyParties
        /// Each member's latest key: what the checkpoint in each inclusion proof is signed with.
        let members: [NoteVerifierKey]
        let origin: String
        let checkpoint: [UInt8]
        /// The checkpoint's size: a member holding an item is shown with their profile at it.
        let treeSize: Int
        /// The item being checked's `seals/`, checked once (`checkSeals`), for its unsigned events.
        var seals = ItemSeals()

        /// Entry `index` in `folder` (`N.entry`, `N.proof`): signed by its author with the key bound to the
        /// author at that position (the last binding before it), or, stored unsigned, signed by its run's seal
        /// (`sealed`); and proved to be leaf `index` of the bundle's checkpoint. Nil (with the problem named)
        /// when not.
        func check(_ folder: String, index: Int, _ problems: inout [String]) -> ProvedEntry? {
            let label = "entry \(index)"
            guard let bytes = try? FileSystem.readSmallRegularFile("\(folder)/\(index).entry", limit: 1 << 20),
                let (entry, note) = try? SignedEntry.parseStored(bytes)
            else {
                problems.append("\(label): missing or not a signed entry")
                return nil
            }
            guard let bound = parties.signingKey(of: entry, at: index),
                let key = try? SignedEntry.verifierKey(name: entry.author, signingKeyHex: bound.signingKey)
            else {
                problems.append(
                    entry.type == .recoveryRestore
                        ? "\(label): no recovery.key entry of keys/bindings before it sets the key that signs it"
                        : "\(label): no entry of keys/bindings binds a key to \(entry.author) before it")
                return nil
            }
            if let note {
                guard note.signatures.count == 1, (try? note.verify(knownKeys: [key]))?.count == 1 else {
                    problems.append(
                        "\(label): its signature does not verify with the key entry \(bound.boundBy) binds to \(entry.author)"
                    )
                    return nil
                }
            } else if !sealed(entry, index: index, folder: folder, &problems) {
                return nil
            }
            let proofPath = folder.replacingSuffix("/events", with: "/proofs")
            // A missing proof is named as missing: "does not prove" would say the log disagrees, which is not known.
            guard let proofBytes = try? FileSystem.readSmallRegularFile("\(proofPath)/\(index).proof", limit: 1 << 20)
            else {
                problems.append("\(label): its inclusion proof (\(index).proof) is missing or not a regular file")
                return nil
            }
            guard let proof = try? InclusionProofText(parsing: proofBytes), proof.index == UInt64(index),
                proof.checkpointNote == checkpoint, let leaf = try? Merkle.leafHash(bytes),
                let tree = try? proof.verify(leafHash: leaf, knownKeys: members, origin: origin)
            else {
                problems.append("\(label): its inclusion proof does not prove it is entry \(index) of the checkpoint")
                return nil
            }
            // Each entry signs the root of the log before it; the proof's left siblings are that log. Without
            // this, a member's key alone can sign a checkpoint of a tree of real entries and filler that
            // never was a log.
            guard entry.previousSize == index,
                let before = try? Merkle.rootBefore(
                    index: proof.index, size: tree.size, leafHash: leaf, proof: proof.proof, root: tree.rootHash),
                ConstantTime.equals(before, entry.previousRoot)
            else {
                problems.append(
                    "\(label): its prev line is not the root of the \(index) entries before it in the checkpoint's tree"
                )
                return nil
            }
            return ProvedEntry(index: index, entry: entry, bytes: bytes, leafHash: leaf)
        }

        /// An entry stored unsigned (an `item.add` of a batch) is signed by its run's `run.seal`: the first
        /// entry of the item's `seals/` after it, itself checked as any entry (signature, proof, `prev` line),
        /// by the same author, whose `covers` N reaches back to it (seal index − N ≤ `index`). The seal's
        /// `prev` line is the root of the entries before it, this one among them.
        private func sealed(_ entry: LogEntry, index: Int, folder: String, _ problems: inout [String]) -> Bool {
            let label = "entry \(index)"
            guard entry.type == .itemAdd, folder.hasSuffix("/events") else {
                problems.append("\(label): it is unsigned, and only an item.add may be signed by a run.seal")
                return false
            }
            guard let first = seals.indexes.filter({ $0 > index }).min() else {
                problems.append("\(label): it is unsigned, and seals/ holds no run.seal after it")
                return false
            }
            // The seal's own problems are named with every file of seals/ (`checkSeals`).
            guard let seal = seals.verified[first] else {
                problems.append(
                    "\(label): it is unsigned, and seals/\(first).entry, the seal after it, does not verify")
                return false
            }
            guard seal.entry.type == .runSeal, seal.entry.author == entry.author,
                let text = seal.entry.value("covers"), let covers = Int(text), String(covers) == text,
                first - covers <= index
            else {
                problems.append(
                    "\(label): it is unsigned, and seals/\(first).entry is not a run.seal by \(entry.author) covering it"
                )
                return false
            }
            return true
        }
    }

    private static func checkItem(
        _ item: String, folder: String, context: Context, digests: BagIt.FileDigests, _ authors: inout Set<String>,
        _ problems: inout [String]
    ) -> BundleVerification.ItemResult {
        let indexes = FileSystem.contents(of: folder + "/events").filter { $0.hasSuffix(".entry") }
            .compactMap { Int($0.dropLast(".entry".count)) }.sorted()
        let (seals, sealProblems) = checkSeals(item, folder: folder + "/seals", context: context)
        var context = context
        context.seals = seals
        var proved: [ProvedEntry] = []
        for index in indexes {
            var found: [String] = []
            if let entry = context.check(folder + "/events", index: index, &found) { proved.append(entry) }
            problems += found.map { "\(item) \($0)" }
        }
        problems += sealProblems
        let events = proved.map { (index: $0.index, entry: $0.entry) }
        authors.formUnion(events.map(\.entry.author))
        let gaps = CustodyChainCheck.problems(item: item, events: events).map(CustodyGap.init)
        let caseHolds = FileSystem.contents(of: folder + "/case-hold").filter { $0.hasSuffix(".entry") }
            .compactMap { Int($0.dropLast(".entry".count)) }.sorted().compactMap { index in
                var found: [String] = []
                defer { problems += found.map { "\(item) case-hold/\($0)" } }
                return context.check(folder + "/case-hold", index: index, &found)
            }
        if let record = record(item, folder: folder, &problems) {
            problems += partyProblems(
                item, record: record, resolved: context.parties.resolve(events),
                holder: context.parties.holder(after: events, at: context.treeSize))
            problems += recordProblems(
                item, record: record, listed: indexes, proved: proved, gaps: gaps, caseHolds: caseHolds)
        }
        problems += gaps.filter(\.tampering).map { "\(item): \($0.description)" }
        // The payload: an age file must be the bytes of one of the item's export events; the plaintext must
        // hash to the intake's SHA-256.
        let age = "\(folder)/\(item).age"
        let plain = "\(folder)/\(item).bin"
        var kind = "none"
        var matches = false
        if FileSystem.isRegularFile(age), let hash = digests.of(age)?["sha256"] {
            kind = "age"
            matches = events.contains { $0.entry.type == .itemExport && $0.entry.value("export-sha256") == hash }
        } else if FileSystem.isRegularFile(plain), let hash = digests.of(plain)?["sha256"] {
            kind = "plaintext"
            matches = events.first?.entry.value("sha256") == hash
        }
        if !matches { problems.append("\(item): the payload (\(kind)) is not the bytes its custody events record") }
        return BundleVerification.ItemResult(
            item: item, events: indexes, payload: kind, payloadMatches: matches, gaps: gaps)
    }

    /// `custody.json` states who acted, and from whom to whom each transfer went, with their positions,
    /// institutions and key fingerprints: each must be what the signed entries say (`CustodyParties`). A
    /// field that differs is named.
    private static func partyProblems(
        _ item: String, record: CustodyRecord,
        resolved: [Int: (actor: CustodyParty, from: CustodyParty?, to: CustodyParty?)], holder: CustodyParty?
    ) -> [String] {
        var problems = differences(record.holder, holder).map {
            "items/\(item)/custody.json: the holder's \($0) is not what the signed entries state"
        }
        // An event that did not verify is named already; what it states of people proves nothing.
        for event in record.events {
            guard let signed = resolved[event.entry] else { continue }
            let pairs: [(String, CustodyParty?, CustodyParty?)] = [
                ("actor", event.actor, signed.actor), ("from", event.from, signed.from), ("to", event.to, signed.to),
            ]
            for (role, stated, proved) in pairs {
                for field in differences(stated, proved) {
                    problems.append(
                        "items/\(item)/custody.json: entry \(event.entry)'s \(role) \(field) is not what the signed entries state"
                    )
                }
            }
        }
        return problems
    }

    private static func record(_ item: String, folder: String, _ problems: inout [String]) -> CustodyRecord? {
        guard let bytes = try? FileSystem.readSmallRegularFile(folder + "/custody.json", limit: 16 << 20),
            let record = try? JSONDecoder().decode(CustodyRecord.self, from: Data(bytes))
        else {
            problems.append("items/\(item)/custody.json: missing or not a custody record")
            return nil
        }
        return record
    }

    private static func differences(_ a: CustodyParty?, _ b: CustodyParty?) -> [String] {
        let fields: [(String, (CustodyParty) -> String?)] = [
            ("member", \.member), ("full name", \.fullName), ("position", \.position),
            ("institution", \.institution), ("key fingerprint", \.fingerprint),
            ("key binding", { $0.keyBoundBy.map(String.init) }),
            ("profile entry", { $0.profileEntry.map(String.init) }),
        ]
        return fields.filter { _, value in a.flatMap(value) != b.flatMap(value) }.map(\.0)
    }

    private static func keys(_ path: String, _ problems: inout [String]) -> [NoteVerifierKey] {
        guard let bytes = try? FileSystem.readSmallRegularFile(path, limit: 1 << 20) else {
            problems.append("\(FileSystem.baseName(path)): missing")
            return []
        }
        var keys: [NoteVerifierKey] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let key = try? NoteVerifierKey(String(line)) else {
                problems.append("\(FileSystem.baseName(path)): a line is not a verifier key")
                continue
            }
            keys.append(key)
        }
        return keys
    }
}

extension String {
    /// Events and their proofs sit in sibling folders (`events/`, `proofs/`); bindings share one folder.
    fileprivate func replacingSuffix(_ suffix: String, with other: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + other : self
    }
}
