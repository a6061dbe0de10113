import CaseVaultTestSupport
import Foundation

/// Finds and parses the conformance vectors kept outside the repository in `../shared/vectors`.
///
/// The root is `$CASEVAULT_VECTORS` when set, else `<repo>/../shared/vectors`, found from this file's path so the
/// tests work from any working directory. Tests that need the vectors take
/// `.enabled(if: TestVectors.ageDirectory != nil, …)` so a missing folder shows up as a named skip, not a pass.
enum TestVectors {
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder that holds all vector suites.
    static var root: String {
        if let override = ProcessInfo.processInfo.environment["CASEVAULT_VECTORS"], !override.isEmpty {
            return override
        }
        // Tests/CaseVaultAgeTests/Vectors.swift -> the repository root -> its sibling shared/vectors.
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/vectors").path
    }

    /// The C2SP CCTV age vectors (`age-cctv`), or nil when they are not on this machine.
    static var ageDirectory: String? {
        let directory = root + "/age-cctv"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return directory
    }

    /// A message for `.enabled(if:)` traits: says where the vectors were looked for and how to point elsewhere.
    static var missingMessage: String {
        "SKIPPED: age CCTV vectors not found at \(root)/age-cctv; set CASEVAULT_VECTORS to the vectors folder"
    }

    /// One parsed age vector.
    struct Vector {
        let name: String
        /// The `key: value` lines in file order; keys such as `identity` may repeat.
        let headers: [(String, String)]
        /// The age file, already inflated when the vector said `compressed: zlib`.
        let body: [UInt8]

        /// Every value given for `key`, in order.
        func values(_ key: String) -> [String] {
            headers.filter { $0.0 == key }.map(\.1)
        }

        /// Whether the file on disk was zlib-compressed (`body` is the inflated form either way).
        var isCompressed: Bool { values("compressed").first == "zlib" }

        /// Post-quantum vectors (ML-KEM identities) are out of scope: OpenSSL 3.0 lacks ML-KEM.
        var isPostQuantum: Bool { values("identity").contains { $0.hasPrefix("AGE-SECRET-KEY-PQ-") } }
    }

    /// The sorted names of the age vectors that start with `prefix`, or nil when the vectors are missing.
    static func ageVectorNames(prefix: String = "") -> [String]? {
        guard let directory = ageDirectory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return nil }
        return names.filter { $0.hasPrefix(prefix) && !$0.contains(".") }.sorted()
    }

    /// Parses an age vector: its `key: value` lines and the age file after the first blank line, inflated when
    /// the vector says `compressed: zlib` (unless `inflate` is false: enough for reading the headers alone).
    static func load(_ name: String, inflate: Bool = true) throws -> Vector {
        guard let directory = ageDirectory else { throw LoadError(description: missingMessage) }
        let path = directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "cannot read \(path)")
        }
        let bytes = [UInt8](data)
        guard let split = bytes.indices.dropLast().first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }) else {
            throw LoadError(description: "\(name): no blank line after the headers")
        }
        var headers: [(String, String)] = []
        for line in String(decoding: bytes[..<split], as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else {
                throw LoadError(description: "\(name): header line without ':': \(line)")
            }
            let key = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
            headers.append((key, value))
        }
        let raw = Vector(name: name, headers: headers, body: Array(bytes[(split + 2)...]))
        guard inflate, raw.isCompressed else { return raw }
        return Vector(name: name, headers: headers, body: try Self.inflate(path: path, name: name))
    }

    /// Foundation on Linux has no zlib API, so python3 (present on the dev machine and in CI) inflates the body.
    private static func inflate(path: String, name: String) throws -> [UInt8] {
        let script = """
            import sys, zlib
            data = open(sys.argv[1], "rb").read()
            sys.stdout.buffer.write(zlib.decompress(data[data.index(b"\\n\\n") + 2:]))
            """
        let result: ProcessRunner.Result
        do {
            result = try ProcessRunner.run(["python3", "-c", script, path])
        } catch {
            throw LoadError(description: "\(name): cannot run python3 to inflate the zlib body: \(error)")
        }
        guard result.status == 0 else {
            throw LoadError(
                description: "\(name): python3 could not inflate the body (exit status \(result.status))")
        }
        return result.stdout
    }
}
