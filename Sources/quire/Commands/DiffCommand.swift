#if canImport(Glibc)
import Glibc
#endif
import QuireKit

/// The options of `diff`.
private enum DiffOptions {
    static let color = Option<String>("color", value: "auto|always|never", help: "Colour the changes (default: auto, on a terminal).")
}

let diffCommand = Command(
    name: "diff",
    summary: "Show what changed between two versions of a document, by sentence and by word.",
    discussion: """
    V1 and V2 are version numbers (as in `quire log`, with or without '@') or hash prefixes. With
    none, the current version is compared with its parent; with one, that version with the current.
    HTML is compared as its article text. Removed text is shown as [-...-] and added as {+...+}
    (in red and green on a terminal). The summary counts sentences added, changed and removed, and
    says when the texts are the same in different bytes or only a timestamp or boilerplate changed.
    """,
    options: [Command.json, DiffOptions.color],
    positionals: [PositionalSpec(name: "KEY", help: "The document's key.", minimum: 1, maximum: 1),
                  PositionalSpec(name: "V1", help: "The older version.", minimum: 0, maximum: 1),
                  PositionalSpec(name: "V2", help: "The newer version.", minimum: 0, maximum: 1)]
) { context, args in
    let color: Bool
    switch args[DiffOptions.color] ?? "auto" {
    case "auto": color = isatty(STDOUT_FILENO) != 0
    case "always": color = true
    case "never": color = false
    case let other: throw UsageError("--color must be auto, always or never, not '\(other)'")
    }
    let archive = try context.openArchive(readOnly: true)
    let p = args.positionals
    let comparison = p.count == 2
        ? try archive.compare(key: p[0], from: p[1])
        : try archive.compare(key: p[0], from: p.count > 2 ? p[1] : nil, to: p.count > 2 ? p[2] : nil)
    if args[Command.json] {
        Output.json(comparison.json)
        return 0
    }
    let (red, green, dim, reset) = color ? ("\u{1B}[31m", "\u{1B}[32m", "\u{1B}[2m", "\u{1B}[0m") : ("", "", "", "")
    // The article's text is made visible first; only this command's own colour codes go out raw.
    func removed(_ s: String) -> String { "\(red)[-\(Format.visible(s))-]\(reset)" }
    func added(_ s: String) -> String { "\(green){+\(Format.visible(s))+}\(reset)" }
    func line(_ s: String) { Output.outTrusted(s + "\n") }
    Output.line("diff \(comparison.key) @\(comparison.from.number) (\(Format.short(comparison.from.hash))) -> @\(comparison.to.number) (\(Format.short(comparison.to.hash)))")
    for piece in comparison.diff.pieces {
        switch piece {
        case .same(let s): line("\(dim)  \(Format.visible(s))\(reset)")
        case .removed(let s): line("- " + removed(s))
        case .added(let s): line("+ " + added(s))
        case .changed(_, _, let words):
            line("~ " + words.map { word -> String in
                switch word {
                case .same(let w): return Format.visible(w)
                case .removed(let w): return removed(w)
                case .added(let w): return added(w)
                }
            }.joined(separator: " "))
        }
    }
    let d = comparison.diff
    var summary = "\(d.added) sentences added, \(d.changed) changed, \(d.removed) removed, \(d.unchanged) unchanged"
    if comparison.sameText { summary += "; the same text in different bytes" } else if comparison.trivial { summary += "; trivial: only a timestamp or boilerplate line changed" }
    Output.line(summary)
    return 0
}
