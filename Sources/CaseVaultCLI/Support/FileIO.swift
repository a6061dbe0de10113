import CaseVaultAge
import CaseVaultCrypto
import Glibc

/// Opens command-line inputs and outputs: `-` or no path means stdin/stdout.
enum FileIO {
    static func input(_ path: String?) throws -> ByteSource {
        guard let path, path != "-" else { return FileDescriptorStream(fd: 0, owned: false) }
        var info = stat()
        guard stat(path, &info) == 0 else { throw CLIError.inputMissing("\(path) does not exist or cannot be read.") }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            throw CLIError.usage("\(path) is a folder; give a file.")
        }
        return try FileDescriptorStream(readingFrom: path)
    }

    /// An output that is whole or absent: `finish()` commits it; on error it is removed. Standard output
    /// cannot be taken back, so decryption to stdout releases only verified chunks.
    final class Output {
        let sink: ByteSink
        private let atomic: AtomicFileSink?

        init(_ path: String?, mode: mode_t = 0o600) throws {
            var info = stat()
            if let path, path != "-", stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
                // A device or pipe (/dev/null, a process substitution): write to it directly.
                guard (info.st_mode & S_IFMT) != S_IFDIR else {
                    throw CLIError.usage("\(path) is a folder; give a file name.")
                }
                atomic = nil
                do { sink = try FileDescriptorStream(writingTo: path, mode: mode) } catch {
                    throw CLIError.cannotCreate("Cannot write to \(path): \(errnoText()).")
                }
            } else if let path, path != "-" {
                do {
                    atomic = try AtomicFileSink(path: path, mode: mode)
                } catch {
                    throw CLIError.cannotCreate("Cannot create \(path): \(errnoText()).")
                }
                sink = atomic!
            } else {
                atomic = nil
                sink = FileDescriptorStream(fd: 1, owned: false)
            }
        }

        func finish() throws { try atomic?.commit() }
    }

    static func readSmallFile(_ path: String, limit: Int = 1 << 20) throws -> [UInt8] {
        let source = try input(path)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            out += chunk[0..<n]
            guard out.count <= limit else { throw CLIError.usage("\(path) is too large to be a key file.") }
        }
        chunk.withUnsafeMutableBytes { ConstantTime.wipe($0) }
        return out
    }
}
