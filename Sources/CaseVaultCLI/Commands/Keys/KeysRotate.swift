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
            rewritten. `role revoke` and `member remove` rotate on their own.

            Example:
              casevault keys rotate --as ana --role lawyer
            """
    )

    @OptionGroup var options: VaultOptions

    @Option(help: ArgumentHelp("The role whose key to rotate, e.g. lawyer.", valueName: "role"))
    var role: String

    func validate() throws {
        try InputCheck.validating { try InputCheck.role(role) }
    }

    func run() async throws {
        try await options.run {
            let vault = try options.openVault()
            let session = try options.unlock(vault, purpose: "rotate a role key")
            let rotation = try vault.rotate(role: role, by: session)
            if options.json {
                try Printer.json(rotation)
                return
            }
            Console.out(RotationText.line(rotation))
            if let warning = RotationText.singleHolderWarning(rotation) { Console.error(warning) }
        }
    }
}

/// How a rotation is reported, by every command that makes one.
enum RotationText {
    static func line(_ rotation: RoleRotation) -> String {
        "Rotated \(rotation.role) to generation \(rotation.generation) (\(rotation.recipient)), sealed to "
            + "\(rotation.sealedTo.isEmpty ? "nobody" : rotation.sealedTo.joined(separator: ", "))."
    }

    /// One lost passphrase away from losing everything the role reads.
    static func singleHolderWarning(_ rotation: RoleRotation) -> String? {
        guard rotation.sealedTo.count == 1 else { return nil }
        return "casevault: warning: \(rotation.sealedTo[0]) is the only holder of \(rotation.role): if their "
            + "passphrase is lost, nothing wrapped to \(rotation.role) can be opened. Grant it to a second member."
    }
}
