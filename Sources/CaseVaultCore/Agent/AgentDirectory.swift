import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// The folder where unlock agents put their sockets: one socket per vault and member, named by a hash of
/// the two so that a listing says nothing about who is unlocked where.
///
/// Anyone who can create a file in this folder could pose as an agent, so it must be a real folder (not
/// a link), owned by this user, and closed to everyone else (0700). Agents create it that way; commands
/// refuse to use one that is not.
public struct AgentDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = Vault.normalized(path) }

    /// The socket of `member`'s agent for the vault whose id is `vaultID`.
    func socketPath(vaultID: String, member: String) -> String {
        let digest = (try? Digest.hash(.sha256, Array("casevault-agent\0\(vaultID)\0\(member)".utf8))) ?? []
        return "\(path)/\(Hex.encode(Array(digest.prefix(10)))).sock"
    }

    /// The sockets in the folder (for `lock --all`).
    func sockets() throws -> [String] {
        guard try check(create: false) else { return [] }
        return FileSystem.contents(of: path).filter { $0.hasSuffix(".sock") }.sorted().map { "\(path)/\($0)" }
    }

    /// Checks that the folder is safe; with `create`, makes it (0700) when it is missing. Returns false
    /// when it is missing and was not to be created.
    @discardableResult
    func check(create: Bool) throws -> Bool {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw unsafe(.cannotInspect(errno: errno)) }
            guard create else { return false }
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw unsafe(.cannotCreate(errno: errno)) }
            return try check(create: false)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw unsafe(.notAFolder) }
        guard info.st_uid == getuid() else { throw unsafe(.ownedByAnotherUser) }
        guard info.st_mode & 0o077 == 0 else { throw unsafe(.openToOthers(mode: UInt32(info.st_mode & 0o777))) }
        return true
    }

    private func unsafe(_ problem: VaultError.AgentDirectoryProblem) -> VaultError {
        VaultError.agentDirectoryUnsafe(path: path, problem: problem)
    }
}
