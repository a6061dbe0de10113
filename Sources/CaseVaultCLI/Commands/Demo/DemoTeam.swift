import CaseVaultIO
import Foundation

/// The fictitious team of the demo and its sample documents. Everything here is invented; the
/// passphrases are public, demo-only, and listed in Keys/demo/README.md.
enum DemoTeam {
    struct Person {
        let name: String
        let role: String
        let description: String
        var passphrase: String { "demo-\(name)-2026" }
    }

    /// The admin; her keys are made by `init` inside the demo vault (a vault's first admin always is).
    static let admin = Person(name: "ana", role: "admin", description: "coordinadora, admin")

    /// The members added from the public cards in Keys/demo.
    static let members = [
        Person(name: "lucia", role: "lawyer", description: "abogada"),
        Person(name: "mateo", role: "mentor", description: "abogado mentor"),
        Person(name: "sofia", role: "psychologist", description: "psicóloga"),
        Person(name: "carmen", role: "social-worker", description: "trabajadora social"),
        Person(name: "diego", role: "auditor", description: "auditor"),
    ]

    static func person(_ name: String) -> Person { members.first { $0.name == name } ?? admin }

    /// The scrypt work factor of the demo key files: lower than the default 18 so that the demo runs fast
    /// on a modest laptop. Acceptable only because these passphrases are public anyway.
    static let keyWorkFactor = 14

    static let caseID = "LPZ-2026-014"
    static let caseTitle = "Denuncia por violación, El Alto (caso ficticio)"
    static let survivor = "Rosa"

    /// Finds Keys/demo from the current folder upwards, then from the running binary upwards (so that
    /// `.build/debug/casevault demo` works from anywhere inside the sources).
    static func locateKeys() throws -> String {
        var starts = [FileManager.default.currentDirectoryPath]
        if let binary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append((binary as NSString).deletingLastPathComponent)
        }
        for start in starts {
            var folder = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("Keys/demo").path
                if FileSystem.exists(candidate + "/lucia.card.json") { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CLIError.inputMissing(
            "Cannot find the demo team (Keys/demo). Run the demo from the CaseVault sources, or pass --keys DIR."
        )
    }

    /// A sample document: its file name, class, custody fields and (fictitious, Spanish) text.
    struct Document {
        let file: String
        let itemClass: String
        let note: String
        let source: String
        let text: String
    }

    static let complaint = Document(
        file: "memorial-denuncia.txt", itemClass: "legal",
        note: "Memorial de denuncia presentado ante la Fiscalía",
        source: "Redactado por la abogada patrocinante",
        text: """
            DOCUMENTO FICTICIO - SOLO PARA DEMOSTRACIÓN DE CASEVAULT

            SEÑOR FISCAL DE MATERIA DE TURNO - EL ALTO
            Presenta denuncia por el delito de violación (art. 308 del Código Penal) y solicita medidas de
            protección conforme a la Ley N° 348.

            La denunciante, identificada en este expediente con el seudónimo "Rosa", con el patrocinio de la
            abogada que suscribe, se presenta y expone:

            I. HECHOS
            El 14 de febrero de 2026, en la zona Villa Adela de la ciudad de El Alto, la denunciante fue
            agredida por una persona de su entorno. Los hechos se detallan en la declaración adjunta.

            II. PRUEBA
            1. Transcripción certificada de mensajes recibidos (ítem de evidencia del expediente).
            2. Acta de cadena de custodia del teléfono de la denunciante.
            3. Certificado médico forense (pendiente de emisión por el IDIF).

            III. PETITORIO
            Se admita la denuncia, se ordene la investigación y se dispongan medidas de protección
            inmediatas a favor de la víctima.

            El Alto, 1 de marzo de 2026.
            """)

    static let messages = Document(
        file: "transcripcion-mensajes.txt", itemClass: "evidence",
        note: "Mensajes de amenaza recibidos por la denunciante",
        source: "Teléfono de la denunciante, extracción ante notario",
        text: """
            DOCUMENTO FICTICIO - SOLO PARA DEMOSTRACIÓN DE CASEVAULT

            TRANSCRIPCIÓN DE MENSAJES (extracto)
            [15/02/2026 22:41] Número desconocido: si hablas con alguien te va a ir peor
            [15/02/2026 22:43] Número desconocido: sé dónde trabajas
            [16/02/2026 07:10] Número desconocido: borra todo

            Extracción realizada el 20/02/2026 en presencia de notaria de fe pública. Se adjunta acta de
            cadena de custodia. Hash SHA-256 del archivo original registrado en la bóveda al ingresar.
            """)

    static let custody = Document(
        file: "acta-cadena-custodia.txt", itemClass: "evidence",
        note: "Acta de cadena de custodia del teléfono",
        source: "Oficina de la organización, La Paz",
        text: """
            DOCUMENTO FICTICIO - SOLO PARA DEMOSTRACIÓN DE CASEVAULT

            ACTA DE CADENA DE CUSTODIA
            Objeto: teléfono celular de la denunciante (marca y serie reservadas).
            Recibido por: abogada patrocinante, 20/02/2026, 10:30.
            Estado: encendido, sin daños visibles; se extrajeron los mensajes y se devolvió a su dueña.
            Toda copia digital se registra en CaseVault con su SHA-256 (y SHA-512 para el informe pericial).
            """)

    static let clinicalNote = Document(
        file: "nota-sesion-1.txt", itemClass: "clinical", note: "Primera sesión de contención",
        source: "Consultorio de la organización",
        text: """
            DOCUMENTO FICTICIO - SOLO PARA DEMOSTRACIÓN DE CASEVAULT

            NOTA CLÍNICA - SESIÓN 1
            Paciente (seudónimo): Rosa. Se realiza contención emocional. Se acuerda plan de seguridad y
            acompañamiento a la declaración en Cámara Gesell. Próxima sesión en una semana.
            """)

    static let socialReport = Document(
        file: "informe-social.txt", itemClass: "social", note: "Informe de visita domiciliaria",
        source: "Visita domiciliaria, El Alto",
        text: """
            DOCUMENTO FICTICIO - SOLO PARA DEMOSTRACIÓN DE CASEVAULT

            INFORME SOCIAL
            Se visitó el domicilio de la denunciante. Vive con su madre y dos hermanos menores. Se
            recomienda coordinar con la Defensoría de la Niñez y la Adolescencia y con el SLIM del distrito.
            """)
}
