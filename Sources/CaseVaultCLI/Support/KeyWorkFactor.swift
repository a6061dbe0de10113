import CaseVaultAge
import CaseVaultCore

/// The scrypt work factor for key files this process creates. 18 (age's default) unless lowered for tests
/// and demos with the hidden --key-work-factor option or $CASEVAULT_KEY_WORK_FACTOR.
enum KeyWorkFactor {
    static func resolve(_ option: Int?) throws -> Int {
        var value = option
        if value == nil, let text = Environment.value("CASEVAULT_KEY_WORK_FACTOR") {
            guard let parsed = Int(text) else {
                throw CLIError.usage("CASEVAULT_KEY_WORK_FACTOR must be a whole number between 1 and 22.")
            }
            value = parsed
        }
        guard let value else { return ScryptRecipient.defaultWorkFactor }
        let range = VaultConfiguration.keyWorkFactors
        guard range.contains(value) else {
            throw CLIError.usage(
                "The key work factor must be between \(range.lowerBound) and \(range.upperBound) (the default is 18).")
        }
        return value
    }

    /// Warns when a key file is about to be made weaker than age's default.
    static func warnIfLowered(_ factor: Int) {
        if factor < ScryptRecipient.defaultWorkFactor {
            Console.error(
                "casevault: warning: key files are protected with scrypt work factor \(factor), weaker than the default "
                    + "\(ScryptRecipient.defaultWorkFactor). Use this only for tests and demos.")
        }
    }
}
