import CaseVaultAge
import Foundation

/// What a vault is set up with at `init`: its roles, which roles read each item class and the case
/// metadata, and how hard member key files are to brute-force. Stored in the database at creation; later
/// opens read it from there.
public struct VaultConfiguration: Sendable, Equatable {
    /// The role that manages members. It is always present and reads no content by default.
    public static let adminRole = "admin"

    /// The default roles of a legal-aid team.
    public static let defaultRoles = ["lawyer", "mentor", "psychologist", "social-worker", "auditor", "admin"]

    /// Default readers of each item class (issue 3): evidence and legal documents go to lawyers and mentors,
    /// clinical notes to psychologists, social reports to social workers and psychologists.
    public static let defaultClassReaders: [ItemClass: [String]] = [
        .evidence: ["lawyer", "mentor"],
        .legal: ["lawyer", "mentor"],
        .clinical: ["psychologist"],
        .social: ["social-worker", "psychologist"],
    ]

    /// Roles that can read a case's title and survivor pseudonym.
    public static let defaultCaseReaders = ["lawyer", "mentor", "psychologist", "social-worker"]

    public var roles: [String]
    public var classReaders: [ItemClass: [String]]
    public var caseReaders: [String]
    /// The scrypt work factor (log2 N) for member key files created by this process. 18 is age's default
    /// (about a second and 256 MiB); tests use less.
    public var keyWorkFactor: Int

    public init(
        roles: [String] = VaultConfiguration.defaultRoles,
        classReaders: [ItemClass: [String]] = VaultConfiguration.defaultClassReaders,
        caseReaders: [String] = VaultConfiguration.defaultCaseReaders,
        keyWorkFactor: Int = ScryptRecipient.defaultWorkFactor
    ) {
        self.roles = roles
        self.classReaders = classReaders
        self.caseReaders = caseReaders
        self.keyWorkFactor = keyWorkFactor
    }

    /// Checks that the configuration is usable: valid role names, admin present, readers among the roles.
    func validate() throws {
        for role in roles { try Names.checkRole(role) }
        guard Set(roles).count == roles.count else {
            throw VaultError.invalidArgument("The role list names a role twice. List each role once.")
        }
        guard roles.contains(Self.adminRole) else {
            throw VaultError.invalidArgument("The role list must include admin, the role that manages members.")
        }
        for itemClass in ItemClass.allCases {
            guard let readers = classReaders[itemClass], !readers.isEmpty else {
                throw VaultError.invalidArgument(
                    "Item class \(itemClass.rawValue) has no default readers. Give it at least one role.")
            }
            for role in readers where !roles.contains(role) { throw VaultError.unknownRole(role) }
        }
        for role in caseReaders where !roles.contains(role) { throw VaultError.unknownRole(role) }
        guard (1...22).contains(keyWorkFactor) else {
            throw VaultError.invalidArgument("The key work factor must be between 1 and 22.")
        }
    }
}

/// Where the vault gets the current time; tests inject a fixed or stepping clock.
public struct VaultClock: Sendable {
    let now: @Sendable () -> Date

    public init(_ now: @escaping @Sendable () -> Date) { self.now = now }

    public static let system = VaultClock { Date() }

    /// The current time as stored in the vault: ISO-8601 UTC to the second, `2025-03-01T14:05:09Z`.
    func timestamp() -> String { Timestamp.format(now()) }
}

/// The one textual time format of the vault.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
