import ArgumentParser
import CaseVaultCore
import CaseVaultIO
import Foundation

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

    /// A full name, position or institution a signed entry can hold (`ProfileText`).
    static func profileText(_ text: String, option: String) throws {
        guard ProfileText.encode(text) != nil else {
            let message = ErrorReport.message(for: VaultError.invalidName(kind: .profileText, value: text))
            throw CLIError.usage("\(option): \(message)")
        }
    }

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
        // Checked before anything is done: `get` records the access in the signed log before it writes, and
        // an output that cannot be made would leave a record of a read that never happened.
        guard !path.isEmpty else { throw CLIError.usage("\(option) needs a file path (or - for standard output).") }
        let parent = FileSystem.folder(of: path)
        if !FileSystem.isDirectory(parent) {
            throw CLIError.usage("The folder \(parent) of \(option) \(path) does not exist. Create it first.")
        }
        if FileSystem.isDirectory(path) {
            throw CLIError.usage("\(path) is a folder. Give a file path with \(option), e.g. \(path)/documento.pdf.")
        }
    }

    /// A date or date and time: `2026-03-01`, `2026-03-01T14:05`, `2026-03-01T14:05:09Z`, `…-04:00`.
    /// Every field must name a real instant (no 30 February, no hour 25, no offset beyond ±14:00); the text
    /// is then stored as given, offset included.
    static func timestamp(_ text: String, option: String) throws {
        guard let problem = timestampProblem(text) else { return }
        throw CLIError.usage(
            "\(option) \(quoted(text)) is not a date\(problem.map { " (\($0))" } ?? ""). Use 2026-03-01 or "
                + "2026-03-01T14:05 (ISO 8601, optionally with seconds and Z or -04:00).")
    }

    /// nil when `text` is a valid date or date-time; otherwise `.some(reason)`, where the reason is nil
    /// when the text does not have the shape of a date at all.
    static func timestampProblem(_ text: String) -> String?? {
        let bytes = Array(text.utf8)
        // A run of exactly `count` digits at `at`, as a number.
        func number(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[at..<at + count] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ at: Int) -> UInt8? { at < bytes.count ? bytes[at] : nil }
        guard let year = number(0, 4), byte(4) == 0x2D, let month = number(5, 2), byte(7) == 0x2D,
            let day = number(8, 2)
        else { return .some(nil) }
        guard (1...12).contains(month) else { return "there is no month \(month)" }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard year >= 1, (1...days).contains(day) else {
            return "month \(month) of \(year) has no day \(day)"
        }
        if bytes.count == 10 { return nil }
        guard byte(10) == 0x54, let hour = number(11, 2), byte(13) == 0x3A, let minute = number(14, 2) else {
            return .some(nil)
        }
        var at = 16
        var second = 0
        if byte(at) == 0x3A {
            guard let value = number(at + 1, 2) else { return .some(nil) }
            second = value
            at += 3
        }
        guard hour <= 23, minute <= 59, second <= 59 else {
            return "hours run from 00 to 23, minutes and seconds from 00 to 59"
        }
        if at == bytes.count { return nil }
        if byte(at) == 0x5A { return at + 1 == bytes.count ? nil : .some(nil) }
        guard byte(at) == 0x2B || byte(at) == 0x2D, let offsetHours = number(at + 1, 2), byte(at + 3) == 0x3A,
            let offsetMinutes = number(at + 4, 2), at + 6 == bytes.count
        else { return .some(nil) }
        guard offsetMinutes <= 59, offsetHours * 60 + offsetMinutes <= 14 * 60 else {
            return "offsets from UTC run from -14:00 to +14:00"
        }
        return nil
    }

    /// Free text that is stored encrypted (titles, notes): not empty (an option given empty is a mistake:
    /// leaving it out is how to give none), bounded, and free of control characters that could rewrite
    /// someone's terminal when it is shown; a line break only where `multiline` (notes, reasons), never in a
    /// title, a pseudonym or a name that listings show on one line.
    static func text(_ value: String, option: String, limit: Int = 4096, multiline: Bool = true) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CLIError.usage("\(option) is empty. Give the text, or leave the option out.")
        }
        if !multiline, value.contains(where: \.isNewline) {
            throw CLIError.usage("\(option) must be one line.")
        }
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
