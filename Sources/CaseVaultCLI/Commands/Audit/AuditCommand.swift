import ArgumentParser

/// `casevault audit …`: the signed log, for auditors and for anyone who doubts the vault folder.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the vault's signed log, list it, and keep its checkpoints.",
        discussion: """
            Every change to the vault is an entry signed by the member who made it, in an append-only log \
            whose Merkle tree each command checks. These commands need no passphrase and show no content: \
            names, roles, ids, hashes and times only.

            Example:
              casevault audit verify
              casevault audit checkpoint > checkpoint-2026-03-01.txt
              casevault audit verify --from checkpoint-2026-03-01.txt
              casevault audit log --json
            """,
        subcommands: [
            AuditVerify.self, AuditLog.self, AuditCheckpoint.self, AuditProve.self, AuditCosign.self, AuditUpgrade.self,
            AuditAcceptRestore.self,
        ]
    )
}
