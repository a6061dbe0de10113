import CaseVaultCore
import Foundation

/// How custody events read, shared by `custody show` and `custody report`: times in UTC and in Bolivian
/// time, and one line of details per event, in English or Spanish.
enum CustodyText {
    enum Language: String, CaseIterable { case en, es }

    /// America/La_Paz is UTC−4 all year (Bolivia has no daylight saving time), so it is computed, not looked
    /// up: the report does not depend on the machine's time zone database.
    static let laPazOffset = -4 * 3600

    /// `2026-03-01T14:05:09Z` as `2026-03-01 10:05:09 -04:00`; the input itself when it is not such a time.
    /// Every entry's time has this form, and is converted with integer arithmetic: a formatter made per call
    /// was a sixth of a 1,000-item report's time (profiled); others go through Foundation.
    static func laPaz(_ utc: String) -> String {
        if let fast = CivilTime(utc: utc)?.shifted(by: laPazOffset) { return fast.text + " -04:00" }
        let parser = ISO8601DateFormatter()
        guard let date = parser.date(from: utc) else { return utc }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = TimeZone(secondsFromGMT: laPazOffset)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date) + " -04:00"
    }

    /// The event's kind in `language`.
    static func kind(_ kind: String, _ language: Language) -> String {
        guard language == .es else { return kind }
        return [
            "intake": "recepción", "access": "acceso", "export": "exportación", "transfer": "traslado",
            "verified": "verificación", "annotated": "observación", "sealed": "sellado para juicio",
            "disposal-requested": "solicitud de baja", "hold": "retención legal",
            "hold-released": "retención legal levantada", "re-encrypted": "recifrado",
        ][kind] ?? kind
    }

    /// Whether the item is under legal hold, and by which entries (its own hold, its case's).
    static func legalHold(_ holds: ItemHolds, _ language: Language) -> String {
        let es = language == .es
        var parts: [String] = []
        if let entry = holds.item {
            parts.append(es ? "del elemento (entrada \(entry))" : "on the item (entry \(entry))")
        }
        if let entry = holds.caseHold {
            parts.append(es ? "del caso (entrada \(entry))" : "on its case (entry \(entry))")
        }
        guard !parts.isEmpty else { return es ? "no" : "none" }
        return parts.joined(separator: es ? " y " : " and ")
    }

    static func matches(_ yes: Bool, _ language: Language) -> String {
        switch (yes, language) {
        case (true, .en): "matches"
        case (false, .en): "DOES NOT MATCH"
        case (true, .es): "coincide"
        case (false, .es): "NO COINCIDE"
        }
    }

    /// A person as the signed log names them at an event: "Lucía Mamani (lucia), Abogada, Fundación X";
    /// `fallback` (the member name) when the record has no party, "(no profile)" for a member without one.
    static func party(_ party: CustodyParty?, _ fallback: String, _ language: Language) -> String {
        guard let party else { return fallback }
        var words: [String] = []
        switch (party.fullName, party.member) {
        case (let name?, let member?): words.append("\(name) (\(member))")
        case (let name?, nil): words.append(name + (language == .es ? " (externo al equipo)" : " (outside the team)"))
        case (nil, let member?): words.append(member + (language == .es ? " (sin perfil)" : " (no profile)"))
        case (nil, nil): words.append(fallback)
        }
        if let position = party.position { words.append(position) }
        if let institution = party.institution { words.append(institution) }
        return words.joined(separator: ", ")
    }

    /// The clear details of an event: what an auditor may read.
    static func details(_ event: CustodyEvent, _ record: CustodyRecord, _ language: Language) -> String {
        let f = event.fields
        let es = language == .es
        var parts: [String] = []
        switch event.kind {
        case "intake":
            if let origin = f["origin"] { parts.append((es ? "origen " : "origin ") + origin) }
            if let method = f["method"] { parts.append((es ? "método " : "method ") + method) }
            parts.append((es ? "recibido por " : "received by ") + party(event.actor, event.author, language))
            if let fingerprint = event.actor?.fingerprint {
                parts.append((es ? "huella de su clave " : "key fingerprint ") + fingerprint)
            }
        case "access":
            parts.append((es ? "salida " : "output ") + (f["output"] ?? ""))
        case "export":
            parts.append((es ? "a " : "to ") + (f["to"] ?? ""))
            if let sha = f["export-sha256"] { parts.append((es ? "SHA-256 exportado " : "exported SHA-256 ") + sha) }
        case "transfer":
            let from = party(event.from, record.custodianBefore(event), language)
            let to = party(event.to, f["to"] ?? "", language)
            parts.append((es ? "de \(from) a \(to)" : "from \(from) to \(to)"))
            parts.append((es ? "propósito " : "purpose ") + (f["purpose"] ?? ""))
        case "verified":
            parts.append(
                // Against the object the event names: a later re-encryption moves the item to another.
                (es ? "objeto " : "object ")
                    + matches(f["object-computed"] == (f["object"] ?? record.object), language))
            if let plain = f["plaintext-computed"] {
                parts.append((es ? "contenido " : "plaintext ") + matches(plain == record.sha256, language))
            } else {
                parts.append(es ? "contenido no verificado (sin rol lector)" : "plaintext not checked (no reader role)")
            }
        case "re-encrypted":
            parts.append((es ? "nuevo objeto " : "new object ") + (f["new-object"] ?? ""))
            parts.append((es ? "rol " : "role ") + (f["role"] ?? ""))
            parts.append(es ? "SHA-256 del contenido sin cambio" : "plaintext SHA-256 unchanged")
        default: break
        }
        if f["private"] != nil {
            if let remarks = event.remarks {
                parts.append("“" + remarks.text + "”" + (remarks.authority.map { " (\($0))" } ?? ""))
            } else {
                parts.append(es ? "observaciones cifradas" : "encrypted remarks")
            }
        }
        return parts.joined(separator: "; ")
    }
}

extension CustodyRecord {
    /// Who held the item just before `event` (the intake's author, then each transfer's target).
    func custodianBefore(_ event: CustodyEvent) -> String {
        var holder = events.first?.author ?? ""
        for earlier in events where earlier.entry < event.entry && earlier.kind == "transfer" {
            holder = earlier.fields["to"] ?? holder
        }
        return holder
    }
}
