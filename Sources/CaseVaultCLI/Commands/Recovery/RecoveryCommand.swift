import ArgumentParser

/// `casevault recovery …`: the organisation recovery key, shared K of N among people who keep it on paper.
struct RecoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Set up and use the organisation recovery key (K-of-N shares on paper).",
        discussion: """
            Every role key is also sealed to a recovery key whose private half exists only as N printed \
            shares; any K of them admit a new admin when every admin's passphrase is lost. Fewer than K \
            reveal nothing. A restore replaces the recovery key, so the old shares match nothing afterwards.

            Example:
              casevault recovery init --as ana --shares 5 --threshold 3 --out-dir /media/usb/shares
              casevault recovery status
              casevault recovery seal --as luis
              casevault recovery restore --share s1.txt --share s2.txt --share s3.txt --name nora --out-dir /media/usb/new
            """,
        subcommands: [RecoveryInit.self, RecoveryStatusCommand.self, RecoverySeal.self, RecoveryRestoreCommand.self]
    )
}
