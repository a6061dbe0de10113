import Foundation
import Synchronization

/// A progress bar on standard error for long work, shown only when stderr is a terminal and the work is
/// large enough to be worth watching. Redraws at most ten times a second.
final class ProgressBar: Sendable {
    /// Files smaller than this finish too fast for a bar to help.
    static let threshold: Int64 = 16 << 20

    private let label: String
    private struct State {
        var lastDraw: TimeInterval = 0
        var drawn = false
    }
    private let state = Mutex(State())

    private init(label: String) { self.label = label }

    /// A bar when stderr is a terminal. It draws only for work of at least `threshold` bytes, a size that
    /// is known only once the work starts.
    static func make(label: String) -> ProgressBar? {
        Console.stderrIsTerminal ? ProgressBar(label: label) : nil
    }

    func update(done: Int64, total: Int64, prefix: String = "") {
        guard total >= Self.threshold else { return }
        state.withLock { state in draw(&state, done: done, total: total, prefix: prefix) }
    }

    private func draw(_ state: inout State, done: Int64, total: Int64, prefix: String) {
        let now = Date().timeIntervalSince1970
        guard done == total || now - state.lastDraw >= 0.1 else { return }
        state.lastDraw = now
        state.drawn = true
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
        state.withLock { state in
            if state.drawn { Console.errorNoNewline("\r\u{1B}[K") }
            state.drawn = false
        }
    }
}
