#if canImport(Glibc)
    import Glibc
#endif

/// The process environment, where CASEVAULT_* settings and XDG folders come from.
enum Environment {
    /// A non-empty environment variable.
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}
