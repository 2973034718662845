#if canImport(Glibc)
import Glibc
#endif
import Foundation
import QuireKit

/// Writing to stdout (buffered, flushed at exit and before anything goes to stderr) and stderr,
/// with `write(2)` so no C `FILE` is shared between threads.
enum Output {
    nonisolated(unsafe) private static var buffer: [UInt8] = []

    /// Writes text to stdout. Control characters other than newline and tab are shown as
    /// `\xNN` (keys, labels and paths come from files and peers: an escape sequence in one must
    /// not clear the screen or retitle the window).
    static func out(_ text: String) { outTrusted(Format.visible(text)) }

    /// Writes text this program composed (its own colour codes) to stdout as it is.
    static func outTrusted(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes a line to stdout (see `out`).
    static func line(_ text: String = "") { out(text + "\n") }

    /// Writes raw bytes to stdout.
    static func bytes(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered for stdout.
    static func flush() {
        buffer.withUnsafeBytes { writeAll(STDOUT_FILENO, $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Whether a progress line is on stderr now (`Progress`): a message first erases it.
    nonisolated(unsafe) static var progressShown = false

    /// Writes a line to stderr (erasing a progress line first, so the message stands alone).
    static func error(_ text: String) {
        flush()
        if progressShown { errorRaw("\r\u{1B}[K"); progressShown = false }
        let line = Array((Format.visible(text) + "\n").utf8)
        line.withUnsafeBytes { writeAll(STDERR_FILENO, $0) }
    }

    /// Writes raw text to stderr without a newline (progress lines).
    static func errorRaw(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { writeAll(STDERR_FILENO, $0) }
    }

    /// Prints a JSON document on stdout. Control characters can only stand inside its strings:
    /// C0 ones are escaped by the JSON writer, DEL and C1 ones here as `\u00XX` (the same JSON).
    static func json(_ value: JSON) {
        var out = String.UnicodeScalarView()
        for c in value.pretty.unicodeScalars {
            if c.value >= 0x7F && c.value <= 0x9F {
                out.append(contentsOf: "\\u00\(String(c.value, radix: 16))".unicodeScalars)
            } else {
                out.append(c)
            }
        }
        outTrusted(String(out) + "\n")
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // The reader went away (a closed pipe): stop quietly, as cat does.
                _exit(fd == STDOUT_FILENO ? 1 : 2)
            }
            offset += n
        }
    }

    /// Whether stderr is a terminal (for progress lines).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    /// Whether stdout is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    /// Whether stdin is a terminal (someone can answer a question).
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}

/// Formatting helpers for text output.
enum Format {
    /// Bytes in binary units: `812 B`, `12.3 KiB`, `4.0 MiB`.
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format1(value)) + " " + units[unit]
    }

    /// One decimal place.
    static func format1(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `text` with every control character but newline and tab (C0, DEL, C1) written `\xNN`.
    static func visible(_ text: String) -> String {
        func control(_ v: UInt32) -> Bool { (v < 0x20 && v != 0x0A && v != 0x09) || (v >= 0x7F && v <= 0x9F) }
        guard text.unicodeScalars.contains(where: { control($0.value) }) else { return text }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if control(c.value) {
                let hex = String(c.value, radix: 16)
                out.append(contentsOf: ("\\x" + (hex.count < 2 ? "0" + hex : hex)).unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }

    /// The first 12 hex digits of a hash, enough to name it on screen.
    /// A count with its noun in the right number: `1 file`, `2 files`, `0 files`.
    static func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }

    static func short(_ hash: String?) -> String { hash.map { String($0.prefix(12)) } ?? "-" }

    /// Rows as columns separated by two spaces, left-aligned; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// Writes `text` to the file at `path`, replacing it whole (written under a temporary name, then renamed).
/// Writes an output file whole (see `writeFileAtomically`): an existing file is refused unless
/// `replace` (`--force`), an SQLite file always.
func writeTextFile(_ path: String, _ text: String, replace: Bool) throws {
    try writeFileAtomically(path, replace: replace) { write in try Array(text.utf8).withUnsafeBytes { try write($0) } }
}
