import Synchronization

/// A test seam: records, in order, the steps that make files durable (fsync of a file or folder, syncfs,
/// the rename or link that names a file), so that tests can check that a file's data was durable before
/// it was named and its folder synced after. Bound per task (`DurabilityTrace.$current.withValue`), so
/// tests running in parallel see only their own steps; free when unbound.
public final class DurabilityTrace: Sendable {
    public enum Event: Equatable, Sendable {
        /// A file's data was fsynced; the path is nil for an unnamed (O_TMPFILE) file.
        case fileSynced(String?)
        case folderSynced(String)
        case fileSystemSynced(String)
        case renamed(String)
        case linked(String)
        /// A database transaction committed (noted by the vault, which owns the database).
        case databaseCommitted
        /// A write transaction began: the vault's write lock is held until it commits or rolls back.
        case writeLockTaken
    }

    @TaskLocal public static var current: DurabilityTrace?

    private let recorded = Mutex<[Event]>([])

    public init() {}

    public var events: [Event] { recorded.withLock { $0 } }

    func record(_ event: Event) { recorded.withLock { $0.append(event) } }

    /// Records `event` in the current task's trace, if a test bound one.
    public static func note(_ event: Event) { current?.record(event) }
}

extension FileSystem {
    static func trace(_ event: DurabilityTrace.Event) { DurabilityTrace.current?.record(event) }
}
