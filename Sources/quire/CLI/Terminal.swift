#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What the terminal is like: its width, for tables and help.
enum Terminal {
    /// Columns of stdout: `$COLUMNS` when set, else the terminal's (ioctl TIOCGWINSZ), else 80
    /// (a pipe or a file).
    static var width: Int { width(of: STDOUT_FILENO) }

    /// Columns of stderr (the progress line), the same way.
    static var errorWidth: Int { width(of: STDERR_FILENO) }

    private static func width(of fd: Int32) -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}

extension Terminal {
    /// Whether to colour stdout: `--color always|never`, else (auto) on a terminal unless
    /// `NO_COLOR` is set (to anything but empty: no-color.org) or `TERM` is `dumb`.
    static func colour(_ option: String?) throws -> Bool {
        switch option ?? "auto" {
        case "always": return true
        case "never": return false
        case "auto":
            let env = ProcessInfo.processInfo.environment
            if let noColor = env["NO_COLOR"], !noColor.isEmpty { return false }
            if env["TERM"] == "dumb" { return false }
            return Output.stdoutIsTerminal
        case let other: throw UsageError("--color must be auto, always or never, not '\(other)'")
        }
    }
}

extension Format {
    /// `text` cut to `width` characters, ending in `…` when cut.
    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(1, width - 1))) + "…"
    }
}
