import CaseVaultAge
import Foundation

/// What a vault is set up with at `init`: its roles, which roles read each item class and the case
/// metadata, and how hard member key files are to brute-force. Stored in the database at creation; later
/// opens read it from there.
public struct VaultConfiguration: Sendable, Equatable {
    /// The role that manages members. It is always present and reads no content by default.
    public static let adminRole = "admin"
    /// The scrypt work factors (log2 N) a key file may use: age's own bounds.
    public static let keyWorkFactors = 1...22

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
            throw VaultError.invalidConfiguration(.duplicateRole)
        }
        guard roles.contains(Self.adminRole) else {
            throw VaultError.invalidConfiguration(.noAdminRole)
        }
        for itemClass in ItemClass.allCases {
            guard let readers = classReaders[itemClass], !readers.isEmpty else {
                throw VaultError.invalidConfiguration(.classWithoutReaders(itemClass.rawValue))
            }
            for role in readers where !roles.contains(role) { throw VaultError.unknownRole(role) }
        }
        for role in caseReaders where !roles.contains(role) { throw VaultError.unknownRole(role) }
        guard Self.keyWorkFactors.contains(keyWorkFactor) else {
            throw VaultError.invalidConfiguration(.workFactorOutOfRange(keyWorkFactor, Self.keyWorkFactors))
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
    /// ISO 8601 in UTC, whole seconds (Foundation's format style: Gregorian calendar, `Z`).
    public static func format(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }
}
