import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO
import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// A member's own keys over time: a new passphrase for the same keys (`member passwd`), and a new key pair
/// that replaces the old one in the log (`member rekey`, after a device was lost or a key file exposed).
extension Vault {
    /// Seals `member`'s key file under `newPassphrase`: the same keys, nothing in the vault changes. The file
    /// is replaced atomically (written beside it, fsynced, renamed over it, the folder fsynced), so a crash
    /// leaves the old file or the new one. The keys must be the member's registered ones.
    public func changePassphrase(
        member: String, keyFile: String? = nil, passphrase: SecureBytes, newPassphrase: SecureBytes
    ) throws {
        let path = keyFile ?? keyFilePath(for: member)
        let session = try unlock(member, passphrase: passphrase, keyFile: keyFile)
        guard let keys = session.keys as? MemberKeys else { throw VaultError.keyFileMissing(path: path) }
        try Self.replaceKeyFile(
            path,
            bytes: try keys.sealedKeyFile(
                member: member, passphrase: newPassphrase, workFactor: configuration.keyWorkFactor))
    }

    /// Gives `session`'s member a new key pair: every role key envelope of theirs is opened with the old key
    /// and sealed to the new one, and a `member.rekey` entry signed with the old key names the new keys, after
    /// which the old signing key signs nothing the log accepts. The new key file (sealed with `newPassphrase`)
    /// replaces the old one at `keyFile` (default `keys/NAME.age`) once the change is committed; until then it
    /// waits beside it as `NAME.age.rekey`, which is what to use if the process dies in between.
    @discardableResult
    public func rekey(_ session: MemberSession, keyFile: String? = nil, newPassphrase: SecureBytes) throws -> Member {
        try checkSession(session)
        let path = keyFile ?? keyFilePath(for: session.member)
        let pending = path + ".rekey"
        let keys = try MemberKeys.generate()
        try VaultFiles.writeNewFile(
            pending,
            bytes: try keys.sealedKeyFile(
                member: session.member, passphrase: newPassphrase, workFactor: configuration.keyWorkFactor))
        let member: Member
        do {
            member = try write { db in try rekeyInTransaction(db, session, to: keys) }
        } catch {
            unlink(pending)
            throw error
        }
        guard FileSystem.rename(pending, path) == 0 else { throw IOError.system(.rename, path: path) }
        try FileSystem.syncFolder(FileSystem.folder(of: path))
        return member
    }

    private func rekeyInTransaction(_ db: Database, _ session: MemberSession, to keys: MemberKeys) throws -> Member {
        let record = try memberRecord(db, named: session.member)
        let opened = try openRoleKeys(db, session: session)
        let now = clock.timestamp()
        try db.execute(sql: "DELETE FROM role_key_envelopes WHERE member = ?", arguments: [record.id])
        let recipient = keys.identity.recipient
        for (role, generations) in opened {
            for (generation, identity) in generations {
                try insertEnvelope(
                    db, role: role, generation: generation, member: record.id,
                    envelope: RoleKeyring.sealEnvelope(
                        role: role, generation: generation, identity: identity, to: recipient), now: now)
            }
        }
        try db.execute(
            sql: "UPDATE members SET recipient = ?, signing_key = ? WHERE id = ?",
            arguments: [keys.recipient, keys.signingPublicKeyHex, record.id])
        try Journal.append(
            db, at: now, actor: session.member, action: "member.rekey", subject: session.member,
            detail: "new keys; \(opened.values.map(\.count).reduce(0, +)) role key envelopes resealed")
        try appendLog(
            db, .memberRekey,
            [("member", session.member), ("recipient", keys.recipient), ("signing-key", keys.signingPublicKeyHex)],
            by: LogAuthor(session: session), at: now)
        // The transaction's checkpoint is verified with the member's keys as they are after it: the new ones.
        trust.withLock { $0.checkpointAuthor = LogAuthor(name: session.member, keys: keys) }
        return try memberRecord(db, named: session.member).member(roles: try roleNames(db, member: record.id))
    }

    /// Replaces a key file atomically: a new file beside it (0600), fsynced, renamed over it, folder fsynced.
    static func replaceKeyFile(_ path: String, bytes: [UInt8]) throws {
        let temporary = "\(path).new-\(Hex.encode(try SystemRandom.bytes(count: 6)))"
        try VaultFiles.writeNewFile(temporary, bytes: bytes)
        guard FileSystem.rename(temporary, path) == 0 else {
            let error = IOError.system(.rename, path: path)
            unlink(temporary)
            throw error
        }
        try FileSystem.syncFolder(FileSystem.folder(of: path))
    }
}
