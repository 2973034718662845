import QuireKit

/// `--batch B` / `--as-of DATE` as an export selection (neither: every document's current version).
private func selection(_ args: ParsedArguments) throws -> ExportSelection {
    if let batch = args[SelectionOptions.batch] {
        if args[SelectionOptions.asOf] != nil { throw UsageError("give --batch or --as-of, not both") }
        return .batch(batch)
    }
    if let date = args[SelectionOptions.asOf] { return .headsAsOf(date) }
    return .heads
}

/// Prints what an export wrote (`line`, or `json` with --json) and what it skipped; exit 1 when
/// something was skipped.
private func finish(line: String, json: JSON, skipped: [(path: String, reason: String)], asJSON: Bool) -> Int32 {
    if asJSON {
        Output.json(json)
    } else {
        Output.line(line)
        for skipped in skipped { Output.error("skipped: \(skipped.path): \(skipped.reason)") }
    }
    return skipped.isEmpty ? 0 : 1
}

private func finish(_ report: ExportReport, what: String, asJSON: Bool) -> Int32 {
    finish(line: "exported \(report.files) files (\(Format.bytes(report.bytes))) \(what)", json: report.json, skipped: report.skipped, asJSON: asJSON)
}

/// `--batch B` and `--as-of DATE`, shared by the exports of files.
private enum SelectionOptions {
    static let batch = Option<String>("batch", value: "B", help: "The files of batch B (label, id or unique id prefix).")
    static let asOf = Option<String>("as-of", value: "DATE", help: "Every document's version as of DATE (ISO 8601), instead of the current one.")
    static let all: [any CommandOption] = [batch, asOf]
}

let exportFilesCommand = Command(
    name: "files",
    summary: "Write files under their original relative paths, byte for byte.",
    discussion: """
    The files of a batch (--batch), or every document's version as of a date (--as-of), or by
    default every document's current version, under the path it was seen at. DIR must be new or
    empty. Paths that would leave DIR ('..', absolute) and redacted content are skipped and
    reported (exit 1).
    """,
    options: SelectionOptions.all + [Command.json],
    positionals: [PositionalSpec(name: "DIR", help: "A new or empty folder.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let report = try archive.exportFiles(try selection(args), to: args.positionals[0])
    return finish(report, what: "to \(args.positionals[0])", asJSON: args[Command.json])
}

/// The options of `exportJSONL`.
private enum ExportJSONLOptions {
    static let batch = Option<String>("batch", value: "B", help: "Only versions batch B saw (label, id or unique id prefix).")
    static let output = Option<String>("output", short: "o", value: "FILE", help: "Write to FILE instead of stdout.")
    static let text = Flag("text", help: "Add each version's main text (\"text\"; null for bytes this copy does not serve).")
}

let exportJSONLCommand = Command(
    name: "jsonl",
    summary: "Print one JSON line per version with its metadata and sightings.",
    discussion: "Every version of every document, or with --batch only the versions that batch saw. Each line is one JSON object (docs/cli.md); --text adds the article's main text as \"text\".",
    options: [ExportJSONLOptions.batch,
              ExportJSONLOptions.text,
              ExportJSONLOptions.output,
              Command.force]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    guard let path = args[ExportJSONLOptions.output] else {
        try archive.exportJSONL(batch: args[ExportJSONLOptions.batch], text: args[ExportJSONLOptions.text]) { Output.line($0) }
        return 0
    }
    // Streamed line by line into a file that appears complete or not at all.
    try writeFileAtomically(path, replace: args[Command.force]) { write in
        try archive.exportJSONL(batch: args[ExportJSONLOptions.batch], text: args[ExportJSONLOptions.text]) { line in
            try Array((line + "\n").utf8).withUnsafeBytes { try write($0) }
        }
    }
    return 0
}

/// The options of `exportBagIt`.
private enum ExportBagItOptions {
    static let batch = Option<String>("batch", value: "B", help: "The files of batch B (default: every document's current version).")
    static let organization = Option<String>("organization", value: "NAME", help: "Source-Organization in bag-info.txt (default: user@host).")
}

let exportBagItCommand = Command(
    name: "bagit",
    summary: "Write a BagIt 1.0 bag (RFC 8493) of the files, with a provenance file.",
    discussion: """
    DIR/data holds the files (names made safe for manifests), with manifest-sha256.txt,
    tagmanifest-sha256.txt, bagit.txt, bag-info.txt (Bagging-Date, Payload-Oxum,
    Bag-Software-Agent, Source-Organization, External-Identifier = the archive id) and
    quire-provenance.jsonl (one line per file: original path, hashes, sightings).
    Check it with `bagit.py --validate DIR`.
    """,
    options: [ExportBagItOptions.batch,
              ExportBagItOptions.organization,
              Command.json],
    positionals: [PositionalSpec(name: "DIR", help: "A new or empty folder.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let report = try archive.exportBagIt(args[ExportBagItOptions.batch].map { .batch($0) } ?? .heads, to: args.positionals[0], organization: args[ExportBagItOptions.organization])
    return finish(report, what: "into the bag \(args.positionals[0])", asJSON: args[Command.json])
}

/// The options of `exportWARC`.
private enum ExportWARCOptions {
    static let batch = Option<String>("batch", value: "B", help: "Only the sightings of batch B.")
    static let since = Option<String>("since", value: "DATE", help: "Only sightings captured at or after DATE (ISO 8601).")
}

let exportWARCCommand = Command(
    name: "warc",
    summary: "Write sightings as a WARC 1.1 file (one gzip member per record).",
    discussion: """
    A warcinfo record, then for each sighting (of batch B, captured at or after DATE) a resource
    record the first time its bytes are written and a revisit record (identical-payload-digest
    profile) after that. Digests are sha256 in hex. Check the file with `warcio check OUT`.
    """,
    options: [Command.force, ExportWARCOptions.batch,
              ExportWARCOptions.since,
              Command.json],
    positionals: [PositionalSpec(name: "OUT", help: "The WARC file to write (.warc.gz).", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let report = try archive.exportWARC(to: args.positionals[0], batch: args[ExportWARCOptions.batch], since: args[ExportWARCOptions.since], replace: args[Command.force])
    return finish(line: "wrote \(args.positionals[0]): \(report.resources) resource and \(report.revisits) revisit records (\(Format.bytes(report.bytes)))",
                  json: report.json, skipped: report.skipped, asJSON: args[Command.json])
}

let exportCommand = Command(
    name: "export",
    summary: "Write archived files out: as files, JSON Lines, a BagIt bag, or WARC.",
    subcommands: [exportFilesCommand, exportJSONLCommand, exportBagItCommand, exportWARCCommand]
)
