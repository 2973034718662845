import QuireKit

/// The options of `ls`.
private enum LsOptions {
    static let batch = Option<String>("batch", value: "BATCH", help: "Only documents this batch sighted (its label, id or a unique id prefix).")
    static let source = Option<String>("source", value: "NAME", help: "Only documents sighted by batches from this source (ingest --source).")
    static let since = Option<String>("since", value: "DATE", help: "Only documents sighted on or after this date or time (ISO 8601, e.g. 2026-03-27).")
}

let lsCommand = Command(
    name: "ls",
    summary: "List documents with their current version.",
    discussion: """
    Columns: key, title (of the current version), current head (version hash), versions, size,
    last seen. A document with more than one head (forked between copies) says so.
    --batch, --source and --since keep the documents sighted by that batch, by batches from that
    source, or since that date (together: by one sighting that meets them all). On a terminal the list goes through a
    pager ($PAGER, else less -FRX; --no-pager or PAGER=cat for none).
    """,
    options: [LsOptions.batch, LsOptions.source, LsOptions.since, Command.json],
    positionals: []
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    if let since = args[LsOptions.since], !isDate(since) {
        throw UsageError(message: "--since wants a date like 2026-03-27 or 2026-03-27T10:00:00Z, not '\(since)'")
    }
    let filter = DocumentFilter(batch: args[LsOptions.batch], source: args[LsOptions.source], since: args[LsOptions.since])
    let documents = try archive.documents(filter: filter)
    if args[Command.json] {
        Output.json(.array(documents.map(\.json)))
        return 0
    }
    // On a terminal, titles are cut to leave room for the other columns; in a pipe, kept whole.
    let titleWidth = Output.stdoutIsTerminal ? max(20, min(60, Terminal.width - 100)) : Int.max
    Pager.start()
    Output.line(Format.table(["KEY", "TITLE", "HEAD", "VERSIONS", "SIZE", "LAST SEEN"], documents.map { d in
        let s = d.summary
        return [s.key, Format.clip(d.title ?? "-", titleWidth), Format.short(s.head) + (s.heads > 1 ? " (forked: \(s.heads) heads)" : ""),
                String(s.versions), s.size.map(Format.bytes) ?? "-", s.lastSeen ?? "-"]
    }))
    if documents.isEmpty && !filter.isEmpty { Output.error("no documents match") }
    return 0
}

/// Whether `text` starts like an ISO 8601 date: YYYY-MM-DD.
func isDate(_ text: String) -> Bool {
    let b = Array(text.utf8)
    guard b.count >= 10 else { return false }
    func digit(_ i: Int) -> Bool { b[i] >= 48 && b[i] <= 57 }
    return (0..<4).allSatisfy(digit) && b[4] == 45 && digit(5) && digit(6) && b[7] == 45 && digit(8) && digit(9)
}

