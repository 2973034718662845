#if canImport(Glibc)
import Glibc
#endif
import QuireKit

/// The options of `diff`.
private enum DiffOptions {
    static let color = Option<String>("color", value: "auto|always|never", help: "Colour the changes (default: auto: on a terminal, unless NO_COLOR is set or TERM=dumb).")
    static let context = Option.int("unified", short: "U", value: "N", in: 0...1_000_000, help: "Show N unchanged sentences around each change (default 3).")
    static let stat = Flag("stat", help: "Only the counts: sentences and words added, changed and removed.")
}

let diffCommand = Command(
    name: "diff",
    summary: "Show what changed between two versions of a document, by sentence and by word.",
    discussion: """
    V1 and V2 are version numbers (as in `quire log`, with or without '@') or hash prefixes. With
    none, the current version is compared with its parent; with one, that version with the current.
    HTML is compared as its article text. Removed text is shown as [-...-] and added as {+...+}
    (in red and green on a terminal, unless NO_COLOR is set or TERM=dumb; --color always|never
    decides). Unchanged sentences more than N (-U N, default 3) away from a change are left out
    and counted. The summary counts sentences added, changed and removed, and says when the texts
    are the same in different bytes or only a timestamp or boilerplate changed; --stat prints only
    the summary, with words added and removed.
    """,
    options: [Command.json, DiffOptions.color, DiffOptions.context, DiffOptions.stat],
    positionals: [PositionalSpec(name: "KEY", help: "The document's key.", minimum: 1, maximum: 1),
                  PositionalSpec(name: "V1", help: "The older version.", minimum: 0, maximum: 1),
                  PositionalSpec(name: "V2", help: "The newer version.", minimum: 0, maximum: 1)]
) { context, args in
    let color = try Terminal.colour(args[DiffOptions.color])
    let contextSentences = try args.value(DiffOptions.context) ?? 3
    let archive = try context.openArchive(readOnly: true)
    let p = args.positionals
    let comparison = p.count == 2
        ? try archive.compare(key: p[0], from: p[1])
        : try archive.compare(key: p[0], from: p.count > 2 ? p[1] : nil, to: p.count > 2 ? p[2] : nil)
    if args[Command.json] {
        Output.json(comparison.json)
        return 0
    }
    let d = comparison.diff
    var summary = "\(Format.count(d.added, "sentence", "sentences")) added, \(d.changed) changed, \(d.removed) removed, \(d.unchanged) unchanged"
    if comparison.sameText { summary += "; the same text in different bytes" } else if comparison.trivial { summary += "; trivial: only a timestamp or boilerplate line changed" }
    if args[DiffOptions.stat] {
        var wordsAdded = 0, wordsRemoved = 0
        for piece in d.pieces {
            switch piece {
            case .added(let s): wordsAdded += s.split(separator: " ").count
            case .removed(let s): wordsRemoved += s.split(separator: " ").count
            case .changed(_, _, let words):
                for w in words {
                    if case .added(let t) = w { wordsAdded += t.split(separator: " ").count }
                    if case .removed(let t) = w { wordsRemoved += t.split(separator: " ").count }
                }
            case .same: break
            }
        }
        Output.line("\(comparison.key) @\(comparison.from.number) -> @\(comparison.to.number): " + summary)
        Output.line("  \(Format.count(wordsAdded, "word", "words")) added, \(wordsRemoved) removed")
        return 0
    }
    Pager.start()
    let (red, green, dim, reset) = color ? ("\u{1B}[31m", "\u{1B}[32m", "\u{1B}[2m", "\u{1B}[0m") : ("", "", "", "")
    // The article's text is made visible first; only this command's own colour codes go out raw.
    func removed(_ s: String) -> String { "\(red)[-\(Format.visible(s))-]\(reset)" }
    func added(_ s: String) -> String { "\(green){+\(Format.visible(s))+}\(reset)" }
    func line(_ s: String) { Output.outTrusted(s + "\n") }
    Output.line("diff \(comparison.key) @\(comparison.from.number) (\(Format.short(comparison.from.hash))) -> @\(comparison.to.number) (\(Format.short(comparison.to.hash)))")
    // Unchanged sentences within `contextSentences` of a change are shown; longer runs are counted.
    let pieces = comparison.diff.pieces
    let changedAt = pieces.indices.filter { if case .same = pieces[$0] { return false } else { return true } }
    func near(_ i: Int) -> Bool { changedAt.contains { abs($0 - i) <= contextSentences } }
    var hidden = 0
    func flushHidden() {
        if hidden > 0 { line("\(dim)  … \(Format.count(hidden, "unchanged sentence", "unchanged sentences"))\(reset)") }
        hidden = 0
    }
    for (i, piece) in pieces.enumerated() {
        if case .same = piece, !near(i) { hidden += 1; continue }
        flushHidden()
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
    flushHidden()
    Output.line(summary)
    return 0
}
