import QuireKit

let lsCommand = Command(
    name: "ls",
    summary: "List documents with their current version.",
    discussion: "Columns: key, current head (version hash), versions, heads (more than one: forked), size, last seen.",
    options: [Command.json]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let documents = try archive.documents()
    if args[Command.json] {
        Output.json(.array(documents.map(\.json)))
        return 0
    }
    Output.line(Format.table(["KEY", "HEAD", "VERSIONS", "SIZE", "LAST SEEN"], documents.map {
        [$0.key, Format.short($0.head) + ($0.heads > 1 ? " (forked: \($0.heads) heads)" : ""), String($0.versions),
         $0.size.map(Format.bytes) ?? "-", $0.lastSeen ?? "-"]
    }))
    return 0
}

let logCommand = Command(
    name: "log",
    summary: "Show a document's versions, oldest first.",
    discussion: """
    Each version with its number (for KEY@N), hash, parents, size, creation time and the batch that
    brought it. A version whose text equals its parent's in different bytes is marked "same text";
    one whose only change is a timestamp or boilerplate line is marked "trivial change".
    `quire diff KEY` shows what changed.
    """,
    options: [Command.json],
    positionals: [PositionalSpec(name: "KEY", help: "The document's key.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let key = args.positionals[0]
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
    for (v, t) in zip(versions, trivial) {
        var marks: [String] = []
        if v.isCurrent { marks.append("current") } else if v.isHead { marks.append("head") }
        if v.parents.count > 1 { marks.append("merge") }
        if v.sameText { marks.append("same text as its parent") } else if t == true { marks.append("trivial change") }
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
    REF is a document KEY (its current version), KEY@N (its Nth version, oldest first), or a hash
    prefix of at least 4 hex digits naming a blob or a version. --text adds the article's main
    text (docs/articles.md).
    """,
    options: [Command.json, TextOptions.showText],
    positionals: [PositionalSpec(name: "REF", help: "KEY, KEY@N or HASH.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let object = try archive.resolve(args.positionals[0])
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
    if case .version(let v) = object {
        Output.line("version \(v.hash)")
        Output.line("  document  \(v.key) @\(v.number)\(v.isCurrent ? " (current)" : "")")
        Output.line("  created   \(v.createdAt)")
        Output.line("  parents   " + (v.parents.isEmpty ? "none" : v.parents.joined(separator: ", ")))
    }
    if let blob {
        Output.line("blob \(blob.hash)")
        Output.line("  size      \(blob.size) bytes")
        Output.line("  stored    \(blob.encoding), \(blob.storedSize) bytes" + (blob.base.map { " against \(Format.short($0)) (depth \(blob.depth))" } ?? ""))
    }
    if !article.fields.isEmpty {
        Output.line("metadata (\(article.kind ?? "?"), read as \(article.encoding ?? "?")):")
        let width = max(12, article.fields.map(\.name.count).max() ?? 0)
        for field in article.fields { Output.line("  \(field.name + String(repeating: " ", count: width - field.name.count)) \(field.value)  [\(field.extractor)]") }
    }
    Output.line("sightings (\(sightings.count)):")
    for s in sightings {
        let meaning = s.meaning + (s.held == true && s.meaning != "unchanged" ? " (bytes already stored)" : "")
        Output.line("  \(s.seenAt)  \(meaning)  \(s.fullPath)  in batch \(s.batchLabel) by \(s.agent)" + (s.source.map { " from \($0)" } ?? ""))
    }
    if let text {
        Output.line("text:")
        Output.line(text)
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
    Output.line(Format.table(["STARTED", "LABEL", "FILES", "NEW", "VERSION", "DUPLICATE", "UNCHANGED", "FAILED", "AGENT", "ID"], batches.map {
        [$0.startedAt, $0.label + ($0.finishedAt == nil ? " (unfinished)" : ""), String($0.files), String($0.counts["new"] ?? 0),
         String($0.counts["version"] ?? 0), String($0.counts["duplicate"] ?? 0), String($0.counts["unchanged"] ?? 0),
         String($0.counts["failed"] ?? 0), $0.agent, $0.id]
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
