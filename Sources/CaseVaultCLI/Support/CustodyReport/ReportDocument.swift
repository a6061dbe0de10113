/// A report as blocks, built once and rendered as Markdown or as XHTML, so that both say the same.
enum ReportBlock {
    case heading(Int, String)
    case paragraph(String)
    /// Text shown verbatim (hashes, commands, signed entries, proofs).
    case code(String)
    case table([String], [[String]])
    case list([String])
    /// A space for a handwritten signature.
    case signatureLine(String)
}

enum ReportRender {
    static func markdown(_ blocks: [ReportBlock]) -> String {
        var out: [String] = []
        for block in blocks {
            switch block {
            case .heading(let level, let text): out.append(String(repeating: "#", count: level) + " " + text)
            case .paragraph(let text): out.append(text)
            case .code(let text): out.append("```\n" + text + (text.hasSuffix("\n") ? "" : "\n") + "```")
            case .table(let header, let rows):
                let cell = { (s: String) in s.replacingOccurrences(of: "|", with: "\\|") }
                var lines = ["| " + header.map(cell).joined(separator: " | ") + " |"]
                lines.append("|" + String(repeating: " --- |", count: header.count))
                lines += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
                out.append(lines.joined(separator: "\n"))
            case .list(let items): out.append(items.map { "- " + $0 }.joined(separator: "\n"))
            case .signatureLine(let label): out.append("\n\n______________________________\n" + label)
            }
        }
        return out.joined(separator: "\n\n") + "\n"
    }

    /// One self-contained XHTML file: inline style for print, no script, no remote resource.
    static func html(_ blocks: [ReportBlock], title: String, language: String) -> String {
        var body: [String] = []
        for block in blocks {
            switch block {
            case .heading(let level, let text): body.append("<h\(level)>\(escape(text))</h\(level)>")
            case .paragraph(let text): body.append("<p>\(escape(text))</p>")
            case .code(let text): body.append("<pre>\(escape(text))</pre>")
            case .table(let header, let rows):
                var lines = [
                    "<table>", "<thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>",
                ]
                lines.append("<tbody>")
                lines += rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
                lines.append("</tbody></table>")
                body.append(lines.joined(separator: "\n"))
            case .list(let items): body.append("<ul>" + items.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
            case .signatureLine(let label):
                body.append("<div class=\"signature\"><div class=\"line\"></div><p>\(escape(label))</p></div>")
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="\(language)" xml:lang="\(language)">
            <head>
            <meta charset="UTF-8"/>
            <title>\(escape(title))</title>
            <style>
            body { font-family: serif; max-width: 60em; margin: 2em auto; font-size: 11pt; }
            table { border-collapse: collapse; width: 100%; margin: 1em 0; }
            th, td { border: 1px solid #444; padding: 0.2em 0.4em; vertical-align: top; text-align: left; }
            pre, td { font-size: 9pt; }
            pre { white-space: pre-wrap; word-break: break-all; border: 1px solid #999; padding: 0.4em; }
            td { word-break: break-all; }
            .signature { margin-top: 4em; width: 22em; }
            .signature .line { border-bottom: 1px solid #000; height: 3em; }
            @media print { h2 { page-break-before: auto; } pre, table { page-break-inside: avoid; } }
            </style>
            </head>
            <body>
            \(body.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    /// Escapes text for XHTML content and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 allows no control characters but tab and newline.
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
