#if canImport(Glibc)
import Foundation
import Glibc
#endif
import QuireKit

/// One `quire` command: its name, what it does, what it accepts, and the code that runs it.
struct Command: Sendable {
    let name: String
    let summary: String
    /// Text after the synopsis in `--help`: details, examples.
    let discussion: String
    let options: [OptionSpec]
    let positionals: [PositionalSpec]
    /// Commands under this one (`bundle create`); a command with subcommands has no `run`.
    let subcommands: [Command]
    let run: (@Sendable (Context, ParsedArguments) throws -> Int32)?

    init(name: String, summary: String, discussion: String = "", options: [any CommandOption] = [], positionals: [PositionalSpec] = [],
         subcommands: [Command] = [], run: (@Sendable (Context, ParsedArguments) throws -> Int32)? = nil) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.options = options.map(\.spec)
        self.positionals = positionals
        self.subcommands = subcommands
        self.run = run
    }

    /// `--json` for commands that print data.
    static let json = Flag("json", help: "Print one JSON document on stdout (shapes in docs/cli.md).")
    /// `--force` for commands that write an output file.
    static let force = Flag("force", help: "Replace the output file when it exists (never an SQLite file such as an archive).")
}

/// Options every command accepts, before or after the command name.
enum GlobalOptions {
    static let archive = Option<String>("archive", short: "A", value: "PATH", help: "The archive file (default: $QUIRE_ARCHIVE, else ./\(Archive.defaultFileName)).")
    static let help = Flag("help", short: "h", help: "Show help for the command and exit.")
    static let noPager = Flag("no-pager", help: "Do not send long listings through a pager ($PAGER, else less -FRX) on a terminal.")
    static let all: [OptionSpec] = [archive.spec, help.spec, noPager.spec]
}

/// What a running command needs: the parsed global options and how to reach the archive.
struct Context: Sendable {
    let archivePath: String
    /// Whether the path came from `--archive` or `QUIRE_ARCHIVE` rather than the default.
    let archiveWasNamed: Bool

    /// Opens the archive, which must exist.
    /// `signing: false` for commands that record no signed event and must work while the
    /// configured key is unusable (`quire config`, which is how it is fixed).
    func openArchive(readOnly: Bool = false, signing: Bool = true) throws -> Archive {
        try openArchive(at: archivePath, readOnly: readOnly, signing: signing)
    }

    /// Opens the archive at `path`, waiting for locks as long as `QUIRE_LOCK_TIMEOUT` says, and
    /// accepting blobs from bundles up to `QUIRE_MAX_BLOB_SIZE`.
    func openArchive(at path: String, readOnly: Bool = false, signing: Bool = true) throws -> Archive {
        let archive = try Archive.open(at: path, readOnly: readOnly, lockTimeout: try Self.lockTimeout())
        archive.largestIncomingBlob = try Self.largestIncomingBlob()
        try archive.applySettings()
        if !readOnly && signing { archive.signingKey = try Self.signingKey(for: archive) }
        return archive
    }

    /// The operator's signing key: `QUIRE_SIGNING_KEY` (a private key file, or a public key whose
    /// private half ssh-agent holds), signing as `QUIRE_SIGNING_PRINCIPAL` (default user@host).
    /// Without the variable, the `signing-key` setting (`quire config signing-key FILE`) is used.
    static func signingKey(for archive: Archive) throws -> SigningKey? {
        let variable = getenv("QUIRE_SIGNING_KEY").map { String(cString: $0) } ?? ""
        guard let given = variable.isEmpty ? try archive.setting(.signingKey)?.value : variable, !given.isEmpty else { return nil }
        let path = (given as NSString).expandingTildeInPath
        let principal = getenv("QUIRE_SIGNING_PRINCIPAL").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        return try SigningKey(path: path, principal: principal ?? Identity.defaultAgent)
    }

    /// `QUIRE_MAX_BLOB_SIZE`: bytes, or a number with K, M, G or T (powers of 1024); else 4G.
    static func largestIncomingBlob() throws -> Int {
        guard let text = getenv("QUIRE_MAX_BLOB_SIZE").map({ String(cString: $0) }), !text.isEmpty else { return Archive.defaultLargestIncomingBlob }
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var digits = text.uppercased()
        var shift = 0
        if let last = digits.last, let s = units[last] { shift = s; digits.removeLast() }
        guard let n = Int(digits), n > 0, n <= (Int.max >> shift) else {
            throw QuireError(.badSetting, "QUIRE_MAX_BLOB_SIZE must be a number of bytes, optionally with K, M, G or T (like 512M), not '\(text)'")
        }
        return n << shift
    }

    /// `QUIRE_LOCK_TIMEOUT` in seconds (a number, 0 or more), else the default.
    static func lockTimeout() throws -> Double {
        guard let text = getenv("QUIRE_LOCK_TIMEOUT").map({ String(cString: $0) }), !text.isEmpty else { return Archive.defaultLockTimeout }
        guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
            throw QuireError(.badSetting, "QUIRE_LOCK_TIMEOUT must be a number of seconds from 0 to 86400, not '\(text)'")
        }
        return seconds
    }
}

/// Parses the command line, runs the command, and returns the exit status: 0 success, 1 a runtime
/// failure, 64 a usage error (the conventions of swift-argument-parser and sysexits.h).
enum CLI {
    static let usageExit: Int32 = 64

