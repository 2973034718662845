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

/// `--strict`, shared by the exports that leave out content this copy does not serve.
enum StrictOption {
    static let strict = Flag("strict", help: "Exit 1 when redacted content was left out too (by default that is expected, not a failure).")
}

/// Prints what an export wrote (`line`, or `json` with --json) and what it left out, each on
/// stderr: `redacted: PATH: …` for content this copy does not serve (a takedown: expected),
/// `skipped: PATH: …` for anything else. Exit 1 when something other than redacted content was
/// skipped, or with --strict when anything was.
private func finish(line: String, json: JSON, skipped: [(path: String, reason: String)], redacted: [String], strict: Bool, asJSON: Bool) -> Int32 {
    // How many times each path was left out as redacted (one path can be sighted twice).
    var withheld: [String: Int] = [:]
    for path in redacted { withheld[path, default: 0] += 1 }
    var failures = 0
    if asJSON { Output.json(json) } else { Output.line(line) }
    for item in skipped {
        if let n = withheld[item.path], n > 0 {
            withheld[item.path] = n - 1
            if !asJSON { Output.error("redacted: \(item.path): \(item.reason)") }
        } else {
            failures += 1
            if !asJSON { Output.error("skipped: \(item.path): \(item.reason)") }
        }
    }
    if failures > 0 { return 1 }
    return strict && !redacted.isEmpty ? 1 : 0
}

