import Dispatch
import Foundation

/// The progress line every long command draws on stderr, redrawn in place at most ten times a
/// second: `ingest: 12,345 of 44,500 files 27% · 0:41 left` (or `12.3 MiB of 44.0 MiB` for
/// bytes). The time left comes from the rate seen so far, once the work has run for a second;
/// before that the line says it is estimating. Drawn only when stderr is a terminal, unless
/// `QUIRE_PROGRESS` says `always` (tests, logs) or `never`; `--quiet` and `--json` turn it off.
///
/// Library calls report through plain closures (`(done, total)`); the command passes one that
/// calls `update` here. Safe to call from any thread.
final class Progress: @unchecked Sendable {
    /// What is counted: things with a singular and plural name, or bytes.
    enum Unit: Sendable, Equatable {
        case items(String, String)
        case bytes

        static let files = Unit.items("file", "files")
    }

    /// Seconds of work before the time left is estimated.
    static let warmUp = 1.0
    /// Seconds between two redraws.
    static let redrawInterval = 0.1

    private let label: String
    private let unit: Unit
    private let enabled: Bool
    private let lock = NSLock()
    private var total: Int?
    private var done = 0
    /// Text after the line's counts (`12,345 files` while an ingest counts bytes).
    private var note: String?
    private let started = DispatchTime.now()
    private var lastDraw: UInt64 = 0
    private var drawn = false

    /// A progress line for `label` (the command: `ingest`), counting `unit`; the total comes with
    /// the first `update` that knows it. `quiet` (`--quiet`, `--json`) turns it off.
    init(_ label: String, unit: Unit, quiet: Bool = false) {
        self.label = label
        self.unit = unit
        enabled = !quiet && Progress.wanted
    }

    /// Whether progress is drawn at all: `QUIRE_PROGRESS=always|never`, else when stderr is a terminal.
    static var wanted: Bool {
        switch ProcessInfo.processInfo.environment["QUIRE_PROGRESS"] {
        case "always": return true
        case "never": return false
        default: return Output.stderrIsTerminal
        }
    }

    /// Whether the line is drawn at all (a command can skip work done only for it).
    var isOn: Bool { enabled }

    /// Sets what is done (and the total, when the work learns it as it goes), and a note.
    func update(_ done: Int, of total: Int? = nil, note: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        self.done = done
        if let total { self.total = total }
        if let note { self.note = note }
        drawIfDue()
    }

    /// Adds a note to the line and draws it at once: for a last step that sends no updates.
    func note(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        self.note = text
        if enabled { draw() }
    }

    /// Draws the last state once, then clears the line (stderr is then free for messages).
    func finish() {
        lock.lock(); defer { lock.unlock() }
        guard enabled else { return }
        guard drawn else { return }
        draw()
        Output.errorRaw("\r\u{1B}[K")
        drawn = false
        Output.progressShown = false
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    private func drawIfDue() {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard !drawn || now - lastDraw >= UInt64(Progress.redrawInterval * 1e9) else { return }
        lastDraw = now
        draw()
    }

    private func draw() {
        let text = Progress.text(label: label, done: done, total: total, unit: unit, elapsed: elapsed) + (note.map { " · " + $0 } ?? "")
        Output.errorRaw("\r\u{1B}[K" + Format.clip(text, max(20, Terminal.errorWidth - 1)))
        drawn = true
        Output.progressShown = true
    }

    // MARK: Formatting

    /// The line for `done` of `total` after `elapsed` seconds:
    /// `LABEL: 12,345 of 44,500 files 27% · 0:41 left`; `LABEL: 0 of 0 files 100%`;
    /// `LABEL: 12,345 files` when the total is not known; no time left once done.
    static func text(label: String, done: Int, total: Int?, unit: Unit, elapsed: Double) -> String {
        let head = label.isEmpty ? "" : label + ": "
        guard let total else { return head + amount(done, unit) }
        let counted: String
        switch unit {
        case .bytes: counted = "\(Format.bytes(done)) of \(Format.bytes(total))"
        case .items(let one, let many): counted = "\(grouped(done)) of \(grouped(total)) \(total == 1 ? one : many)"
        }
        let percent = total <= 0 ? 100 : min(100, Int(Double(min(done, total)) * 100 / Double(total)))
        var line = head + counted + " \(percent)%"
        if done < total {
            if let left = secondsLeft(done: done, total: total, elapsed: elapsed) {
                line += " · \(duration(left)) left"
            } else {
                line += " · estimating time left"
            }
        }
        return line
    }

    /// The seconds left at the rate seen so far; nil during the warm-up or before anything is done.
    static func secondsLeft(done: Int, total: Int, elapsed: Double) -> Double? {
        guard elapsed >= warmUp, done > 0, total > done else { return nil }
        return Double(total - done) * elapsed / Double(done)
    }

    /// `0:41`, `12:05`, `1:02:03` (seconds rounded up: a second left is not "0:00").
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }

    /// `12,345 files`, `1 file`, `12.3 MiB`.
    static func amount(_ n: Int, _ unit: Unit) -> String {
        switch unit {
        case .bytes: return Format.bytes(n)
        case .items(let one, let many): return "\(grouped(n)) \(n == 1 ? one : many)"
        }
    }

    /// A whole number with a comma between groups of three digits: `44,500`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