    static func main(_ arguments: [String]) -> Int32 {
        var args = Array(arguments.dropFirst())
        if args == ["--version"] || args == ["-V"] || args == ["version"] {
            Output.line(Identity.tool)
            return 0
        }
        // Find the command path: leading words that name commands, skipping global options.
        var path: [Command] = []
        var commands = allCommands
        var i = 0
        var skipValue = false
        var unknownWord: String? = nil
        while i < args.count {
            let arg = args[i]
            if skipValue { skipValue = false; i += 1; continue }
            if arg == "-A" || arg == "--archive" { skipValue = true; i += 1; continue }
            if arg.hasPrefix("-") { i += 1; continue }
            guard let command = commands.first(where: { $0.name == arg }) else {
                if path.isEmpty { unknownWord = arg }
                break
            }
            path.append(command)
            args.remove(at: i)
            commands = command.subcommands
            if commands.isEmpty { break }
        }
        guard let command = path.last else {
            if args.isEmpty || args.contains("--help") || args.contains("-h") || args == ["help"] {
                Output.out(Help.overview())
                return 0
            }
            if unknownWord == "help" && args.contains("--man") {
                Output.outTrusted(ManPage.page())
                return 0
            }
            if unknownWord == "help" {
                return helpCommand(args.filter { !$0.hasPrefix("-") }.dropFirst().map { $0 })
            }
            guard let word = unknownWord else {
                if let last = args.last, last == "-A" || last == "--archive" {
                    return usageError("\(last) needs a PATH (the archive file), then a command", usage: "quire -A PATH <command> [options]")
                }
                return usageError("no command given", usage: "quire <command> [options]; see 'quire --help'")
            }
            if let guess = suggestion(for: word, among: allCommands.map(\.name) + ["help", "version"]) {
                return usageError("unknown command '\(word)'; did you mean '\(guess)'?", usage: "quire <command> [options]; see 'quire --help'")
            }
            return usageError("unknown command '\(word)'", usage: "quire <command> [options]; see 'quire --help'")
        }
        let names = path.map(\.name).joined(separator: " ")
        if command.run == nil {
            if args.contains("--help") || args.contains("-h") || args.isEmpty {
                Output.out(Help.command(command, path: names))
                return 0
            }
            return usageError("'\(names)' needs one of: \(command.subcommands.map(\.name).joined(separator: ", "))",
                              usage: Help.synopsis(command, path: names))
        }
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments.parse(args, options: command.options + GlobalOptions.all, positionals: command.positionals)
        } catch let error as UsageError {
            return usageError(error.message, usage: Help.synopsis(command, path: names))
        } catch {
            return usageError("\(error)", usage: Help.synopsis(command, path: names))
        }
        if parsed[GlobalOptions.help] {
            Output.out(Help.command(command, path: names))
            return 0
        }
        if parsed[GlobalOptions.noPager] { Pager.disabled = true }
        let environment = getenv("QUIRE_ARCHIVE").flatMap { String(validatingCString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        let context = Context(archivePath: parsed[GlobalOptions.archive] ?? environment ?? Archive.defaultFileName,
                              archiveWasNamed: parsed[GlobalOptions.archive] != nil || environment != nil)
        do {
            return try command.run!(context, parsed)
        } catch let error as UsageError {
            return usageError(error.message, usage: Help.synopsis(command, path: names))
        } catch let error as QuireError where error.exitStatus == usageExit {
            return usageError(error.description, usage: Help.synopsis(command, path: names))
        } catch let error as QuireError {
            Output.error("Error: \(error)")
            return error.exitStatus
        } catch {
            Output.error("Error: \(error)")
            return 1
        }
    }

    /// The name closest to a mistyped `word`: one it starts, or within two edits (a typo, a
    /// swapped pair of letters); nil when none is close.
    static func suggestion(for word: String, among names: [String]) -> String? {
        let w = Array(word.lowercased())
        if w.count >= 2, let prefixed = names.first(where: { $0.hasPrefix(word.lowercased()) }) { return prefixed }
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
            for i in 0...a.count { d[i][0] = i }
            for j in 0...b.count { d[0][j] = j }
            for i in stride(from: 1, through: a.count, by: 1) {
                for j in stride(from: 1, through: b.count, by: 1) {
                    d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
                }
            }
            return d[a.count][b.count]
        }
        let scored = names.map { (name: $0, d: distance(w, Array($0))) }.filter { $0.d <= min(2, max(1, w.count / 3)) }
        return scored.min { ($0.d, $0.name) < ($1.d, $1.name) }?.name
    }

    static func usageError(_ message: String, usage: String) -> Int32 {
        Output.error("Error: \(message)")
        Output.error("Usage: \(usage)")
        return usageExit
    }

    private static func helpCommand(_ words: [String]) -> Int32 {
        var commands = allCommands
        var found: [Command] = []
        for word in words {
            guard let c = commands.first(where: { $0.name == word }) else {
                return usageError("unknown command '\(words.joined(separator: " "))'", usage: "quire help [command]")
            }
            found.append(c)
            commands = c.subcommands
        }
        guard let command = found.last else { Output.out(Help.overview()); return 0 }
        Output.out(Help.command(command, path: found.map(\.name).joined(separator: " ")))
        return 0
    }
}
