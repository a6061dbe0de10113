import CaseVaultCrypto

extension CustodyBundle {
    /// `custody.json` restates what the item's signed events say: every field must be what the proved events
    /// of the bundle give (Docs/FORMAT.md, "Evidence bundles"), so that nobody reading it relies on a value
    /// only the unsigned file states. `listed` are the indexes of `events/`, `proved` those that verified,
    /// `caseHolds` the proved entries of `case-hold/`. Each differing field is named.
    static func recordProblems(
        _ item: String, record: CustodyRecord, listed: [Int], proved: [ProvedEntry], gaps: [CustodyGap],
        caseHolds: [ProvedEntry]
    ) -> [String] {
        let prefix = "items/\(item)/custody.json: "
        var problems: [String] = []
        if record.events.map(\.entry) != listed {
            problems.append(prefix + "its events are not the entries of events/")
        }
        for event in record.events {
            guard let signed = proved.first(where: { $0.index == event.entry }) else { continue }
            problems += eventDifferences(event, signed).map {
                prefix + "entry \(event.entry)'s \($0) is not what the signed entry states"
            }
        }
        guard let intake = proved.first, intake.entry.type == .itemAdd else { return problems }
        let chain = ChainFacts(proved.map { ($0.index, $0.entry) })
        let caseHold = caseHolds.first { $0.entry.type == .caseHold && $0.entry.value("case") == record.caseID }
        let fields: [(String, Bool)] = [
            ("item", record.item == item && intake.entry.value("item") == item),
            ("caseID", record.caseID == intake.entry.value("case")),
            ("itemClass", record.itemClass == intake.entry.value("class")),
            ("size", String(record.size) == intake.entry.value("size")),
            ("sha256", record.sha256 == intake.entry.value("sha256")),
            ("sha512", record.sha512 == intake.entry.value("sha512")),
            ("object", record.object == chain.object),
            ("custodian", record.custodian == chain.custodian),
            ("sealed", record.sealed == chain.sealed),
            ("disposalRequested", record.disposalRequested == chain.disposalRequested),
            ("legalHold.item", record.legalHold.item == chain.hold),
            ("legalHold.caseHold", record.legalHold.caseHold == caseHold?.index),
            ("gaps", record.gaps == gaps),
        ]
        problems += fields.filter { !$0.1 }.map { prefix + "its \($0.0) is not what the signed entries state" }
        for extra in caseHolds where extra.index != caseHold?.index {
            problems.append("items/\(item)/case-hold/\(extra.index).entry: it is not the case.hold custody.json names")
        }
        return problems
    }

    /// The fields of an event that restate its signed entry.
    private static func eventDifferences(_ event: CustodyEvent, _ signed: ProvedEntry) -> [String] {
        var fields: [String: String] = [:]
        for field in signed.entry.fields { fields[field.key] = field.value }
        let type = signed.entry.type.rawValue
        let checks: [(String, Bool)] = [
            ("kind", event.kind == CustodyChainCheck.kinds[type] ?? type), ("type", event.type == type),
            ("time", event.time == signed.entry.time), ("author", event.author == signed.entry.author),
            ("fields", event.fields == fields), ("leafHash", event.leafHash == Hex.encode(signed.leafHash)),
            ("signedEntry", Array(event.signedEntry.utf8) == signed.bytes), ("remarks", event.remarks == nil),
        ]
        return checks.filter { !$0.1 }.map(\.0)
    }

    /// The state of an item's chain after its events, as the log's replay leaves it (`LogState+Custody`,
    /// `LogState+Hold`, `LogState+Reencrypt`): from the events alone, in order.
    private struct ChainFacts {
        var object: String?
        var custodian: String?
        var sealed = false
        var disposalRequested = false
        var hold: Int?

        init(_ events: [(index: Int, entry: LogEntry)]) {
            for (position, (index, entry)) in events.enumerated() {
                switch entry.type {
                case .itemAdd where position == 0:
                    (object, custodian) = (entry.value("object"), entry.author)
                case .custodyTransfer:
                    // A transfer outside the team leaves the member who handed it over as custodian.
                    if let member = entry.value("to") { custodian = member }
                case .custodySeal: sealed = true
                case .custodyDisposal: disposalRequested = true
                case .custodyReencrypt: object = entry.value("new-object")
                case .custodyHold: hold = index
                case .custodyRelease: hold = nil
                default: break
                }
            }
        }
    }
}