private func finish(_ report: ExportReport, what: String, strict: Bool, asJSON: Bool) -> Int32 {
    finish(line: "exported \(Format.count(report.files, "file", "files")) (\(Format.bytes(report.bytes))) \(what)", json: report.json,
           skipped: report.skipped, redacted: report.redacted, strict: strict, asJSON: asJSON)
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
    empty. A batch of several folders is written with each file under its folder's name
    (day-1/…, day-2/…), so the batch can be rebuilt. Paths that would leave DIR ('..', absolute)
    are skipped and reported (exit 1); redacted content is listed as redacted and the export
    succeeds (exit 0; --strict: exit 1).
    """,
    options: SelectionOptions.all + [StrictOption.strict, Command.json],
    positionals: [PositionalSpec(name: "DIR", help: "A new or empty folder.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let progress = Progress("export files", unit: .files, quiet: args[Command.json])
    let report = try archive.exportFiles(try selection(args), to: args.positionals[0]) { progress.update($0, of: $1) }
    progress.finish()
    return finish(report, what: "to \(args.positionals[0])", strict: args[StrictOption.strict], asJSON: args[Command.json])
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
              StrictOption.strict,
              Command.json],
    positionals: [PositionalSpec(name: "DIR", help: "A new or empty folder.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let progress = Progress("export bagit", unit: .files, quiet: args[Command.json])
    let report = try archive.exportBagIt(args[ExportBagItOptions.batch].map { .batch($0) } ?? .heads, to: args.positionals[0],
                                         organization: args[ExportBagItOptions.organization]) { progress.update($0, of: $1) }
    progress.finish()
    return finish(report, what: "into the bag \(args.positionals[0])", strict: args[StrictOption.strict], asJSON: args[Command.json])
}

/// `--batch B` and `--since DATE`, shared by the web-archive exports.
private enum WebArchiveOptions {
    static let batch = Option<String>("batch", value: "B", help: "Only the sightings of batch B.")
    static let since = Option<String>("since", value: "DATE", help: "Only sightings recorded at or after DATE (ISO 8601).")
    static let cdxj = Option<String>("cdxj", value: "INDEX", help: "Also write the CDXJ index of OUT to INDEX.")
    static let warc = Option<String>("warc", value: "FILE", help: "The WARC file the index describes, written too (required).")
    static let title = Option<String>("title", value: "TEXT", help: "The collection's title (default: the archive id).")
    static let all: [any CommandOption] = [batch, since]
}

/// What the web-archive exports count in their progress line.
private let captures = Progress.Unit.items("capture", "captures")

private func finish(_ report: WARCExportReport, wrote: String, strict: Bool, asJSON: Bool) -> Int32 {
    finish(line: "wrote \(wrote): \(report.responses) response, \(report.resources) resource and \(report.revisits) revisit records (\(Format.bytes(report.bytes)))",
           json: report.json, skipped: report.skipped, redacted: report.redacted, strict: strict, asJSON: asJSON)
}

let exportWARCCommand = Command(
    name: "warc",
    summary: "Write sightings as a WARC 1.1 file for replay tools (one gzip member per record).",
    discussion: """
    A warcinfo record, then for each sighting (of batch B, recorded at or after DATE) a response
    record with the capture's HTTP status and headers, date and target URI (a resource record for
    a file that was not a web capture) the first time its bytes are written, and a revisit record
    (identical-payload-digest profile) after that. Digests are sha256 in hex. --cdxj also writes
    the file's CDXJ index (pywb's format). Check the file with `warcio check OUT`.
    """,
    options: WebArchiveOptions.all + [WebArchiveOptions.cdxj, Command.force, StrictOption.strict, Command.json],
    positionals: [PositionalSpec(name: "OUT", help: "The WARC file to write (.warc.gz).", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let progress = Progress("export warc", unit: captures, quiet: args[Command.json])
    let report = try archive.exportWARC(to: args.positionals[0], batch: args[WebArchiveOptions.batch], since: args[WebArchiveOptions.since],
                                        cdxj: args[WebArchiveOptions.cdxj], replace: args[Command.force]) { progress.update($0, of: $1) }
    progress.finish()
    return finish(report, wrote: args.positionals[0], strict: args[StrictOption.strict], asJSON: args[Command.json])
}

let exportCDXJCommand = Command(
    name: "cdxj",
    summary: "Write a WARC export (--warc FILE) and its CDXJ index, sorted by SURT, as pywb reads it.",
    discussion: """
    The same as `export warc FILE --cdxj INDEX`: a CDXJ line per response, resource and revisit
    record (SURT key, 14-digit timestamp, then url, mime, status, digest, length, offset and
    filename as JSON), equal to what `cdxj-indexer --sort FILE` writes.
    """,
    options: WebArchiveOptions.all + [WebArchiveOptions.warc, Command.force, StrictOption.strict, Command.json],
    positionals: [PositionalSpec(name: "INDEX", help: "The CDXJ file to write.", minimum: 1, maximum: 1)]
) { context, args in
    guard let warc = args[WebArchiveOptions.warc] else { throw UsageError("export cdxj needs --warc FILE: the index names the WARC file it describes") }
    let archive = try context.openArchive(readOnly: true)
    let progress = Progress("export cdxj", unit: captures, quiet: args[Command.json])
    let report = try archive.exportWARC(to: warc, batch: args[WebArchiveOptions.batch], since: args[WebArchiveOptions.since],
                                        cdxj: args.positionals[0], replace: args[Command.force]) { progress.update($0, of: $1) }
    progress.finish()
    return finish(report, wrote: "\(args.positionals[0]) and \(warc)", strict: args[StrictOption.strict], asJSON: args[Command.json])
}

let exportWACZCommand = Command(
    name: "wacz",
    summary: "Write a WACZ web archive collection (WARC, CDXJ index, pages, data package).",
    discussion: """
    One ZIP file holding archive/data.warc.gz (as `export warc` writes it), indexes/index.cdxj,
    pages/pages.jsonl (the HTML captures), datapackage.json and datapackage-digest.json, for
    ReplayWeb.page or pywb. Check it with `wacz validate -f OUT`.
    """,
    options: WebArchiveOptions.all + [WebArchiveOptions.title, Command.force, StrictOption.strict, Command.json],
    positionals: [PositionalSpec(name: "OUT", help: "The WACZ file to write (.wacz).", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let progress = Progress("export wacz", unit: captures, quiet: args[Command.json])
    let report = try archive.exportWACZ(to: args.positionals[0], batch: args[WebArchiveOptions.batch], since: args[WebArchiveOptions.since],
                                        title: args[WebArchiveOptions.title], replace: args[Command.force]) { progress.update($0, of: $1) }
    progress.finish()
    return finish(line: "wrote \(args.positionals[0]): \(report.warc.responses + report.warc.resources) captures, \(report.warc.revisits) revisits, "
                      + "\(report.pages) pages (\(Format.bytes(report.bytes)))",
                  json: report.json, skipped: report.warc.skipped, redacted: report.warc.redacted, strict: args[StrictOption.strict], asJSON: args[Command.json])
}

/// The options of `export prov`.
private enum ExportPROVOptions {
    static let key = Option<String>("key", value: "KEY", help: "Only document KEY and its versions.")
    static let batch = Option<String>("batch", value: "B", help: "Only the versions batch B saw (label, id or unique id prefix), with their parents.")
}

let exportPROVCommand = Command(
    name: "prov",
    summary: "Write the provenance trail as W3C PROV-JSON.",
    discussion: """
    Entities: blobs and versions. Activities: batches, imports, redaction decisions and fork
    resolutions. Agents: people, hosts, tools and archive copies. Relations: wasGeneratedBy,
    wasDerivedFrom (a version's parents), wasAttributedTo, used and wasAssociatedWith
    (docs/provenance.md). The whole archive, or one document (--key) or batch (--batch). FILE
    appears complete or not at all ('-' for stdout); the Python `prov` package reads it.
    """,
    options: [ExportPROVOptions.key, ExportPROVOptions.batch, Command.force, Command.json],
    positionals: [PositionalSpec(name: "FILE", help: "The PROV-JSON file to write (.json), or - for stdout.", minimum: 1, maximum: 1)]
) { context, args in
    let selection: PROVSelection
    switch (args[ExportPROVOptions.key], args[ExportPROVOptions.batch]) {
    case (.some, .some): throw UsageError("give --key or --batch, not both")
    case (.some(let key), nil): selection = .key(key)
    case (nil, .some(let batch)): selection = .batch(batch)
    case (nil, nil): selection = .all
    }
    let archive = try context.openArchive(readOnly: true)
    let path = args.positionals[0]
    let report: PROVReport
    let progress = Progress("export prov", unit: .items("section", "sections"), quiet: args[Command.json])
    if path == "-" {
        report = try archive.exportPROV(selection, progress: { progress.update($0, of: $1) }) { text in Array(text.utf8).withUnsafeBytes { Output.bytes($0) } }
    } else {
        var result = PROVReport()
        try writeFileAtomically(path, replace: args[Command.force]) { write in
            result = try archive.exportPROV(selection, progress: { progress.update($0, of: $1) }) { text in
                try Array(text.utf8).withUnsafeBytes { try write($0) }
            }
        }
        report = result
    }
    progress.finish()
    if args[Command.json] {
        if path != "-" { Output.json(report.json) }
    } else if path != "-" {
        Output.line("wrote \(path): \(report.entities) entities, \(report.activities) activities, \(report.agents) agents, \(report.relations) relations")
    }
    return 0
}

let exportCommand = Command(
    name: "export",
    summary: "Write archived files out: as files, JSON Lines, a BagIt bag, WARC, CDXJ or WACZ; or the provenance trail as PROV-JSON.",
    subcommands: [exportFilesCommand, exportJSONLCommand, exportBagItCommand, exportWARCCommand, exportCDXJCommand, exportWACZCommand, exportPROVCommand]
)