let logCommand = Command(
    name: "log",
    summary: "Show the archive's history, or a document's versions.",
    discussion: """
    Without KEY: everything that happened to the archive, newest first: batches (with their
    counts), imports of bundles, redactions, reinstatements, purges and verifications.
    `quire show BATCH` shows one batch's files.

    With KEY: each version with its number (for KEY@N), hash, parents, size, creation time, the
    batch that brought it and the path it was read from, oldest first. A version whose text equals
    its parent's in different bytes is marked "same text"; one whose only change is a timestamp
    or boilerplate line is marked "trivial change". `quire diff KEY` shows what changed.
    On a terminal the output goes through a pager (--no-pager for none).
    """,
    options: [Command.json],
    positionals: [PositionalSpec(name: "KEY", help: "The document's key (none: the archive's history).", minimum: 0, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    guard let key = args.positionals.first else {
        let history = try archive.history()
        if args[Command.json] {
            Output.json(.array(history.map(\.json)))
            return 0
        }
        Pager.start()
        for entry in history {
            Output.line("\(entry.at)  \(entry.summary)  by \(entry.agent)")
            if entry.kind == "batch" { Output.line("    quire show \(entry.subject)") }
        }
        if history.isEmpty { Output.line("nothing recorded yet: quire ingest PATH archives a first batch") }
        return 0
    }
    let versions = try archive.log(key: key)
    // A version whose only change from its parent is a timestamp or boilerplate line (nil: the
    // first version, or bytes this copy does not serve).
    let trivial = archive.trivialChanges(versions)
    if args[Command.json] {
        Output.json(["key": .string(key), "versions": .array(zip(versions, trivial).map { v, t in
            var object = v.json.objectValue ?? [:]
            object["trivial"] = t.map { .bool($0) } ?? .null
            return .object(object)
        })])
        return 0
    }
    Pager.start()
    for (v, t) in zip(versions, trivial) {
        var marks: [String] = []
        if v.isCurrent { marks.append("current") } else if v.isHead { marks.append("head") }
        if v.parents.count > 1 { marks.append("merge") }
        if v.sameText { marks.append("same text as its parent") } else if t == true { marks.append("trivial change") }
        if let partial = v.partial { marks.append("partial capture: \(partial)") }
        Output.line("@\(v.number)  version \(Format.short(v.hash))  blob \(Format.short(v.blob))  \(Format.bytes(v.size))" + (marks.isEmpty ? "" : "  (\(marks.joined(separator: ", ")))"))
        Output.line("    created \(v.createdAt)" + (v.batchLabel.map { " in batch \($0)" } ?? "") + (v.path.map { " from \($0)" } ?? ""))
        if !v.parents.isEmpty { Output.line("    parents " + v.parents.map(Format.short).joined(separator: ", ")) }
    }
    let heads = versions.filter(\.isHead)
    if heads.count > 1 {
        Output.line("forked: \(heads.count) heads (\(heads.map { "@\($0.number)" }.joined(separator: ", "))); the current one is chosen by the rule in docs/schema.md")
    }
    return 0
}

let showCommand = Command(
    name: "show",
    summary: "Show one version or blob with its metadata and sightings.",
    discussion: """
    REF is a document KEY (its current version), KEY@N (its Nth version, oldest first), a hash
    prefix of at least 4 hex digits naming a blob or a version, or a BATCH (its label, id or a
    unique id prefix, as `quire log` and `quire batches` show them): the batch's details, counts
    and every file it read, with the full path and what it meant. --text adds the article's main
    text (docs/articles.md).
    """,
    options: [Command.json, TextOptions.showText],
    positionals: [PositionalSpec(name: "REF", help: "KEY, KEY@N, HASH or BATCH.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let object: ArchiveObject
    do {
        object = try archive.resolve(args.positionals[0])
    } catch let error as QuireError where error.code == .notFound {
        // Not a document, version or blob: a batch, perhaps.
        guard let batch = try? archive.batch(args.positionals[0]) else { throw error }
        return try showBatch(archive, batch, json: args[Command.json])
    }
    let blob = try archive.blobInfo(hash: object.blobHash)
    var json: [String: JSON] = ["blob": blob?.json ?? .null]
    let sightings: [SightingInfo]
    switch object {
    case .version(let v):
        json["type"] = "version"
        json["version"] = v.json
        sightings = try archive.sightings(version: v.hash)
    case .blob(let b):
        json["type"] = "blob"
        sightings = try archive.sightings(blob: b.hash)
    }
    json["sightings"] = .array(sightings.map(\.json))
    let article = try archive.articleFields(blob: object.blobHash)
    json["article"] = ["kind": JSON(article.kind), "encoding": JSON(article.encoding), "fingerprint": JSON(article.fingerprint),
                       "fields": .array(article.fields.map(\.json))]
    let text = args[TextOptions.showText] ? try archive.mainText(blob: object.blobHash) : nil
    if let text { json["text"] = .string(text) }
    if args[Command.json] {
        Output.json(.object(json))
        return 0
    }
    Pager.start()
    if case .version(let v) = object {
        Output.line("version \(v.hash)")
        Output.line("  document  \(v.key) @\(v.number)\(v.isCurrent ? " (current)" : "")")
        Output.line("  created   \(v.createdAt)")
        if let partial = v.partial { Output.line("  captured  partial: \(partial) (never replaces a whole version as current)") }
        Output.line("  parents   " + (v.parents.isEmpty ? "none" : v.parents.joined(separator: ", ")))
    }
    if let blob {
        Output.line("blob \(blob.hash)")
        Output.line("  size      \(blob.size) bytes")
        Output.line("  stored    \(blob.encoding), \(blob.storedSize) bytes" + (blob.base.map { " against \(Format.short($0)) (depth \(blob.depth))" } ?? ""))
    }
    if !article.fields.isEmpty {
        Output.line("metadata (\(article.kind ?? "?"), read as \(article.encoding ?? "?"); [extractor/version] says how each field was found, docs/articles.md):")
        let width = max(12, article.fields.map(\.name.count).max() ?? 0)
        for field in article.fields { Output.line("  \(field.name + String(repeating: " ", count: width - field.name.count)) \(field.value)  [\(field.extractor)]") }
    }
    Output.line("sightings (\(sightings.count)):")
    for s in sightings {
        let meaning = s.meaning + (s.held == true && s.meaning != "unchanged" ? " (bytes already stored)" : "")
        Output.line("  \(s.seenAt)  \(meaning)  \(s.fullPath)  in batch \(s.batchLabel) by \(s.agent)" + (s.source.map { " from \($0)" } ?? "")
                    + (s.partial.map { "  (partial: \($0))" } ?? ""))
    }
    if let text {
        Output.line("text:")
        Output.line(text)
    }
    return 0
}

/// `quire show BATCH`: the batch, its counts and every sighting it recorded.
private func showBatch(_ archive: Archive, _ batch: BatchSummary, json: Bool) throws -> Int32 {
    let sightings = try archive.sightings(batch: batch.id)
    let held = try archive.alreadyStored(batch: batch.id)
    if json {
        var object = batch.json.objectValue ?? [:]
        object["type"] = "batch"
        object["already_stored"] = .int(Int64(held))
        object["sightings"] = .array(sightings.map(\.json))
        Output.json(.object(object))
        return 0
    }
    Pager.start()
    Output.line("batch \(batch.label)")
    Output.line("  id        \(batch.id)")
    Output.line("  started   \(batch.startedAt)")
    Output.line("  finished  \(batch.finishedAt ?? "no (interrupted)")")
    Output.line("  by        \(batch.agent) on \(batch.host) with \(batch.tool)")
    if let source = batch.source { Output.line("  source    \(source)") }
    if let note = batch.note { Output.line("  note      \(note)") }
    for (i, input) in batch.inputs.enumerated() { Output.line((i == 0 ? "  inputs    " : "            ") + input) }
    Output.line("  counts    " + countsText(batch.counts) + " in \(Format.count(batch.files, "file", "files")), \(Format.bytes(batch.bytes))")
    if held > 0 { Output.line("            \(Format.count(held, "file", "files")) (new or changed) had bytes already stored") }
    Output.line("sightings (\(sightings.count)):")
    for s in sightings {
        let meaning = s.meaning + (s.held == true && s.meaning != "unchanged" ? " (bytes already stored)" : "")
        Output.line("  \(meaning)  \(s.fullPath)" + (s.key.map { $0 == s.path ? "" : "  as \($0)" } ?? "") + (s.error.map { ": \($0)" } ?? ""))
    }
    return 0
}

/// `--text` of `show` and `cat`.
private enum TextOptions {
    static let showText = Flag("text", help: "Also print the article's main text (boilerplate left out).")
    static let catText = Flag("text", help: "Write the article's main text instead of the bytes.")
}

let catCommand = Command(
    name: "cat",
    summary: "Write the exact original bytes of a blob or version to stdout.",
    discussion: """
    REF is a hash (or unique prefix of at least 4 hex digits), KEY or KEY@N. The bytes are checked
    against their SHA-256 as they are written: `quire cat HASH | sha256sum` prints HASH. With
    --text, the article's main text instead: HTML without navigation, related links, footers and
    other boilerplate, paragraphs kept (docs/articles.md).
    """,
    options: [TextOptions.catText],
    positionals: [PositionalSpec(name: "REF", help: "HASH, KEY or KEY@N.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let object = try archive.resolve(args.positionals[0])
    if args[TextOptions.catText] {
        Output.line(try archive.mainText(blob: object.blobHash))
        return 0
    }
    try archive.writeBlob(hash: object.blobHash) { Output.bytes($0) }
    return 0
}

let batchesCommand = Command(
    name: "batches",
    summary: "List batches with their counts.",
    options: [Command.json]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let batches = try archive.batches()
    if args[Command.json] {
        Output.json(.array(batches.map(\.json)))
        return 0
    }
    // DUPLICATE only for archives with batches recorded before schema 13 (docs/keys.md).
    let duplicates = batches.contains { ($0.counts["duplicate"] ?? 0) > 0 }
    Output.line(Format.table(["STARTED", "LABEL", "FILES", "NEW", "VERSION"] + (duplicates ? ["DUPLICATE"] : []) + ["UNCHANGED", "FAILED", "PENDING", "AGENT", "ID"], batches.map {
        [$0.startedAt, $0.label + ($0.finishedAt == nil ? " (unfinished)" : ""), String($0.files), String($0.counts["new"] ?? 0),
         String($0.counts["version"] ?? 0)] + (duplicates ? [String($0.counts["duplicate"] ?? 0)] : [])
        + [String($0.counts["unchanged"] ?? 0), String($0.counts["failed"] ?? 0), String($0.counts["pending"] ?? 0), $0.agent, $0.id]
    }))
    return 0
}

let statsCommand = Command(
    name: "stats",
    summary: "Show totals: documents, versions, blobs, sightings, batches, bytes.",
    discussion: "original_bytes is the size of all distinct blobs; stored_bytes what they take in the archive.",
    options: [Command.json]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let stats = try archive.stats()
    if args[Command.json] {
        Output.json(stats.json)
        return 0
    }
    let ratio = stats.originalBytes > 0 ? Double(stats.storedBytes) / Double(stats.originalBytes) * 100 : 0
    Output.line("""
        archive         \(context.archivePath) (\(stats.archiveID))
        documents       \(stats.documents)\(stats.forkedDocuments > 0 ? " (\(stats.forkedDocuments) forked)" : "")
        versions        \(stats.versions)
        blobs           \(stats.blobs)
        sightings       \(stats.sightings)
        batches         \(stats.batches)
        events          \(stats.events)
        original bytes  \(Format.bytes(stats.originalBytes))
        stored bytes    \(Format.bytes(stats.storedBytes)) (\(Format.format1(ratio))% of original)
        file size       \(Format.bytes(stats.fileBytes))
        """)
    return 0
}
