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

/// An option a command declares and reads back through the same declaration (a typo in a name
/// is then a compile error, not a silent nil).
protocol CommandOption: Sendable {
    var spec: OptionSpec { get }
}

/// `--name VALUE`, read as a `Value`: `args[option]` for text, `try args.value(option)` for a
/// converted value (a bad one is a usage error).
struct Option<Value>: CommandOption {
    let spec: OptionSpec
    let convert: @Sendable (String) throws -> Value

    init(_ long: String, short: Character? = nil, value: String, help: String, repeatable: Bool = false,
         convert: @escaping @Sendable (String) throws -> Value) {
        spec = OptionSpec(long, short: short, value: value, help: help, repeatable: repeatable)
        self.convert = convert
    }
}

extension Option where Value == String {
    init(_ long: String, short: Character? = nil, value: String, help: String, repeatable: Bool = false) {
        self.init(long, short: short, value: value, help: help, repeatable: repeatable) { $0 }
    }
}

extension Option where Value == Int {
    /// A whole number in `range`.
    static func int(_ long: String, short: Character? = nil, value: String = "N", in range: ClosedRange<Int>, help: String) -> Option<Int> {
        Option(long, short: short, value: value, help: help) { text in
            guard let n = Int(text), range.contains(n) else {
                throw UsageError(message: "--\(long) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return n
        }
    }
}

/// `--name` without a value: `args[flag]` is whether it was given.
struct Flag: CommandOption {
    let spec: OptionSpec

    init(_ long: String, short: Character? = nil, help: String) {
        spec = OptionSpec(long, short: short, help: help)
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

/// What the command line said. Options are read through their declarations; reading one the
/// command did not declare is a programming error.
struct ParsedArguments {
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    var positionals: [String] = []
    /// The long names of the options the command (and every command) accepts.
    private(set) var declared: Set<String> = []

    private func check(_ spec: OptionSpec) {
        precondition(declared.contains(spec.long), "--\(spec.long) is read but not declared by the command")
    }

    /// The last value of a text option, if given.
    subscript(_ option: Option<String>) -> String? {
        check(option.spec)
        return values[option.spec.long]?.last
    }

    /// Whether the flag was given.
    subscript(_ flag: Flag) -> Bool {
        check(flag.spec)
        return flags.contains(flag.spec.long)
    }

    /// The last value of an option, converted (a bad value is a usage error), if given.
    func value<V>(_ option: Option<V>) throws -> V? {
        check(option.spec)
        return try values[option.spec.long]?.last.map(option.convert)
    }

    /// Every value of a repeatable option.
    func all(_ option: Option<String>) -> [String] {
        check(option.spec)
        return values[option.spec.long] ?? []
    }

    /// Parses `arguments` against `options` (plus the global ones) and `positionals`.
    static func parse(_ arguments: [String], options: [OptionSpec], positionals: [PositionalSpec]) throws -> ParsedArguments {
        var result = ParsedArguments()
        result.declared = Set(options.map(\.long))
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
