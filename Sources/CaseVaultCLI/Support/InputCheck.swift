import ArgumentParser
import CaseVaultCore
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// Checks of user input made in `validate()`, before a vault is opened or a passphrase asked for.
///
/// The rules mirror the vault's own (which the database also enforces as CHECK constraints), so a typo is
/// caught with a plain message instead of a database error. A failed check prints one line on stderr and
/// exits with the usage code, like every other error of `casevault`.
enum InputCheck {
    /// Runs checks; a failure is reported as one line and exit code, without argument-parser's usage dump.
    static func validating(_ body: () throws -> Void) throws {
        do { try body() } catch let error as CLIError {
            Console.error("casevault: \(error.message)")
            throw ExitCode(error.code)
        } catch let error as VaultError {
            Console.error("casevault: \(ErrorReport.message(for: error))")
            throw ExitCode(ErrorReport.exitCode(for: error))
        }
    }

    static func member(_ name: String, option: String? = nil) throws {
        do { try Names.checkMember(name) } catch let error as VaultError {
            let message = ErrorReport.message(for: error)
            throw CLIError.usage(option.map { "\($0): \(message)" } ?? message)
        }
    }

    static func caseID(_ id: String) throws { try usage { try Names.checkCase(id) } }

    static func role(_ role: String) throws { try usage { try Names.checkRole(role) } }

    static func itemID(_ id: String) throws {
        guard Names.isItemID(id) else {
            throw CLIError.usage(
                "\(quoted(id)) is not an item id. Item ids look like it_0123456789abcdef; `casevault list` shows them."
            )
        }
    }

    /// The vault's own name rules, reported as a usage error.
    private static func usage(_ check: () throws -> Void) throws {
        do { try check() } catch let error as VaultError { throw CLIError.usage(ErrorReport.message(for: error)) }
    }

    /// A readable regular file, or a one-sentence reason why `path` is not one. `what` names it in the
    /// message ("The card ").
    static func readableFile(_ path: String, what: String = "") throws {
        guard FileSystem.exists(path) else {
            throw CLIError.inputMissing("\(what)\(path) does not exist. Check the path; nothing was changed.")
        }
        guard !FileSystem.isDirectory(path) else {
            throw CLIError.usage(
                "\(what)\(path) is a folder. Name the files inside it one by one; nothing was changed.")
        }
        guard access(path, R_OK) == 0 else {
            throw CLIError.inputMissing("\(what)\(path) cannot be read (permission denied). Check its permissions.")
        }
    }

    /// An output path given with `option`: it must not be a folder. (Whether it exists is the vault's to
    /// check, once, atomically, when the file is created.)
    static func outputFile(_ path: String, option: String) throws {
        if FileSystem.isDirectory(path) {
            throw CLIError.usage("\(path) is a folder. Give a file path with \(option), e.g. \(path)/documento.pdf.")
        }
    }

    /// A date or date and time: `2026-03-01`, `2026-03-01T14:05`, `2026-03-01T14:05:09Z`, `…-04:00`.
    static func timestamp(_ text: String, option: String) throws {
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let date = Array(parts[0].utf8)
        let digits: (ArraySlice<UInt8>) -> Bool = { $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        var valid =
            date.count == 10 && date[4] == 0x2D && date[7] == 0x2D && digits(date[0..<4])
            && digits(date[5..<7])
            && digits(date[8..<10])
        if valid, parts.count == 2 {
            var time = Substring(parts[1])
            if time.hasSuffix("Z") {
                time = time.dropLast()
            } else if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
                let offset = Array(time[time.index(after: sign)...].utf8)
                valid =
                    offset.count == 5 && offset[2] == 0x3A && digits(offset[0..<2]) && digits(offset[3..<5])
                time = time[..<sign]
            }
            let clock = time.split(separator: ":", omittingEmptySubsequences: false)
            valid =
                valid && (2...3).contains(clock.count)
                && clock.allSatisfy { $0.count == 2 && digits(Array($0.utf8)[...]) }
        }
        guard valid else {
            throw CLIError.usage(
                "\(option) \(quoted(text)) is not a date. Use 2026-03-01 or 2026-03-01T14:05 (ISO 8601, optionally with Z or -04:00)."
            )
        }
    }

    /// Free text that is stored encrypted (titles, notes): bounded, and free of control characters that
    /// could rewrite someone's terminal when it is shown.
    static func text(_ value: String, option: String, limit: Int = 4096) throws {
        guard value.utf8.count <= limit else {
            throw CLIError.usage(
                "\(option) is longer than \(limit) bytes. Shorten it or add the text as a file.")
        }
        guard
            !value.unicodeScalars.contains(where: {
                $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t"
            })
        else { throw CLIError.usage("\(option) contains control characters. Use plain text.") }
    }

    /// A user value quoted for an error message: shortened, with control characters made visible.
    static func quoted(_ value: String) -> String {
        let shown = value.prefix(80).unicodeScalars.map { scalar -> String in
            scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined()
        return "\"\(shown)\(value.count > 80 ? "…" : "")\""
    }
}
