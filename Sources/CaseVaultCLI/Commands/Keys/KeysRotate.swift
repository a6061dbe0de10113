import ArgumentParser
import CaseVaultCore

/// `casevault keys rotate --role ROLE`.
struct KeysRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Make a new generation of a role's key, for its current holders only.",
        discussion: """
            Admins and holders of the role may rotate it. The new key is sealed to every current holder; \
            items and case titles added from now on are encrypted to it, so a former holder who kept a \
            copy of their keys cannot open them. Holders keep every older generation, so nothing stored \
            becomes unreadable. Rotation takes the same time at any vault size: stored items are not \
            rewritten, unless --rewrap is given: then every item header, item metadata and case title of \
            the role is moved to the new key as well (as `keys rewrap`, which finishes an interrupted one). \
            `role revoke` and `member remove` rotate on their own.

            When the role's key is known to be compromised, give --reencrypt instead: every item of the role \
            gets a new file key and a new encrypted object (its plaintext SHA-256 unchanged, and recorded in \
            its custody chain), so that file keys taken with the old key open nothing stored from now on. \
            The old objects are kept until a backup holds the new ones (`casevault backup` then removes them).

            Example:
              casevault keys rotate --as ana --role lawyer
              casevault keys rotate --as lucia --role lawyer --rewrap
              casevault keys rotate --as lucia --role lawyer --reencrypt
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("The role whose key to rotate, e.g. lawyer.", valueName: "role"))
    var role: String

    @Flag(help: "Also rewrap every stored item and case title of the role to the new key (holders only).")
    var rewrap = false

    @Flag(
        help: "Re-encrypt every stored item of the role under new file keys, for a compromised key (holders only).")
    var reencrypt = false

    func validate() throws {
        try InputCheck.validating { try InputCheck.role(role) }
        if rewrap && reencrypt {
            throw ValidationError("Give --rewrap or --reencrypt, not both: --reencrypt also rewraps case titles.")
        }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "rotate a role key")
            // Refused before the rotation, so that a refused rewrap leaves nothing half done.
            if rewrap || reencrypt,
                try !(vault.roles().first { $0.name == role }?.holders.contains(session.member) ?? false)
            {
                throw VaultError.notPermitted(reencrypt ? .reencrypt(role: role) : .rewrap(role: role))
            }
            let rotation = try vault.rotate(role: role, by: session)
            if !options.json { Console.out(RotationText.line(rotation)) }
            if let warning = RotationText.singleHolderWarning(rotation) { Console.error(warning) }
            let rewrapped = rewrap ? try RewrapRun.run(vault, role: role, session: session) : nil
            let reencrypted = reencrypt ? try ReencryptRun.run(vault, role: role, session: session) : nil
            if options.json {
                try Printer.json(RotateJSON(rotation: rotation, rewrap: rewrapped, reencrypt: reencrypted))
            } else if let rewrapped {
                Console.out(RewrapRun.line(rewrapped))
            } else if let reencrypted {
                Console.out(ReencryptRun.line(reencrypted))
            }
            if let rewrapped, let warning = RewrapRun.casesLeftWarning(rewrapped) { Console.error(warning) }
        }
    }
}

/// `keys rotate --json`: the rotation, and the rewrap or re-encryption when one was asked for.
struct RotateJSON: Encodable {
    let rotation: RoleRotation
    let rewrap: RewrapResult?
    var reencrypt: ReencryptResult?
}

/// How a rotation is reported, by every command that makes one.
enum RotationText {
    static func line(_ rotation: RoleRotation) -> String {
        "Rotated \(rotation.role) to generation \(rotation.generation) (\(rotation.recipient)), sealed to "
            + "\(rotation.sealedTo.isEmpty ? "nobody" : rotation.sealedTo.joined(separator: ", "))."
    }

    /// One lost passphrase away from losing everything the role reads.
    static func singleHolderWarning(_ rotation: RoleRotation) -> String? {
        rotation.sealedTo.count == 1 ? singleHolder(rotation.sealedTo[0], of: rotation.role) : nil
    }

    static func singleHolder(_ member: String, of role: String) -> String {
        "casevault: warning: \(member) is the only holder of \(role): if their passphrase is lost, nothing "
            + "wrapped to \(role) can be opened. Grant it to a second member."
    }
}
