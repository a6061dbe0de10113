import Testing

/// Byte-array equality that, on failure, records the lengths and the first difference instead of letting
/// `#expect(a == b)` print megabytes of both arrays. Use it as `#expect(sameBytes(actual, expected))`.
public func sameBytes(
    _ actual: [UInt8], _ expected: [UInt8], _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    if actual == expected { return true }
    let firstDifference =
        zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    let context = comment.map { " (\($0.rawValue))" } ?? ""
    Issue.record(
        "got \(actual.count) bytes, expected \(expected.count); first difference at \(firstDifference)\(context)",
        sourceLocation: sourceLocation)
    return false
}
