#if canImport(Glibc)
import Glibc
#endif
import QuireKit

/// The options of `ingest`.
private enum IngestCommandOptions {
    static let batch = Option<String>("batch", short: "b", value: "LABEL", help: "Label for the batch (default: the date and the first input's name).")
    static let source = Option<String>("source", value: "NAME", help: "Where the files came from (a site, a feed, a scraper).")
    static let agent = Option<String>("agent", value: "WHO", help: "Who is archiving (default: user@host).")
    static let note = Option<String>("note", value: "TEXT", help: "A note kept with the batch.")
    static let key = Option<String>("key", value: "url|path", help: "Key documents by canonical URL when found (url, the default) or always by path.")
    static let noWarc = Flag("no-warc", help: "Archive .warc and .warc.gz files as files instead of reading their records.")
    static let meta = Option<String>("meta", value: "FILE", help: "JSON Lines of metadata supplied by the scraper, one object per file with its \"path\".")
    static let hidden = Flag("hidden", help: "Include files and folders whose names start with '.'.")
    static let followSymlinks = Flag("follow-symlinks", help: "Follow symbolic links inside folders.")
    static let level = Option.int("level", value: "N", in: 0...9, help: "zlib compression level for new bytes, 0-9 (default 6).")
    static let threads = Option.int("threads", value: "N", in: 1...256, help: "Threads for reading, hashing and compressing (default: all cores).")
    static let quiet = Flag("quiet", short: "q", help: "No progress line and no summary (errors are still printed).")
}

