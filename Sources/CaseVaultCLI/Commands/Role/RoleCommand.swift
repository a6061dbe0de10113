import ArgumentParser

/// `casevault role …`: who holds which role.
struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role",
        abstract: "Grant, revoke and list roles.",
        discussion: """
            Roles decide who can read what: an item's file key is wrapped once per reader role. The default \
            roles are lawyer, mentor, psychologist, social-worker, auditor and admin.

            Example:
              casevault role grant --as lucia lawyer pedro
              casevault role revoke --as ana lawyer pedro
              casevault role list
            """,
        subcommands: [RoleGrant.self, RoleRevoke.self, RoleList.self]
    )
}
