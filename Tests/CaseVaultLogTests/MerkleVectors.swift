import Foundation

/// The transparency-dev Merkle proof vectors kept outside the repository in `../shared/vectors/merkle`.
///
/// The root is `$CASEVAULT_VECTORS` when set, else `<repo>/../shared/vectors`, found from this file's path
/// so the tests work from any working directory. Tests that need them take `.enabled(if: available, …)`,
/// so a missing folder shows up as a named skip, not a pass.
enum MerkleVectors {
    static var root: String {
        if let override = ProcessInfo.processInfo.environment["CASEVAULT_VECTORS"], !override.isEmpty {
            return override
        }
        // Tests/CaseVaultLogTests/MerkleVectors.swift -> the repository root -> its sibling shared/vectors.
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/vectors").path
    }

    static var directory: String { root + "/merkle" }

    static var available: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory + "/inclusion", isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    /// The JSON files under `folder` (recursively), as paths relative to the Merkle vector folder, sorted.
    static func files(in folder: String) -> [String] {
        guard available,
            let walker = FileManager.default.enumerator(atPath: directory + "/" + folder)
        else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.map { folder + "/" + $0 }
            .sorted()
    }

    struct Inclusion: Decodable {
        let leafIdx: UInt64
        let treeSize: UInt64
        let root: Data
        let leafHash: Data
        let proof: [Data]?
        let desc: String
        let wantErr: Bool
    }

    struct Consistency: Decodable {
        let size1: UInt64
        let size2: UInt64
        let root1: Data
        let root2: Data
        let proof: [Data]?
        let desc: String
        let wantErr: Bool
    }

    static func load<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + path))
        return try JSONDecoder().decode(T.self, from: data)
    }
}
