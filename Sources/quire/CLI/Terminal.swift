#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What the terminal is like: its width, for tables and help.
enum Terminal {
    /// Columns: `$COLUMNS` when set, else the terminal's (stdout, then stderr), else 80.
    static var width: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
        var size = winsize()
        for fd in [STDOUT_FILENO, STDERR_FILENO] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 80
    }
}

extension Format {
    /// `text` cut to `width` characters, ending in `…` when cut.
    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(1, width - 1))) + "…"
    }
}
