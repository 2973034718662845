import Foundation
import QuireKit

/// `quire help --man`: the manual page in roff (man(7)), made from the command table and help
/// texts, so `man -l <(quire help --man)` shows what `--help` says. `mandoc -T lint` accepts it.
enum ManPage {
    /// Text made safe for roff: backslashes escaped, a leading `.` or `'` guarded.
    private static func escape(_ text: String) -> String {
        var s = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        // Characters beyond ASCII as roff's \[uXXXX], which every formatter reads.
        if s.unicodeScalars.contains(where: { !$0.isASCII }) {
            s = s.unicodeScalars.map { $0.isASCII ? String($0) : "\\[u" + String(format: "%04X", $0.value) + "]" }.joined()
        }
        return s.hasPrefix(".") || s.hasPrefix("'") ? "\\&" + s : s
    }

    /// A line of running text cut at spaces into lines of at most 80 bytes (roff joins them
    /// again when it fills; mandoc's lint asks for short input lines).
    private static func wrapped(_ line: String) -> String {
        var lines: [String] = []
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty && current.utf8.count + 1 + word.utf8.count > 72 {
                lines.append(current)
                current = String(word)
            } else {
                current = current.isEmpty ? String(word) : current + " " + word
            }
        }
        lines.append(current)
        // A cut line must not start with a control character.
        return lines.map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : $0 }.joined(separator: "\n")
    }

    /// A help discussion as paragraphs: blank lines become `.PP`, indented lines (examples,
    /// lists) are kept as typed, indented.
    private static func paragraphs(_ text: String) -> String {
        var out: [String] = []
        var literal = false, pendingParagraph = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if literal { out += [".fi", ".RE"]; literal = false }
                pendingParagraph = true
                continue
            }
            if line.hasPrefix("  ") {
                if !literal {
                    if pendingParagraph && !out.isEmpty { out.append(".PP") }
                    pendingParagraph = false
                    out += [".RS 4", ".nf"]
                    literal = true
                }
                out.append(escape(String(line.drop(while: { $0 == " " }))))
                continue
            }
            if literal { out += [".fi", ".RE"]; literal = false }
            if pendingParagraph && !out.isEmpty { out.append(".PP") }
            pendingParagraph = false
            out.append(wrapped(escape(line)))
        }
        if literal { out += [".fi", ".RE"] }
        return out.joined(separator: "\n")
    }

    private static func options(_ list: [OptionSpec]) -> String {
        var out = ""
        for option in list {
            let name = (option.short.map { "\\fB\\-\($0)\\fR, " } ?? "") + "\\fB\\-\\-\(escape(option.long))\\fR"
                + (option.value.map { " \\fI\(escape($0))\\fR" } ?? "")
            out += ".TP\n\(name)\n\(wrapped(escape(option.help)))\n"
        }
        return out
    }

    private static func section(_ command: Command, path: String) -> String {
        var out = ".SS \(escape("quire " + path))\n\(wrapped(escape(command.summary)))\n"
        out += ".PP\nUsage:\n.br\n\\fB\(escape(Help.synopsis(command, path: path)))\\fR\n"
        if !command.discussion.isEmpty { out += ".PP\n" + paragraphs(command.discussion) + "\n" }
        if !command.options.isEmpty { out += ".PP\nOptions:\n.RS 4\n" + options(command.options) + ".RE\n" }
        for sub in command.subcommands { out += section(sub, path: path + " " + sub.name) }
        return out
    }

    static func page() -> String {
        var out = """
        .TH QUIRE 1 2026-03-27 "\(escape(Identity.tool))" "User Commands"
        .SH NAME
        quire \\- archive news article files in one SQLite file, keep copies
        in step, audit provenance
        .SH SYNOPSIS
        .B quire
        .RB [ \\-A
        .IR ARCHIVE ]
        .I command
        .RI [ options ]
        .RI [ arguments ]
        .SH DESCRIPTION
        Quire hashes every file it is given (SHA\\-256), stores identical
        bytes once, turns a changed article into a new version of the same
        document, and records every sighting of every file with where it came
        from: batch, path, time, agent, host and tool.
        Copies of an archive exchange bundles and converge; \\fBverify\\fR
        proves the stored bytes are the captured bytes.
        .SH COMMANDS

        """
        for command in allCommands { out += section(command, path: command.name) }
        out += """
        .SH OPTIONS
        These apply to every command:
        .RS 4
        \(options(GlobalOptions.all)).RE
        .SH ENVIRONMENT
        .TP
        .B QUIRE_ARCHIVE
        The archive file when \\fB\\-A\\fR is not given (else ./archive.quire).
        .TP
        .B QUIRE_LOCK_TIMEOUT
        Seconds a write waits for another process's write (default 30).
        .TP
        .B QUIRE_PROGRESS
        \\fBalways\\fR draws the progress line of long commands even when stderr is not a
        terminal; \\fBnever\\fR never draws it (default: on a terminal only).
        .TP
        .B COLUMNS
        The width help is wrapped to (else the terminal's, else 80).
        .TP
        .B PAGER
        The pager for long listings on a terminal (default: less \\-FRX).
        .TP
        .B NO_COLOR
        When set and not empty, no colour (as does TERM=dumb).
        .SH EXIT STATUS
        0 success, 1 a failure (an error, a file that could not be archived),
        64 a mistake in the command line.
        .SH SEE ALSO
        .BR sqlite3 (1),
        .BR git (1)

        """
        return out
    }
}