let ingestCommand = Command(
    name: "ingest",
    summary: "Archive files and folders of news articles as one batch.",
    discussion: """
    Every file is hashed (SHA-256) and becomes a sighting in a new batch, with one meaning:
      new        a new document (its key was never seen)
      version    a new version of a known document
      unchanged  the same bytes as the document's current version
      failed     the file could not be read (the reason is recorded)
      pending    a WARC revisit whose payload is neither in the batch nor in the archive
                 (it links up with the payload when that arrives; not a failure)
    and, for new and version, whether the bytes were already stored (under another document,
    or an earlier version): then nothing new is stored. `new` is what `quire ls` gains.

    A document's key is its canonical URL when the article declares one (HTML canonical link,
    og:url or JSON-LD; a JSON article's url; a plain-text line that is a URL; a supplied url),
    normalized: scheme and host lowercased, fragment and utm_* parameters dropped. Otherwise, or
    with --key path, it is the path relative to its root: the folder given, or for files given
    by name (a glob, or paths on stdin) the deepest folder holding all of them, so
    `ingest tech`, `ingest tech/*.txt` and `find tech -type f | ingest -` give the same keys
    (docs/keys.md). Each sighting records its root too. A mistyped input records nothing.
    --meta FILE.jsonl supplies metadata per path (docs/articles.md).

    A .warc or .warc.gz file is read record by record: each response and resource record is a
    sighting of its payload keyed by its WARC-Target-URI, a revisit a sighting of the payload it
    refers to, wherever that is (its file, another file of the batch, the archive), else pending;
    a capture with an HTTP status that is not 2xx, or truncated, is kept but never replaces a
    whole version as current (docs/warc.md). The archive's own file is never archived into itself. Folders are walked in byte order of names; names starting with
    '.' are skipped unless --hidden; symbolic links inside folders are not followed unless
    --follow-symlinks. PATH '-' reads paths from stdin, one per line.

    If the archive does not exist it is created (and says so on stderr). Exit status 1 when any
    file could not be archived; the rest of the batch is archived regardless.

    Examples:
      quire ingest Archives/samples/day-1 Archives/samples/day-2
      find scrape/ -name '*.html' | quire ingest --batch "scrape 2024-03-26" --source reuters -
    """,
    options: [
        IngestCommandOptions.batch,
        IngestCommandOptions.source,
        IngestCommandOptions.agent,
        IngestCommandOptions.note,
        IngestCommandOptions.key,
        IngestCommandOptions.noWarc,
        IngestCommandOptions.meta,
        IngestCommandOptions.hidden,
        IngestCommandOptions.followSymlinks,
        IngestCommandOptions.level,
        IngestCommandOptions.threads,
        IngestCommandOptions.quiet,
        Command.json,
    ],
    positionals: [PositionalSpec(name: "PATH", help: "Files or folders to archive; '-' reads paths from stdin.", minimum: 1, maximum: nil)]
) { context, args in
    var options = IngestOptions()
    options.label = args[IngestCommandOptions.batch]
    options.source = args[IngestCommandOptions.source]
    options.agent = args[IngestCommandOptions.agent]
    options.note = args[IngestCommandOptions.note]
    options.includeHidden = args[IngestCommandOptions.hidden]
    options.followSymlinks = args[IngestCommandOptions.followSymlinks]
    options.readWARC = !args[IngestCommandOptions.noWarc]
    if let key = args[IngestCommandOptions.key] {
        guard let mode = IngestOptions.KeyMode(rawValue: key) else { throw UsageError(message: "--key must be 'url' or 'path', not '\(key)'") }
        options.keyMode = mode
    }
    // Read before the archive is opened or created: a bad file changes nothing.
    if let meta = args[IngestCommandOptions.meta] { options.supplied = try SuppliedMetadata.load(meta) }
    if let level = try args.value(IngestCommandOptions.level) { options.compressionLevel = Int32(level) }
    if let threads = try args.value(IngestCommandOptions.threads) { options.threads = threads }

    var inputs: [[UInt8]] = []
    for path in args.positionals {
        if path == "-" { inputs += readPathsFromStdin() } else { inputs.append(Array(path.utf8)) }
    }
    let quiet = args[IngestCommandOptions.quiet]
    let json = args[Command.json]
    // A mistyped path records nothing, and a missing archive is not created for it.
    try Archive.checkIngestInputs(rawPaths: inputs)

    let (archive, created) = try Archive.openOrCreate(at: context.archivePath, lockTimeout: Context.lockTimeout())
    // The agent and source settings (quire config) stand in for options not given.
    try archive.applySettings()
    if options.source == nil { options.source = try archive.setting(.source)?.value }
    archive.signingKey = try Context.signingKey(for: archive)
    if created && !quiet {
        Output.error("Created archive \(context.archivePath) (archive id \(archive.id))")
    }
    let progress = Progress("ingest", unit: .bytes, quiet: quiet || json)
    let report = try archive.ingest(rawPaths: inputs, options: options, progress: !progress.isOn ? nil : { p in
        progress.update(p.inputBytes, of: p.totalInputBytes, note: Progress.amount(p.files, .files))
    })
    progress.finish()

    for failure in report.failures {
        Output.error("failed: \(failure.path): \(failure.reason)")
    }
    if json {
        Output.json(report.json)
    } else if !quiet {
        let c = report.counts
        Output.line("Batch \(report.label) (\(report.batch)): \(report.sightedText), \(Format.bytes(report.bytes)) in \(Format.format1(report.seconds)) s")
        Output.line("  " + countsText(c)
                    + ((c["pending"] ?? 0) > 0 ? ", pending \(c["pending"] ?? 0) (WARC revisits whose payload is not here yet)" : ""))
        let held = report.alreadyStored
        Output.line("  \(Format.count(report.newBlobs, "new blob", "new blobs")) stored in \(Format.bytes(report.storedBytes))"
                    + (held > 0 ? "; \(Format.count(held, "file", "files")) (new or changed) had bytes already stored" : ""))
        for q in report.quarantined { Output.error("quarantined: \(q.path): \(q.reason)") }
        if !report.skipped.isEmpty {
            Output.line("  skipped \(report.skipped.count): " + report.skipped.prefix(5).map { "\($0.path) (\($0.reason))" }.joined(separator: ", ")
                        + (report.skipped.count > 5 ? ", ..." : ""))
        }
    }
    if !report.failures.isEmpty {
        let n = report.failures.count
        Output.error(n == report.files
            ? (n == 1 ? (report.records == 1 ? "The WARC/ARC record could not be archived." : "The file could not be archived.")
                      : "None of the \(report.sightedText) could be archived.")
            : "\(n) of \(report.records == 0 || report.records == report.files ? report.sightedText : "\(report.files) (\(report.sightedText))")"
              + " could not be archived; the others were.")
        return 1
    }
    return 0
}

/// The counts line of an ingest: what happened to the documents, then how many of the new
/// documents and versions had bytes already stored. `new` is what `quire ls` gains.
func countsText(_ c: [String: Int]) -> String {
    var parts = ["new \(c["new"] ?? 0)", "version \(c["version"] ?? 0)"]
    if let d = c["duplicate"], d > 0 { parts.append("duplicate \(d)") }
    parts += ["unchanged \(c["unchanged"] ?? 0)", "failed \(c["failed"] ?? 0)"]
    return parts.joined(separator: ", ")
}

/// Paths from stdin, one per line, as raw bytes (names need not be UTF-8). Empty lines are skipped.
private func readPathsFromStdin() -> [[UInt8]] {
    var paths: [[UInt8]] = []
    var current: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        for b in buffer[0..<n] {
            if b == UInt8(ascii: "\n") {
                if current.last == UInt8(ascii: "\r") { current.removeLast() }
                if !current.isEmpty { paths.append(current) }
                current.removeAll()
            } else {
                current.append(b)
            }
        }
    }
    if !current.isEmpty { paths.append(current) }
    return paths
}
