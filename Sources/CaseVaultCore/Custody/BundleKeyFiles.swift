import CaseVaultCrypto
import CaseVaultIO
import Foundation

/// A signer of a bundle's events as `keys/signers.json` lists them: the report's `signers` without the roles
/// (which role a member held cannot be proved from the entries a bundle carries).
struct BundleSigner: Sendable, Equatable, Codable {
    let name: String
    let signingKey: String
    let fingerprint: String
    let boundBy: Int
    let keys: [CustodySignerKey]

    /// Each of `names`, with the keys the binding entries `parties` was made from bind to them.
    static func all(_ names: [String], _ parties: CustodyParties) -> [BundleSigner] {
        names.sorted().compactMap { name in
            guard let last = parties.allKeys(of: name).last else { return nil }
            return BundleSigner(
                name: name, signingKey: last.signingKey,
                fingerprint: CustodyParties.fingerprint(ofSigningKey: last.signingKey) ?? "", boundBy: last.index,
                keys: parties.keyHistory(of: name))
        }
    }
}

extension CustodyBundle {
    /// The key files a bundle ships for `openssl` and for readers must be exactly what the proved binding
    /// entries bind: `NAME.der` the latest key of each author of a proved event, `bindings/N.der` the key
    /// entry N binds, `signers.json` each author's keys with the entries that bound them.
    static func keyFileProblems(
        _ folder: String, bindings: [(index: Int, entry: LogEntry)], authors: Set<String>, notes: inout [String]
    ) -> [String] {
        let parties = CustodyParties(bindings)
        var problems: [String] = []
        let signers = FileSystem.contents(of: folder).filter { $0.hasSuffix(".der") }.map {
            String($0.dropLast(".der".count))
        }
        for name in Set(signers).union(authors).sorted() {
            let expected = parties.allKeys(of: name).last.map { Vault.ed25519DER($0.signingKey) }
            problems += derProblems(
                folder, "\(name).der", expected: authors.contains(name) ? expected : nil,
                what: "the latest key the proved entries bind to \(name)", stray: "\(name) signed no proved event")
        }
        let shipped = FileSystem.contents(of: folder + "/bindings").filter { $0.hasSuffix(".der") }.map {
            $0.dropLast(".der".count)
        }
        var bound: [Int: [UInt8]] = [:]
        for (index, entry) in bindings {
            if let key = entry.keyBinding?.signingKey { bound[index] = Vault.ed25519DER(key) }
        }
        for index in Set(shipped.compactMap { Int($0) }).union(bound.keys).sorted() {
            problems += derProblems(
                folder, "bindings/\(index).der", expected: bound[index], what: "the key proved entry \(index) binds",
                stray: "no proved entry \(index) binds a key")
        }
        for name in shipped where Int(name) == nil { problems.append("keys/bindings/\(name).der: not a binding's key") }
        let expected = BundleSigner.all(Array(authors), parties)
        let path = folder + "/signers.json"
        guard let bytes = try? FileSystem.readSmallRegularFile(path, limit: 16 << 20),
            let listed = try? JSONDecoder().decode([BundleSigner].self, from: Data(bytes))
        else { return problems + ["keys/signers.json: missing or not a list of signers"] }
        let differing = Set(listed.map(\.name)).union(expected.map(\.name)).sorted().filter { name in
            listed.first { $0.name == name } != expected.first { $0.name == name }
        }
        problems += differing.map { "keys/signers.json: what it states of \($0) is not what the proved entries bind" }
        // Fields the decoder ignores would otherwise pass unseen. Bundles exported before 2026-12-02 listed
        // each signer's `roles` too, which no entry of a bundle proves; a court may hold such a bundle, so it
        // still verifies, with that one extra key (a list of role names) and nothing else.
        if differing.isEmpty, (try? Vault.bundleJSON(expected)).map({ Array($0.utf8) }) != bytes {
            if Self.isEarlierSignersList(bytes, expected) {
                notes.append(
                    "keys/signers.json lists each signer's roles, as bundles exported before 2026-12-02 did: "
                        + "nothing in a bundle proves them, and they were not checked.")
            } else {
                problems.append("keys/signers.json: it is not the list of signers export writes")
            }
        }
        return problems
    }

    /// `bytes` lists `expected` as bundles exported before 2026-12-02 did: each signer's fields plus `roles`,
    /// a list of role names.
    private static func isEarlierSignersList(_ bytes: [UInt8], _ expected: [BundleSigner]) -> Bool {
        guard let listed = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]],
            let current = (try? Vault.bundleJSON(expected)).flatMap({
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [[String: Any]]
            }),
            listed.count == current.count
        else { return false }
        return zip(listed, current).allSatisfy { old, now in
            guard let roles = old["roles"] as? [String], roles.allSatisfy({ (try? Names.checkRole($0)) != nil })
            else { return false }
            // Everything but the roles, nested keys included, exactly as export writes it now.
            var rest = old
            rest["roles"] = nil
            return NSDictionary(dictionary: rest).isEqual(to: now)
        }
    }

    /// A DER key file `relative` (under `keys/`): absent when nothing is expected, else exactly `expected`.
    private static func derProblems(
        _ folder: String, _ relative: String, expected: [UInt8]?, what: String, stray: String
    ) -> [String] {
        let path = "\(folder)/\(relative)"
        guard FileSystem.exists(path) else { return expected == nil ? [] : ["keys/\(relative): missing"] }
        guard let expected else { return ["keys/\(relative): \(stray)"] }
        guard (try? FileSystem.readSmallRegularFile(path, limit: 4096)) == expected else {
            return ["keys/\(relative): it is not \(what)"]
        }
        return []
    }
}
