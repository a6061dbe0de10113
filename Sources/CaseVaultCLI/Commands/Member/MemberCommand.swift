import ArgumentParser

/// `casevault member …`: the people of the vault.
struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Add, remove, list and show the members of the vault.",
        discussion: """
            Every member has their own keys, sealed with their own passphrase. Only admins add members.

            Example:
              casevault member add lucia --role lawyer --card lucia.card.json
              casevault member list
              casevault member show lucia --json
              casevault member remove luis
              casevault member passwd --as lucia
            """,
        subcommands: [
            MemberAdd.self, MemberRemove.self, MemberList.self, MemberShow.self, MemberPasswd.self, MemberRekey.self,
            MemberSetProfile.self,
        ]
    )
}
