import ArgumentParser

/// `casevault age …`: plain age v1 files, compatible with the standard `age` tool.
struct AgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "age",
        abstract: "Encrypt and decrypt standard age files (age-encryption.org/v1).",
        discussion: """
            Files written here open with `age -d`, and files from `age` open here.

            Example:
              casevault age keygen -o alice.key
              casevault age encrypt -r "$(casevault age keygen -y alice.key)" -o notes.age notes.txt
              casevault age decrypt -i alice.key -o notes.txt notes.age
            """,
        subcommands: [AgeKeygen.self, AgeEncrypt.self, AgeDecrypt.self]
    )
}
