import QuireKit

/// The options of `search`.
private enum SearchOptions {
    static let source = Option<String>("source", value: "S", help: "Only articles seen in a batch from this source.")
    static let since = Option<String>("since", value: "DATE", help: "Only articles published on or after DATE.")
    static let until = Option<String>("until", value: "DATE", help: "Only articles published before DATE (a prefix includes its whole period).")
    static let allVersions = Flag("all-versions", help: "Search every version, not only the current ones.")
    static let limit = Option.int("limit", short: "n", value: "N", in: 1...10_000, help: "At most N results (default 20); past them, how many more matched.")
}

let searchCommand = Command(
    name: "search",
    summary: "Search article text and metadata (SQLite FTS5), ranked, with snippets.",
    discussion: """
    Every word of QUERY must appear in the article's title, text or metadata (case and accents
    ignored); write OR between two words to accept either. Words in double quotes, or one
    argument holding several words ('quire search "google toolbar"'), are a phrase: they must
    appear together, in order. Matches are marked [like this], whole words only. By default only each document's current
    version is searched; --all-versions searches them all. --since and --until compare the
    published date (else the date first archived) with an ISO 8601 date or prefix (2024-03).
    Ingest and sync keep the index current; an archive from an older quire builds it at its first search.
    """,
    options: [
        Command.json,
        SearchOptions.source,
        SearchOptions.since,
        SearchOptions.until,
        SearchOptions.allVersions,
        SearchOptions.limit,
    ],
    positionals: [PositionalSpec(name: "QUERY", help: "Words to find.", minimum: 1, maximum: Int.max)]
) { context, args in
    // An argument holding several words (quoted in the shell) is a phrase.
    var query = SearchQuery(args.positionals.map { $0.contains(" ") && !$0.contains("\"") ? "\"" + $0 + "\"" : $0 }.joined(separator: " "))
    query.source = args[SearchOptions.source]
    query.since = args[SearchOptions.since]
    query.until = args[SearchOptions.until]
    query.allVersions = args[SearchOptions.allVersions]
    if let limit = try args.value(SearchOptions.limit) { query.limit = limit }
    let archive = try context.openArchive()
    // An archive from before the index was kept from the start builds it once, with progress.
    let progress = Progress("search index (once)", unit: .items("article", "articles"), quiet: args[Command.json])
    let results = try archive.searchResults(query) { done, total in progress.update(done, of: total) }
    progress.finish()
    let hits = results.hits
    if args[Command.json] {
        Output.json(.array(hits.map(\.json)))
        return 0
    }
    Pager.start()
    if hits.isEmpty { Output.line("no match for '\(query.text)'") }
    for hit in hits {
        Output.line("\(hit.key)" + (hit.isCurrent ? "" : "  (version \(Format.short(hit.version)))"))
        if let title = hit.title { Output.line("  \(title)" + (hit.published.map { "  (\($0))" } ?? "")) }
        Output.line("  \(hit.snippet)")
    }
    if let window = results.window {
        // Only the most recent of the texts holding the words were ranked: say so.
        let more = results.total - hits.count
        Output.line("… \(more) more \(more == 1 ? "match" : "matches") among the \(window.ranked) most recent texts with these words (more texts have them; only those are ranked); add words, --since or --until to search them all")
    } else if results.total > hits.count {
        let more = results.total - hits.count
        Output.line("… \(more) more \(more == 1 ? "match" : "matches") (\(results.total) in all); -n \(min(10_000, results.total)) shows them")
    }
    return 0
}
