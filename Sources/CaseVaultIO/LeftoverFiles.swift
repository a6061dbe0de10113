import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Named temporary files that a killed process (SIGKILL, a crash, a power cut) could not remove.
///
/// Before a fallback temporary name is created, a record naming it is written to a per-user folder
/// (`configure(folder:)`, 0700): `<pid>-<process start time>-<random>`, holding the file's absolute path.
/// The record goes when the file is named or removed. `sweep()`, run by each command, removes the files
/// of records whose process is gone, so decrypted evidence never lingers under a hidden name. Without a
/// configured folder nothing is recorded (library use, tests), and only the in-process cleanups apply.
public enum LeftoverFiles {
    private static let folder = Mutex<String?>(nil)

    /// Sets (and creates, 0700) the folder of records.
    public static func configure(folder path: String) throws {
        try FileSystem.makeDirectories(path)
        folder.withLock { $0 = path }
    }

    static func register(_ path: String) -> CleanupToken {
        guard let records = folder.withLock({ $0 }), let start = processStartTime(getpid()) else { return .none }
        let record = "\(records)/\(getpid())-\(start)-\(FileSystem.randomHex(6))"
        let absolute = path.hasPrefix("/") ? path : FileSystem.currentDirectory() + "/" + path
        guard (try? FileSystem.writeNewFile(record, bytes: Array(absolute.utf8), sync: false)) != nil else {
            return .none
        }
        return CleanupToken { unlink(record) }
    }

    /// Removes the leftover files of processes that are gone, and their records. Returns the paths removed.
    @discardableResult
    public static func sweep() -> [String] {
        guard let records = folder.withLock({ $0 }) else { return [] }
        var removed: [String] = []
        for name in FileSystem.contents(of: records) {
            let parts = name.split(separator: "-")
            guard parts.count == 3, let pid = pid_t(parts[0]), let start = UInt64(parts[1]) else { continue }
            if processStartTime(pid) == start { continue }  // still running
            let record = "\(records)/\(name)"
            if let bytes = try? FileSystem.readSmallFile(record, limit: 8192) {
                let path = String(decoding: bytes, as: UTF8.self)
                let base = FileSystem.baseName(path)
                // Only ever a name of our own shape: a tampered record must not delete anything else.
                if base.hasPrefix(TemporaryFile.namePrefix) && base.hasSuffix(TemporaryFile.nameSuffix)
                    && unlink(path) == 0
                {
                    removed.append(path)
                }
            }
            unlink(record)
        }
        return removed
    }

    /// The start time of a process in clock ticks since boot (`/proc/PID/stat`, field 22), which tells
    /// a live process from a later one that reused its pid; nil when there is no such process.
    static func processStartTime(_ pid: pid_t) -> UInt64? {
        guard let bytes = try? FileSystem.readSmallFile("/proc/\(pid)/stat", limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // Fields after ')' start at field 3, so field 22 is the 20th.
        guard fields.count >= 20 else { return nil }
        return UInt64(fields[19])
    }
}
