import ArgumentParser
import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

/// `casevault age keygen`: a new X25519 identity, like `age-keygen`.
struct AgeKeygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate an age X25519 identity, or print the recipient of one.",
        discussion: """
            The identity file is created with mode 0600 and never overwritten. The recipient (age1…) is \
            printed on standard error, or on standard output with -y.

            Example:
              casevault age keygen -o alice.key
              casevault age keygen -y alice.key
            """
    )

    @Option(name: .shortAndLong, help: "Write the identity to this file (default: standard output).")
    var output: String?

    @Flag(name: .customShort("y"), help: "Read an identity file and print its recipient instead.")
    var convert = false

    @Argument(help: "With -y: the identity file to read.")
    var input: String?

    func validate() throws {
        if convert && input == nil { throw ValidationError("-y needs the identity file to read.") }
        if !convert && input != nil { throw ValidationError("An input file is only read with -y.") }
    }

    func run() async throws {
        try await reportingErrors {
            if convert {
                let text = SecureBytes(copying: try FileIO.readSmallFile(input!))
                for identity in try IdentityFile.parse(text) { Console.out(identity.recipient.description) }
                return
            }
            let identity = try X25519Identity.generate()
            let recipient = identity.recipient.description
            var text = Array("# public key: \(recipient)\n".utf8)
            identity.encoded().withUnsafeBytes { text += $0 }
            text.append(0x0A)
            defer { text.withUnsafeMutableBytes { ConstantTime.wipe($0) } }
            if let output {
                let file = try FileDescriptorStream(writingTo: output, mode: 0o600, exclusive: true)
                try file.write(text)
                try file.sync()
                Console.error("Public key: \(recipient)")
            } else {
                try FileDescriptorStream(fd: 1, owned: false).write(text)
            }
        }
    }
}
