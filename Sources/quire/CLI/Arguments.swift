/// Quire's own small argument parser: each command declares its options and positionals, and
/// `parse` turns a command line into values or a `UsageError` (printed with the usage line,
/// exit status 64).

/// One option a command accepts.
struct OptionSpec: Sendable {
    /// The long name without dashes: `batch` for `--batch`.
    let long: String
    /// The one-letter short name, if any: `A` for `-A`.
    let short: Character?
    /// The value's placeholder (`LABEL`); nil for a flag that takes no value.
    let value: String?
    let help: String
    /// Whether the option may be given more than once (all values are kept).
    let repeatable: Bool

    init(_ long: String, short: Character? = nil, value: String? = nil, help: String, repeatable: Bool = false) {
        self.long = long
        self.short = short
        self.value = value
        self.help = help
        self.repeatable = repeatable
    }

    /// `-A, --archive PATH` as shown in help.
    var synopsis: String {
        var s = short.map { "-\($0), " } ?? "    "
        s += "--\(long)"
        if let value { s += " \(value)" }
        return s
    }
}

/// The positional arguments a command takes.
struct PositionalSpec: Sendable {
    let name: String
    let help: String
    let minimum: Int
    /// nil: any number.
    let maximum: Int?
}

/// A mistake in the command line.
struct UsageError: Error {
    let message: String
}

extension UsageError {
    init(_ message: String) { self.init(message: message) }
}

/// What the command line said.
struct ParsedArguments {
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    var positionals: [String] = []

    /// The last value of `--name`, if given.
    func value(_ name: String) -> String? { values[name]?.last }
    /// Every value of a repeatable `--name`.
    func all(_ name: String) -> [String] { values[name] ?? [] }
    /// Whether the flag `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `--name` as an integer in `range`, or a usage error.
    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError(message: "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return n
    }

    /// Parses `arguments` against `options` (plus the global ones) and `positionals`.
    static func parse(_ arguments: [String], options: [OptionSpec], positionals: [PositionalSpec]) throws -> ParsedArguments {
        var result = ParsedArguments()
        var onlyPositionals = false
        var i = 0
        func spec(long: String) throws -> OptionSpec {
            guard let s = options.first(where: { $0.long == long }) else { throw UsageError(message: "unknown option '--\(long)'") }
            return s
        }
        func spec(short: Character) throws -> OptionSpec {
            guard let s = options.first(where: { $0.short == short }) else { throw UsageError(message: "unknown option '-\(short)'") }
            return s
        }
        func record(_ s: OptionSpec, _ value: String?) throws {
            if let value {
                if !s.repeatable, result.values[s.long] != nil {
                    throw UsageError(message: "--\(s.long) was given more than once")
                }
                result.values[s.long, default: []].append(value)
            } else {
                result.flags.insert(s.long)
            }
        }
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                result.positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            if arg.hasPrefix("--") {
                var name = String(arg.dropFirst(2))
                var inline: String? = nil
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                let s = try spec(long: name)
                if s.value != nil {
                    if let inline { try record(s, inline); continue }
                    guard i < arguments.count else { throw UsageError(message: "--\(name) needs a value (\(s.value!))") }
                    try record(s, arguments[i])
                    i += 1
                } else {
                    if inline != nil { throw UsageError(message: "--\(name) takes no value") }
                    try record(s, nil)
                }
                continue
            }
            // Short options: -q, -A PATH, -APATH, or several flags together (-qh).
            var letters = Array(arg.dropFirst())
            while !letters.isEmpty {
                let letter = letters.removeFirst()
                let s = try spec(short: letter)
                if s.value != nil {
                    if !letters.isEmpty {
                        try record(s, String(letters))
                    } else {
                        guard i < arguments.count else { throw UsageError(message: "-\(letter) needs a value (\(s.value!))") }
                        try record(s, arguments[i])
                        i += 1
                    }
                    break
                }
                try record(s, nil)
            }
        }
        if !result.flags.contains("help") {
            let minimum = positionals.reduce(0) { $0 + $1.minimum }
            let unlimited = positionals.contains { $0.maximum == nil }
            let maximum = positionals.reduce(0) { $0 + ($1.maximum ?? 0) }
            if result.positionals.count < minimum {
                let missing = positionals.first { $0.minimum > 0 }?.name ?? "argument"
                throw UsageError(message: "missing \(missing)")
            }
            if !unlimited && result.positionals.count > maximum {
                throw UsageError(message: "unexpected argument '\(result.positionals[maximum])'")
            }
        }
        return result
    }
}
