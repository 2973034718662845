import QuireKit

/// The options of `dupes`.
private enum DupesOptions {
    static let threshold = Option<String>("threshold", value: "T", help: "Smallest similarity that joins two documents, 0-1 (default 0.5).")
    static let quiet = Flag("quiet", short: "q", help: "No progress line.")
}

let dupesCommand = Command(
    name: "dupes",
    summary: "List clusters of near-duplicate documents (syndicated copies, light rewrites).",
    discussion: """
    Compares every document's current text by its 4-word shingles (a bottom-64 MinHash sketch each)
    and joins documents whose estimated Jaccard similarity is at least the threshold (default 0.5).
    Each cluster lists its documents and the similarity of each joined pair.
    """,
    options: [
        DupesOptions.threshold,
        DupesOptions.quiet,
        Command.json,
    ]
) { context, args in
    var threshold = 0.5
    if let text = args[DupesOptions.threshold] {
        guard let t = Double(text), t > 0, t <= 1 else { throw UsageError("--threshold must be a number above 0 and at most 1, not '\(text)'") }
        threshold = t
    }
    let archive = try context.openArchive(readOnly: true)
    let progress = Progress("dupes", unit: .items("document", "documents"), quiet: args[DupesOptions.quiet] || args[Command.json])
    let clusters = try archive.nearDuplicates(threshold: threshold) { done, total in progress.update(done, of: total) }
    progress.finish()
    if args[Command.json] {
        Output.json(.array(clusters.map(\.json)))
        return 0
    }
    if clusters.isEmpty { Output.line("no near-duplicates at similarity \(threshold) or more") }
    for (n, cluster) in clusters.enumerated() {
        Output.line("cluster \(n + 1): \(cluster.members.count) documents, similarity at least \(Format.format1(cluster.similarity * 100))%")
        for member in cluster.members { Output.line("  \(member.key)  \(Format.short(member.blob))") }
    }
    return 0
}
