import ArgumentParser
import CaseVaultCore

/// `casevault recovery status`.
struct RecoveryStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the recovery key and what one lost passphrase would cost.",
        discussion: """
            Needs no passphrase. Shows the current recovery key (its id, K of N), the role keys not sealed \
            to it, and the roles with a single holder.

            Example:
              casevault recovery status
              casevault recovery status --json
            """
    )

    @OptionGroup var options: VaultOptions

    func run() async throws {
        try await options.run {
            let status = try options.openVault().recoveryStatus()
            if options.json {
                try Printer.json(status)
                return
            }
            if let keyID = status.keyID, let threshold = status.threshold, let shares = status.shares {
                Console.out("Recovery key \(keyID): any \(threshold) of \(shares) shares recover it.")
            } else {
                Console.out("No recovery key.")
            }
            RecoveryText.warn(status)
        }
    }
}

/// The warnings about data one lost passphrase would lose, said by every command that can see them.
enum RecoveryText {
    /// `singleHolders: false` where the command already warned about single holders its own way.
    static func warnings(_ status: RecoveryStatus, singleHolders: Bool = true) -> [String] {
        var out: [String] = []
        if status.keyID == nil {
            out.append(
                "casevault: warning: this vault has no recovery key: if every admin's passphrase is lost, nobody "
                    + "can admit members again. Set one up with `casevault recovery init`.")
        } else {
            for (role, generations) in status.uncovered.sorted(by: { $0.key < $1.key }) {
                out.append(
                    "casevault: warning: generation\(generations.count == 1 ? "" : "s") "
                        + "\(generations.map(String.init).joined(separator: ", ")) of \(role) "
                        + "\(generations.count == 1 ? "is" : "are") not sealed to the recovery key. "
                        + "A holder of \(role) runs `casevault recovery seal`.")
            }
        }
        for role in status.singleHolderRoles where singleHolders {
            // Only where the recovery key holds the role's keys can it stand in for the one holder.
            let fallback =
                status.keyID == nil
                ? "nobody can open what is wrapped to \(role)"
                : status.uncovered[role] == nil
                    ? "only the recovery key can open what is wrapped to \(role)"
                    : "nobody can open what is wrapped to the generations of \(role) not sealed to the recovery key"
            out.append(
                "casevault: warning: \(role) has a single holder: if their passphrase is lost, \(fallback). "
                    + "Grant it to a second member.")
        }
        return out
    }

    static func warn(_ status: RecoveryStatus, singleHolders: Bool = true) {
        for line in warnings(status, singleHolders: singleHolders) { Console.error(line) }
    }
}
