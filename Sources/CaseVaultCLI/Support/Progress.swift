import Foundation

/// A progress bar on standard error for long work, shown only when stderr is a terminal and the work is
/// large enough to be worth watching. Redraws at most ten times a second.
final class ProgressBar: @unchecked Sendable {
    /// Files smaller than this finish too fast for a bar to help.
    static let threshold: Int64 = 16 << 20

    private let label: String
    private let lock = NSLock()
    private var lastDraw: TimeInterval = 0
    private var drawn = false

    private init(label: String) { self.label = label }

    /// A bar when stderr is a terminal and `total` (bytes, -1 if unknown) is at least the threshold.
    static func make(label: String, total: Int64) -> ProgressBar? {
        guard Console.stderrIsTerminal, total >= threshold else { return nil }
        return ProgressBar(label: label)
    }

    /// A bar for several files, whose sizes are only known as they are read.
    static func forFiles(label: String, anyLargerThanThreshold: Bool) -> ProgressBar? {
        guard Console.stderrIsTerminal, anyLargerThanThreshold else { return nil }
        return ProgressBar(label: label)
    }

    func update(done: Int64, total: Int64, prefix: String = "") {
        lock.lock()
        defer { lock.unlock() }
        let now = Date().timeIntervalSince1970
        guard done == total || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        drawn = true
        let width = 30
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = String(format: "%3d%%", Int(fraction * 100))
        Console.errorNoNewline(
            "\r\(prefix)\(label) [\(bar)] \(percent) \(Printer.size(done)) of \(Printer.size(total))\u{1B}[K"
        )
    }

    /// Ends the bar's line, so that what follows starts on a clean line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { Console.errorNoNewline("\r\u{1B}[K") }
        drawn = false
    }
}
