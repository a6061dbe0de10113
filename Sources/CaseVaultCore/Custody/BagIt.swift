import CaseVaultCrypto
import CaseVaultIO

/// BagIt 1.0 (RFC 8493) bags: payload under `data/`, payload manifests and tag manifests in SHA-256 and
/// SHA-512. Written after the payload, checked without trusting anything in the bag but its own hashes.
public enum BagIt {
    static let algorithms: [(name: String, algorithm: Digest.Algorithm)] = [("sha256", .sha256), ("sha512", .sha512)]

    /// What is wrong with a bag, naming the file.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case missingTagFile(String)
        case badDeclaration
        case malformedManifest(String)
        /// A file's hash is not the one its manifest lists.
        case hashMismatch(file: String, algorithm: String)
        /// A file the manifest lists is not there.
        case missingFile(String)
        /// A payload file no manifest lists.
        case unlistedFile(String)
        /// `bag-info.txt`'s Payload-Oxum (as found, or nil when there is none) is not `OCTETS.COUNT` of the
        /// payload (`actual`).
        case badOxum(found: String?, actual: String)

        public var description: String {
            switch self {
            case .missingTagFile(let name): "\(name) is missing"
            case .badDeclaration: "bagit.txt is not a BagIt 1.0 declaration"
            case .malformedManifest(let name): "\(name) is not a manifest"
            case .hashMismatch(let file, let algorithm): "\(file) does not match its \(algorithm) in the manifest"
            case .missingFile(let file): "\(file) is listed in the manifest but missing"
            case .unlistedFile(let file): "\(file) is in data/ but in no manifest"
            case .badOxum(let found, let actual):
                "bag-info.txt: its Payload-Oxum (\(found ?? "none")) is not \(actual), the payload's octets and files"
            }
        }
    }

    static let declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

    /// Writes the tag files of the bag at `folder`, whose payload is already under `data/`: the declaration,
    /// `bag-info.txt` (with `info` and the Payload-Oxum), the manifests of every payload file and the tag
    /// manifests of the tag files.
    static func finish(folder: String, info: [(String, String)]) throws {
        let payload = files(under: folder, "data").sorted()
        var octets: Int64 = 0
        var lines: [String: [String]] = [:]
        for path in payload {
            let (digests, size) = try hash(folder + "/" + path)
            octets += size
            for (name, hex) in digests { lines[name, default: []].append("\(hex)  \(path)") }
        }
        try FileSystem.writeNewFile(folder + "/bagit.txt", bytes: Array(declaration.utf8), mode: 0o644)
        let bagInfo = (info + [("Payload-Oxum", "\(octets).\(payload.count)")]).map { "\($0.0): \($0.1)\n" }.joined()
        try FileSystem.writeNewFile(folder + "/bag-info.txt", bytes: Array(bagInfo.utf8), mode: 0o644)
        for (name, _) in algorithms {
            let text = (lines[name] ?? []).map { $0 + "\n" }.joined()
            try FileSystem.writeNewFile(folder + "/manifest-\(name).txt", bytes: Array(text.utf8), mode: 0o644)
        }
        let tags = ["bagit.txt", "bag-info.txt"] + algorithms.map { "manifest-\($0.name).txt" }
        var tagLines: [String: [String]] = [:]
        for tag in tags {
            for (name, hex) in try hash(folder + "/" + tag).digests {
                tagLines[name, default: []].append("\(hex)  \(tag)")
            }
        }
        for (name, _) in algorithms {
            let text = (tagLines[name] ?? []).map { $0 + "\n" }.joined()
            try FileSystem.writeNewFile(folder + "/tagmanifest-\(name).txt", bytes: Array(text.utf8), mode: 0o644)
        }
    }

    /// Every problem of the bag at `folder`: its declaration, every manifest and tag manifest entry, and
    /// payload files that no manifest lists.
    public static func check(folder: String) -> [Problem] { check(folder: folder, digests: FileDigests()) }

    /// The same, hashing each file once for both algorithms into `digests` (which `verify-bundle` then reads
    /// for the payload instead of a third pass over a 1 GiB file).
    static func check(folder: String, digests: FileDigests) -> [Problem] {
        guard let declared = try? FileSystem.readSmallRegularFile(folder + "/bagit.txt", limit: 4096) else {
            return [.missingTagFile("bagit.txt")]
        }
        var problems: [Problem] = []
        if String(decoding: declared, as: UTF8.self) != declaration { problems.append(.badDeclaration) }
        var listed: Set<String> = []
        for prefix in ["manifest", "tagmanifest"] {
            for (name, _) in algorithms {
                let manifest = "\(prefix)-\(name).txt"
                guard let bytes = try? FileSystem.readSmallRegularFile(folder + "/" + manifest, limit: 64 << 20) else {
                    problems.append(.missingTagFile(manifest))
                    continue
                }
                for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: " ", maxSplits: 1)
                    guard parts.count == 2, parts[1].hasPrefix(" "), !parts[1].contains("..") else {
                        problems.append(.malformedManifest(manifest))
                        break
                    }
                    let path = String(parts[1].dropFirst())
                    if prefix == "manifest" { listed.insert(path) }
                    guard FileSystem.isRegularFile(folder + "/" + path),
                        let digest = digests.of(folder + "/" + path)?[name]
                    else {
                        problems.append(.missingFile(path))
                        continue
                    }
                    if digest != parts[0] { problems.append(.hashMismatch(file: path, algorithm: name)) }
                }
            }
        }
        let payload = files(under: folder, "data")
        for path in payload where !listed.contains(path) { problems.append(.unlistedFile(path)) }
        return problems + oxumProblems(folder: folder, payload: payload)
    }

    /// The Payload-Oxum must be exactly one line `Payload-Oxum: OCTETS.COUNT`, both in decimal without
    /// leading zeros, stating the payload's total size and number of files (RFC 8493 §2.2.2).
    private static func oxumProblems(folder: String, payload: [String]) -> [Problem] {
        guard let info = try? FileSystem.readSmallRegularFile(folder + "/bag-info.txt", limit: 1 << 20) else {
            return [.missingTagFile("bag-info.txt")]
        }
        let octets = payload.reduce(Int64(0)) { $0 + (FileSystem.size(of: folder + "/" + $1) ?? 0) }
        let actual = "\(octets).\(payload.count)"
        let found = String(decoding: info, as: UTF8.self).split(separator: "\n").filter {
            $0.hasPrefix("Payload-Oxum:")
        }.map { String($0.dropFirst("Payload-Oxum:".count).drop { $0 == " " }) }
        return found == [actual] ? [] : [.badOxum(found: found.first, actual: actual)]
    }

    /// The files under `folder/relative`, as paths relative to `folder`.
    static func files(under folder: String, _ relative: String) -> [String] {
        var out: [String] = []
        for name in FileSystem.contents(of: folder + "/" + relative) {
            let path = relative + "/" + name
            if FileSystem.isDirectory(folder + "/" + path) {
                out += files(under: folder, path)
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// SHA-256 and SHA-512 of a file, in one read, and its size.
    static func hash(_ path: String) throws -> (digests: [(String, String)], size: Int64) {
        let digests = try algorithms.map { try Digest($0.algorithm) }
        let size = try read(path) { bytes in for digest in digests { try digest.update(bytes) } }
        return (try zip(algorithms, digests).map { ($0.name, Hex.encode(try $1.finalize())) }, size)
    }

    /// Each file's SHA-256 and SHA-512 (hex, by algorithm name), computed in one read the first time a
    /// path is asked for; nil for a file that cannot be read. One `verify-bundle` run, one thread.
    final class FileDigests {
        private var known: [String: [String: String]?] = [:]

        func of(_ path: String) -> [String: String]? {
            if let found = known[path] { return found }
            let digests = (try? BagIt.hash(path)).map { Dictionary(uniqueKeysWithValues: $0.digests) }
            known[path] = digests
            return digests
        }
    }

    private static func read(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let source = try FileSystem.openRegularFile(path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var size: Int64 = 0
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { return size }
            size += Int64(n)
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
