import CaseVaultAge
import CaseVaultCrypto
import CaseVaultIO

#if canImport(Glibc)
    import Glibc
#endif

/// Opens the `age` commands' inputs and outputs: `-` or no path means stdin/stdout.
enum FileIO {
    static func input(_ path: String?) throws -> ByteSource {
        guard let path, path != "-" else { return FileDescriptorStream(fd: 0, owned: false) }
        guard FileSystem.exists(path) else { throw CLIError.inputMissing("\(path) does not exist or cannot be read.") }
        guard !FileSystem.isDirectory(path) else { throw CLIError.usage("\(path) is a folder; give a file.") }
        return try FileDescriptorStream(readingFrom: path)
    }

    /// An output that is whole or absent: `finish()` commits it; on error nothing appears. Standard output
    /// cannot be taken back, so decryption to stdout releases only verified chunks.
    final class Output {
        let sink: ByteSink
        private let atomic: AtomicFileSink?

        init(_ path: String?, mode: mode_t = 0o600) throws {
            guard let path, path != "-" else {
                atomic = nil
                sink = FileDescriptorStream(fd: 1, owned: false)
                return
            }
            guard !FileSystem.isDirectory(path) else { throw CLIError.usage("\(path) is a folder; give a file name.") }
            do {
                if FileSystem.exists(path) && !FileSystem.isRegularFile(path) {
                    // A device or pipe (/dev/null, a process substitution): write to it directly.
                    atomic = nil
                    sink = try FileDescriptorStream(writingTo: path, mode: mode)
                } else {
                    let file = try AtomicFileSink(path: path, mode: mode)
                    atomic = file
                    sink = file
                }
            } catch let error as IOError {
                throw CLIError.cannotCreate("Cannot write to \(path): \(error.reason ?? "\(error.code)").")
            }
        }

        func finish() throws { try atomic?.commit() }
    }

    /// A key or identity file, read whole (at most `limit` bytes).
    static func readSmallFile(_ path: String, limit: Int = 1 << 20) throws -> [UInt8] {
        do { return try input(path).readToEnd(limit: limit, path: path) } catch let error as IOError
            where error.code == .tooLarge
        {
            throw CLIError.usage("\(path) is too large to be a key file.")
        }
    }
}
