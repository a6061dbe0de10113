import ArgumentParser

/// Parse errors in `casevault`'s own voice: argument-parser's messages start `Error:`, but every error a
/// user sees starts `casevault:` (Docs/CLI.md), followed by the usage line.
enum ArgumentErrors {
    /// The lines to print and the exit code for an error thrown while parsing `arguments`. Help, version
    /// and completion scripts keep argument-parser's text and exit code 0 (`toStandardOutput`).
    static func report(_ error: Error, arguments: [String]) -> (text: String, code: Int32, toStandardOutput: Bool) {
        let code = CaseVaultCommand.exitCode(for: error).rawValue
        // `-hechos.pdf` reads as the short flags -h -e -c …, and -h asks for help: a file name that starts with
        // a dash would add nothing and exit 0. Refuse it, and say how to name such a file.
        if let dashed = dashedFileName(in: arguments), code != ExitCodes.success || !asksForHelp(arguments) {
            return (dashedFileNameMessage(dashed, arguments: arguments), ExitCodes.usage, false)
        }
        let text = CaseVaultCommand.fullMessage(for: error)
        // A check in validate() that printed its own line throws an ExitCode: nothing more to say.
        guard !text.isEmpty else { return (text, code, false) }
        guard code != ExitCodes.success else { return (text, code, true) }
        return (rewordPrefix(text), code, false)
    }

    /// argument-parser's `Error: …` first line as `casevault: …`; the usage lines after it stay.
    static func rewordPrefix(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = lines.first else { return text }
        if first.hasPrefix("Error: ") {
            lines[0] = "casevault: " + first.dropFirst("Error: ".count)
        } else if !first.hasPrefix("casevault:") {
            lines[0] = "casevault: " + first
        }
        return lines.joined(separator: "\n")
    }

    /// The first argument before `--` that starts with one dash and is longer than a short option: a file
    /// name such as `-hechos.pdf` that argument-parser would read as a bundle of short flags.
    static func dashedFileName(in arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            if argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.count > 2 { return argument }
        }
        return nil
    }

    private static func asksForHelp(_ arguments: [String]) -> Bool {
        let before = arguments.prefix { $0 != "--" }
        return before.contains("-h") || before.contains("--help") || before.first == "help"
    }

    private static func dashedFileNameMessage(_ name: String, arguments: [String]) -> String {
        let command = subcommand(for: arguments)
        let words = ["casevault"] + arguments.prefix(while: { !$0.hasPrefix("-") }).prefix(command.depth)
        let usage = CaseVaultCommand.usageString(for: command.type)
        return """
            casevault: \(InputCheck.quoted(name)) is not an option. If it is a file name, put -- before the \
            file names (\(words.joined(separator: " ")) … -- \(name)) or write it as ./\(name); nothing was changed.
            Usage: \(usage)
            """
    }

    /// The deepest subcommand named by the leading words of `arguments` (for its usage line).
    private static func subcommand(for arguments: [String]) -> (type: ParsableCommand.Type, depth: Int) {
        var current: ParsableCommand.Type = CaseVaultCommand.self
        var depth = 0
        for word in arguments {
            guard
                let next = current.configuration.subcommands.first(where: {
                    $0._commandName == word
                })
            else { break }
            current = next
            depth += 1
        }
        return (current, depth)
    }
}
