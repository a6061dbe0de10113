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
    /// Each problem, naming the file or entry.
    public let problems: [String]

    public var ok: Bool { problems.isEmpty }
}

/// Checks an evidence bundle (Docs/FORMAT.md, "Evidence bundles") with nothing but its own files: the bag's
/// manifests, the checkpoint's signatures, every event's signature and inclusion proof, the entries binding
/// the signers' keys, each item's chain on its own, and each payload against its recorded hash.
public enum CustodyBundle {
    public static func verify(folder: String) throws -> BundleVerification {
        var problems = BagIt.check(folder: folder).map { "bag: \($0)" }
        let data = folder + "/data"
        let members = keys(data + "/keys/members.txt", &problems)
        let cosigners = keys(data + "/keys/cosigners.txt", &problems)
        let checkpointBytes = (try? FileSystem.readSmallFile(data + "/checkpoint.txt", limit: 1 << 20)) ?? []
        let origin = String(decoding: checkpointBytes.prefix { $0 != 0x0A }, as: UTF8.self)
        var treeSize = 0
        var signers: [String] = []
        var cosigned: [NoteVerifierKey] = []
        do {
            let opened = try Checkpoint.open(checkpointBytes, knownKeys: members + cosigners, origin: origin)
            treeSize = Int(opened.checkpoint.size)
            signers = opened.verified.map(\.key.name)
            cosigned = opened.verified.map(\.key).filter { $0.type == .cosignatureV1 }
            if !opened.verified.contains(where: { verified in members.contains { $0 == verified.key } }) {
                problems.append("checkpoint.txt: no member's signature verifies")
            }
        } catch {
            problems.append("checkpoint.txt: its signatures or its form do not verify")
        }
        let context = Context(members: members, origin: origin, checkpoint: checkpointBytes)
        var bindings: [(index: Int, entry: LogEntry)] = []
        for name in FileSystem.contents(of: data + "/keys/bindings").filter({ $0.hasSuffix(".entry") }).sorted() {
            let index = Int(name.dropLast(".entry".count)) ?? -1
            guard let entry = context.check(data + "/keys/bindings", index: index, &problems) else { continue }
            guard bindingTypes.contains(entry.type) else {
                problems.append("keys/bindings/\(name): not an entry that binds a key or grants a role")
                continue
            }
            bindings.append((index, entry))
        }
        problems += cosignerProblems(cosigned, bindings: bindings.sorted { $0.index < $1.index })
        var items: [BundleVerification.ItemResult] = []
        for item in FileSystem.contents(of: data + "/items").sorted() {
            items.append(checkItem(item, folder: data + "/items/" + item, context: context, &problems))
        }
        return BundleVerification(
            vault: String(origin.dropFirst("casevault/".count)), treeSize: treeSize,
            checkpointSigners: signers.sorted(), items: items, problems: problems)
    }

    /// What every entry is checked against.
    private struct Context {
        let members: [NoteVerifierKey]
        let origin: String
        let checkpoint: [UInt8]

        /// Entry `index` in `folder` (`N.entry`, `N.proof`): signed by its author with the author's key, and
        /// proved to be leaf `index` of the bundle's checkpoint. Nil (with the problem named) when not.
        func check(_ folder: String, index: Int, _ problems: inout [String]) -> LogEntry? {
            let label = "entry \(index)"
            guard let bytes = try? FileSystem.readSmallFile("\(folder)/\(index).entry", limit: 1 << 20),
                let note = try? SignedNote(parsing: bytes), let entry = try? LogEntry.parse(note.text)
            else {
                problems.append("\(label): missing or not a signed entry")
                return nil
            }
            guard let key = members.first(where: { $0.name == entry.author }),
                note.signatures.count == 1, (try? note.verify(knownKeys: [key]))?.count == 1
            else {
                problems.append("\(label): its signature does not verify with the key of \(entry.author)")
                return nil
            }
            let proofPath = folder.replacingSuffix("/events", with: "/proofs")
            guard let proofBytes = try? FileSystem.readSmallFile("\(proofPath)/\(index).proof", limit: 1 << 20),
                let proof = try? InclusionProofText(parsing: proofBytes), proof.index == UInt64(index),
                proof.checkpointNote == checkpoint,
                (try? proof.verify(leafHash: try Merkle.leafHash(bytes), knownKeys: members, origin: origin)) != nil
            else {
                problems.append("\(label): its inclusion proof does not prove it is entry \(index) of the checkpoint")
                return nil
            }
            return entry
        }
    }

    private static func checkItem(
        _ item: String, folder: String, context: Context, _ problems: inout [String]
    ) -> BundleVerification.ItemResult {
        let indexes = FileSystem.contents(of: folder + "/events").filter { $0.hasSuffix(".entry") }
            .compactMap { Int($0.dropLast(".entry".count)) }.sorted()
        var events: [(index: Int, entry: LogEntry)] = []
        for index in indexes {
            var found: [String] = []
            if let entry = context.check(folder + "/events", index: index, &found) { events.append((index, entry)) }
            problems += found.map { "\(item) \($0)" }
        }
        let gaps = CustodyChainCheck.problems(item: item, events: events).map(CustodyGap.init)
        problems += gaps.filter(\.tampering).map { "\(item): \($0.description)" }
        // The payload: an age file must be the bytes of one of the item's export events; the plaintext must
        // hash to the intake's SHA-256.
        let age = "\(folder)/\(item).age"
        let plain = "\(folder)/\(item).bin"
        var kind = "none"
        var matches = false
        if FileSystem.isRegularFile(age), let hash = try? BagIt.hash(age).digests.first?.1 {
            kind = "age"
            matches = events.contains { $0.entry.type == .itemExport && $0.entry.value("export-sha256") == hash }
        } else if FileSystem.isRegularFile(plain), let hash = try? BagIt.hash(plain).digests.first?.1 {
            kind = "plaintext"
            matches = events.first?.entry.value("sha256") == hash
        }
        if !matches { problems.append("\(item): the payload (\(kind)) is not the bytes its custody events record") }
        return BundleVerification.ItemResult(
            item: item, events: indexes, payload: kind, payloadMatches: matches, gaps: gaps)
    }

    private static func keys(_ path: String, _ problems: inout [String]) -> [NoteVerifierKey] {
        guard let bytes = try? FileSystem.readSmallFile(path, limit: 1 << 20) else {
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
