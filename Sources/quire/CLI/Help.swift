import QuireKit

/// The text of `quire --help` and `quire COMMAND --help` (printed on stdout, exit status 0),
/// wrapped to `width` (default: the terminal's, else 80; `TextWrap`).
enum Help {
    static func overview(width: Int = Terminal.width) -> String {
        var text = """
        quire: archive news article files in one SQLite file, keep copies in step, audit provenance.

        Usage: quire [-A ARCHIVE] <command> [options] [arguments]

        Commands:

        """
        let nameWidth = allCommands.map(\.name.count).max() ?? 0
        for command in allCommands {
            text += "  " + command.name + String(repeating: " ", count: nameWidth - command.name.count + 2) + command.summary + "\n"
        }
        text += """

        Which archive: --archive PATH (-A PATH, before or after the command), else the
        QUIRE_ARCHIVE environment variable, else ./\(Archive.defaultFileName) in the current directory.

        One process writes to an archive at a time; others wait for it up to QUIRE_LOCK_TIMEOUT
        seconds (default \(Int(Archive.defaultLockTimeout))), then fail with nothing changed. Reading commands do not wait for writes.

        Long commands draw a progress line on stderr when it is a terminal (QUIRE_PROGRESS=always
        or never overrides that). Help is wrapped to $COLUMNS, else the terminal, else 80.

        Exit status: 0 success, 1 failure (an error, a file that could not be archived),
        64 a mistake in the command line.

        'quire <command> --help' describes a command; 'quire help --man' prints the manual page,
        'quire completion bash|zsh|fish' a completion script. Start with:
          quire ingest FOLDER
        or, in the source tree, with the sample batches:
          quire ingest Archives/samples/day-1 Archives/samples/day-2

        """
        return TextWrap.wrap(text, width: width)
    }

    static func synopsis(_ command: Command, path: String) -> String {
        var s = "quire \(path)"
        if !command.subcommands.isEmpty && command.run == nil { return s + " <\(command.subcommands.map(\.name).joined(separator: "|"))> ..." }
        if !command.options.isEmpty { s += " [options]" }
        for p in command.positionals {
            let name = p.maximum == nil ? "\(p.name)..." : p.name
            s += p.minimum > 0 ? " \(name)" : " [\(name)]"
        }
        return s
    }

    static func command(_ command: Command, path: String, width: Int = Terminal.width) -> String {
        var text = "\(command.summary)\n\nUsage: \(synopsis(command, path: path))\n"
        if !command.subcommands.isEmpty {
            text += "\nCommands:\n"
            let nameWidth = command.subcommands.map(\.name.count).max() ?? 0
            for sub in command.subcommands {
                text += "  \(sub.name)" + String(repeating: " ", count: nameWidth - sub.name.count + 2) + sub.summary + "\n"
            }
        }
        if !command.positionals.isEmpty {
            text += "\nArguments:\n"
            for p in command.positionals { text += "  \(p.name)\n      \(p.help)\n" }
        }
        text += "\nOptions:\n"
        for option in command.options + GlobalOptions.all {
            text += "  \(option.synopsis)\n      \(option.help)\n"
        }
        if !command.discussion.isEmpty { text += "\n" + command.discussion + "\n" }
        return TextWrap.wrap(text, width: width)
    }
}
