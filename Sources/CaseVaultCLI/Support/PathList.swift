import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// The paths of a `--files-from` list: one per line, or separated by NUL bytes (`find -print0`), from a
/// file or from standard input (`-`). Ten thousand names this way cost a read, where on the command line
/// each one goes through argument parsing.
enum PathList {
    /// A list longer than this is refused rather than read into memory (about a million long paths).
    static let limit = 256 << 20

    /// The paths of `source`, in order. Empty entries (a blank line, the final newline or NUL) are
    /// skipped; nothing else is trimmed, since a name may hold spaces.
    static func read(_ source: String, nulSeparated: Bool) throws -> [String] {
        let stream: FileDescriptorStream
        if source == "-" {
            stream = FileDescriptorStream(fd: 0, owned: false)
        } else {
            do { stream = try FileSystem.openRegularFile(source) } catch let error as IOError {
                throw CLIError.inputMissing(
                    "Cannot read the list of files \(source): \(error.reason ?? "it is not a regular file").")
            }
        }
        let bytes: [UInt8]
        do { bytes = try stream.readToEnd(limit: limit, path: source) } catch let error as IOError {
            if error.code == .tooLarge {
                throw CLIError.usage("The list of files \(source) is larger than \(limit >> 20) MiB. Split it.")
            }
            throw CLIError.inputMissing("Cannot read the list of files \(source): \(error.reason ?? "\(error.code)").")
        }
        return try parse(bytes, nulSeparated: nulSeparated, source: source)
    }

    static func parse(_ bytes: [UInt8], nulSeparated: Bool, source: String) throws -> [String] {
        let separator: UInt8 = nulSeparated ? 0 : 0x0A
        var paths: [String] = []
        for (number, entry) in bytes.split(separator: separator, omittingEmptySubsequences: false).enumerated()
        where !entry.isEmpty {
            guard let path = String(validating: entry, as: UTF8.self) else {
                throw CLIError.usage(
                    "Entry \(number + 1) of the list of files \(source) is not UTF-8 text. Rename that file.")
            }
            if !nulSeparated && path.utf8.contains(0) {
                throw CLIError.usage(
                    "The list of files \(source) holds NUL bytes: add -0 for a list made by `find -print0`.")
            }
            paths.append(path)
        }
        return paths
    }
}
