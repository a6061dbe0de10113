import ArgumentParser

/// `casevault keys …`: the role keys' life cycle.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate role keys and rewrap what is stored.",
        discussion: """
            Each role has a key pair whose private half is sealed to each holder. Rotating makes a new \
            generation that only the current holders receive; new items and cases are encrypted to it.

            Example:
              casevault keys rotate --as ana --role lawyer
              casevault keys rotate --as lucia --role lawyer --rewrap
              casevault keys rewrap --as lucia --role lawyer
            """,
        subcommands: [KeysRotate.self, KeysRewrap.self]
    )
}
