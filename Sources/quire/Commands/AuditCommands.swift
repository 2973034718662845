import QuireKit

/// The options of `provenance`.
private enum ProvenanceOptions {
    static let dot = Flag("dot", help: "Print a Graphviz DOT graph (versions, sightings, batches, copies).")
    static let key = Flag("key", help: "REF is a document key.")
    static let hash = Flag("hash", help: "REF is a blob or version hash.")
    static let path = Flag("path", help: "REF is a path.")
}

let provenanceCommand = Command(
    name: "provenance",
    summary: "Show where a document, blob or path came from: every version, sighting and copy.",
    discussion: """
    REF is a document KEY, a HASH (or unique prefix) of a blob or version, or a PATH as a batch saw
    it; the first that matches wins, or say which with --key, --hash or --path.
      document: every version in order with its parents, and for each every sighting: batch (label,
                source, agent, host, tool, time), path, size, mtime and meaning
      hash:     every document and path that ever carried those bytes
      path:     what that path held in each batch
    For each record, the copy that made it and the imports that carried it here.
    --dot writes a Graphviz graph (W3C PROV shapes): quire provenance KEY --dot | dot -Tsvg > trail.svg
    """,
    options: [
        Command.json,
        ProvenanceOptions.dot,
        ProvenanceOptions.key,
        ProvenanceOptions.hash,
        ProvenanceOptions.path,
    ],
    positionals: [PositionalSpec(name: "REF", help: "KEY, HASH or PATH.", minimum: 1, maximum: 1)]
) { context, args in
    let kinds = [("key", ProvenanceOptions.key), ("hash", ProvenanceOptions.hash), ("path", ProvenanceOptions.path)].filter { args[$0.1] }.map(\.0)
    if kinds.count > 1 { throw UsageError("give at most one of --key, --hash, --path") }
    if args[Command.json] && args[ProvenanceOptions.dot] { throw UsageError("give --json or --dot, not both") }
    let archive = try context.openArchive(readOnly: true)
    let trail = try archive.provenance(try archive.provenanceSubject(args.positionals[0], kind: kinds.first))
    if args[Command.json] {
        Output.json(trail.json)
    } else if args[ProvenanceOptions.dot] {
        Output.out(trail.dot)
    } else {
        ProvenanceText.print(trail)
    }
    return 0
}

/// The human-readable provenance trail.
enum ProvenanceText {
    static func print(_ trail: Provenance) {
        func copy(_ id: String) -> String { trail.copies.first { $0.archive == id }?.label ?? String(id.prefix(8)) }
        func origin(_ o: RecordOrigin, indent: String) {
            Output.line("\(indent)recorded by \(copy(o.archive)) (event \(o.seq), \(o.at))" + (o.signedBy.map { ", signed by \($0)" } ?? ""))
            for step in o.route {
                Output.line("\(indent)carried by bundle \(step.bundle.prefix(8)) from \(copy(step.from)) into \(copy(step.into)) at \(step.at) by \(step.agent)")
            }
        }
        func sighting(_ s: ProvenanceSighting, indent: String, version: RecordOrigin? = nil) {
            var facts = [s.meaning]
            if let size = s.size { facts.append("\(size) bytes") }
            if let mtime = s.mtime { facts.append("mtime \(mtime)") }
            if let error = s.error { facts.append("error: \(error)") }
            Output.line("\(indent)\(s.fullPath)  (\(facts.joined(separator: ", ")))")
            Output.line("\(indent)  batch \(s.batch.label) [\(s.batch.id.prefix(8))] \(s.batch.startedAt) by \(s.batch.agent) on \(s.batch.host) with \(s.batch.tool)"
                        + (s.batch.source.map { ", source \($0)" } ?? ""))
            if s.recorded != version { origin(s.recorded, indent: indent + "  ") }
        }
        switch trail.subject {
        case .document(let key): Output.line("document \(key)")
        case .blob(let hash): Output.line("blob \(hash)")
        case .path(let path): Output.line("path \(path)")
        }
        for entry in trail.versions {
            let v = entry.version
            Output.line("")
            Output.line("\(v.key) @\(v.number)  version \(Format.short(v.hash))  blob \(Format.short(v.blob))  \(Format.bytes(v.size))"
                        + (v.isCurrent ? "  (current)" : "") + (entry.custody == "held" ? "" : "  [\(entry.custody)]"))
            Output.line("  created \(v.createdAt); parents " + (v.parents.isEmpty ? "none" : v.parents.map(Format.short).joined(separator: ", ")))
            if let recorded = entry.recorded { origin(recorded, indent: "  ") }
            Output.line("  sightings (\(entry.sightings.count)):")
            for s in entry.sightings { sighting(s, indent: "    ", version: entry.recorded) }
        }
        let rest = trail.otherSightings
        if !rest.isEmpty {
            Output.line("")
            Output.line("other sightings (\(rest.count)):")
            for s in rest { sighting(s, indent: "  ") }
        }
        if case .path = trail.subject {
            Output.line("")
            Output.line("held in each batch:")
            for s in trail.sightings {
                Output.line("  \(s.batch.startedAt)  \(s.batch.label)  \(s.meaning)  " + (s.blob.map(Format.short) ?? "-") + (s.key.map { "  \($0)" } ?? ""))
            }
        }
        if !trail.redactions.isEmpty {
            Output.line("")
            Output.line("redactions:")
            for r in trail.redactions {
                Output.line("  \(r.at)  \(r.action) \(Format.short(r.blob)) by \(r.agent) in \(copy(r.archive))" + (r.reason.map { ": \($0)" } ?? ""))
            }
        }
    }
}

/// The options of `verify`.
private enum VerifyOptions {
    static let quick = Flag("quick", help: "Skip decompressing and hashing blobs.")
    static let noRecord = Flag("no-record", help: "Do not record the run in the archive's log.")
    static let quiet = Flag("quiet", short: "q", help: "No progress line.")
    static let allowedSigners = Option<String>("allowed-signers", value: "FILE",
                                               help: "OpenSSH allowed_signers file: every signed event's key must be listed for its principal.")
}

let verifyCommand = Command(
    name: "verify",
    summary: "Check that every stored byte, event and reference is intact.",
    discussion: """
    Full: every blob is decompressed and hashed against its address; every event's hash chain is
    checked; every reference between rows resolves; chunk sizes, bases and version hashes are
    checked; and SQLite's integrity_check runs. --quick skips reading blob bytes (no decompression
    or blob hashing) and uses quick_check. Redacted blobs are reported as redacted, not as damage.
    Every run also rebuilds the tables the reading commands print (batches, documents and heads,
    versions, paths, sightings, supplied fields, imports, redactions, quarantine, verifications)
    from the events in temporary tables and compares them row by row: a row altered outside Quire
    is named with its table and the event it contradicts (--quick compares all but the sightings
    and versions, and checks each batch's counts instead). Signed events (QUIRE_SIGNING_KEY) are
    checked with ssh-keygen -Y; with --allowed-signers FILE each signer must be listed there, and
    the signers, unsigned spans and key changes are shown.
    Exit 0 when clean, 1 with every problem named. Each run is recorded as a `verify` event, which
    syncs to other copies (`quire report` shows each copy's last check); --no-record skips that.
    """,
    options: [
        VerifyOptions.quick,
        VerifyOptions.noRecord,
        VerifyOptions.quiet,
        VerifyOptions.allowedSigners,
        Command.json,
    ]
) { context, args in
    let archive = try context.openArchive(readOnly: args[VerifyOptions.noRecord])
    // A full run counts the blob bytes it hashes; a quick one (no blob bytes) its checks.
    let quick = args[VerifyOptions.quick]
    let progress = Progress(quick ? "quick verify" : "verify", unit: quick ? .items("check", "checks") : .bytes,
                            quiet: args[VerifyOptions.quiet] || args[Command.json])
    let report = try archive.verify(quick: quick, record: !args[VerifyOptions.noRecord],
                                    allowedSigners: args[VerifyOptions.allowedSigners]) { done, total in progress.update(done, of: total) }
    progress.finish()
    if args[Command.json] {
        Output.json(report.json)
    } else {
        for problem in report.problems { Output.line("PROBLEM \(problem.description)") }
        for hash in report.redacted { Output.line("redacted \(hash) (bytes deleted by a recorded redaction)") }
        let signatures = report.signatures
        if !signatures.signed.isEmpty || args[VerifyOptions.allowedSigners] != nil {
            for s in signatures.signed { Output.line("signed \(s.event) (\(s.kind)) by \(s.signer): \(s.status)") }
            for span in signatures.unsignedSpans { Output.line("unsigned \(span)") }
            for change in signatures.keyChanges { Output.line("KEY CHANGE \(change)") }
        }
        Output.line("\(report.mode) verify: \(report.isClean ? "clean" : "\(report.problems.count) problems"); "
                    + "\(report.blobsChecked) blobs (\(Format.bytes(report.bytesChecked))) hashed, \(report.eventsChecked) events checked"
                    + (report.redacted.isEmpty ? "" : ", \(report.redacted.count) redacted")
                    + (report.quarantined == 0 ? "" : ", \(report.quarantined) in quarantine"))
    }
    if let why = report.recordError { Output.error("warning: the run could not be recorded in the archive: \(why)") }
    return report.isClean ? 0 : 1
}

/// The options of `redact`.
private enum RedactOptions {
    static let reason = Option<String>("reason", value: "TEXT", help: "Why (required): recorded with the redaction.")
    static let agent = Option<String>("agent", value: "WHO", help: "Who decided (default: user@host).")
    static let compact = Flag("compact", help: "Rewrite the file afterwards so it shrinks (VACUUM).")
    static let dryRun = Flag("dry-run", short: "n", help: "Print what would be deleted and change nothing.")
    static let yes = Flag("yes", short: "y", help: "Do not ask for confirmation on a terminal.")
}

/// Hash prefixes shorter than this are confirmed on a terminal before anything is deleted.
private let confirmedPrefixLength = 12

let redactCommand = Command(
    name: "redact",
    summary: "Delete the bytes a takedown names (a document, URL, path or hash), keeping hashes, sightings and provenance.",
    discussion: """
    REF is a document KEY (the bytes of every version) or KEY@N (one version's), a URL (the
    document it keys, and every capture that declares it as its canonical URL), a PATH as ingest
    recorded it (relative, or the full path read from: every file seen there), or a blob HASH
    (or a prefix of at least 4 hex digits). --dry-run lists what would go and changes nothing.
    On a terminal, a hash prefix shorter than 12 digits, or more than one blob, is confirmed
    first (--yes skips that).

    This cannot be undone: the bytes are deleted from this archive file (deleted pages are
    zeroed; --compact also returns the space to the file system). The hash, sightings,
    provenance and a redaction record (reason, agent, time) stay. `cat` then says who redacted it
    and why; ingesting the same bytes again does not bring them back. The redaction syncs: other
    copies hide the content at once and keep the bytes in quarantine until their own operator
    runs `quire purge` or `quire reinstate`.
    """,
    options: [
        RedactOptions.reason,
        RedactOptions.agent,
        RedactOptions.dryRun,
        RedactOptions.yes,
        RedactOptions.compact,
        Command.json,
    ],
    positionals: [PositionalSpec(name: "REF", help: "KEY, KEY@N, URL, PATH or HASH (or a unique prefix).", minimum: 1, maximum: 1)]
) { context, args in
    let dryRun = args[RedactOptions.dryRun]
    let reason = args[RedactOptions.reason]
    if reason == nil && !dryRun { throw UsageError("a redaction needs --reason TEXT") }
    let archive = try context.openArchive(readOnly: dryRun)
    let targets = try archive.redactionTargets(args.positionals[0])
    func describe(_ blob: (hash: String, key: String?)) -> String { blob.hash + (blob.key.map { "  (\($0))" } ?? "") }
    if targets.blobs.isEmpty {
        if args[Command.json] {
            Output.json(["dry_run": .bool(dryRun), "targets": targets.json, "redacted": .array([])])
        } else {
            Output.line("nothing to redact: \(targets.kind) \(targets.matched) names only bytes already redacted")
        }
        return 0
    }
    if dryRun {
        if args[Command.json] {
            Output.json(["dry_run": true, "targets": targets.json, "redacted": .array([])])
            return 0
        }
        Output.line("would delete the bytes of \(Format.count(targets.blobs.count, "blob", "blobs")) (\(targets.kind) \(targets.matched)):")
        for blob in targets.blobs { Output.line("  " + describe(blob)) }
        for hash in targets.alreadyRedacted { Output.line("  \(hash)  (already redacted)") }
        Output.line("nothing was changed (--dry-run)")
        return 0
    }
    let short = targets.prefixLength.map { $0 < confirmedPrefixLength } ?? false
    if (short || targets.blobs.count > 1) && !args[RedactOptions.yes] && Output.stdinIsTerminal && Output.stderrIsTerminal {
        Output.error("This deletes the bytes of \(Format.count(targets.blobs.count, "blob", "blobs")) for good (\(targets.kind) \(targets.matched)):")
        for blob in targets.blobs { Output.error("  " + describe(blob)) }
        Output.errorRaw("It cannot be undone. Type 'yes' to go on: ")
        guard let answer = readLine(), answer.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
            Output.error("nothing was redacted")
            return 1
        }
    }
    var records: [RedactionRecord] = []
    for blob in targets.blobs {
        records.append(try archive.redact(hash: blob.hash, reason: reason!, agent: args[RedactOptions.agent] ?? Identity.defaultAgent))
        if !args[Command.json] { Output.line("redacted \(describe(blob)): \(reason!)") }
    }
    if args[RedactOptions.compact] { try archive.compact() }
    if args[Command.json] {
        if records.count == 1 && targets.kind.hasPrefix("hash") {
            Output.json(records[0].json)   // the shape a single-hash redaction has always had
        } else {
            Output.json(["dry_run": false, "targets": targets.json, "redacted": .array(records.map(\.json))])
        }
    }
    return 0
}

/// The options of `reinstate`.
private enum ReinstateOptions {
    static let reason = Option<String>("reason", value: "TEXT", help: "Why, recorded with the decision.")
    static let agent = Option<String>("agent", value: "WHO", help: "Who decided (default: user@host).")
}

let reinstateCommand = Command(
    name: "reinstate",
    summary: "Serve a quarantined blob again (overrule a redaction that came from another copy).",
    discussion: "Only this copy is affected; the decision is recorded and syncs as part of the audit trail.",
    options: [
        ReinstateOptions.reason,
        ReinstateOptions.agent,
        Command.json,
    ],
    positionals: [PositionalSpec(name: "HASH", help: "The blob's hash (or a unique prefix).", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive()
    let hash = try blobHash(archive, args.positionals[0])
    try archive.reinstate(hash: hash, reason: args[ReinstateOptions.reason], agent: args[ReinstateOptions.agent] ?? Identity.defaultAgent)
    if args[Command.json] { Output.json(["reinstated": .string(hash)]) } else { Output.line("reinstated \(hash)") }
    return 0
}

/// The options of `purge`.
private enum PurgeOptions {
    static let `all` = Flag("all", help: "Purge everything in quarantine.")
    static let agent = Option<String>("agent", value: "WHO", help: "Who decided (default: user@host).")
    static let compact = Flag("compact", help: "Rewrite the file afterwards so it shrinks (VACUUM).")
}

let purgeCommand = Command(
    name: "purge",
    summary: "Delete the bytes of quarantined blobs (redacted in another copy).",
    discussion: """
    Give the hashes to purge, or --all for everything in quarantine. Each purge is recorded.
    With neither, lists what is in quarantine and changes nothing.
    """,
    options: [
        PurgeOptions.`all`,
        PurgeOptions.agent,
        PurgeOptions.compact,
        Command.json,
    ],
    positionals: [PositionalSpec(name: "HASH", help: "Blob hashes (or unique prefixes).", minimum: 0, maximum: Int.max)]
) { context, args in
    if args[PurgeOptions.`all`] && !args.positionals.isEmpty { throw UsageError("give hashes or --all, not both") }
    let archive = try context.openArchive()
    if !args[PurgeOptions.`all`] && args.positionals.isEmpty {
        let held = try archive.quarantinedBlobs()
        if args[Command.json] { Output.json(["quarantined": .array(held.map { .string($0) })]) } else {
            Output.line(held.isEmpty ? "quarantine is empty" : "in quarantine (\(held.count)):")
            for hash in held { Output.line("  \(hash)") }
        }
        return 0
    }
    let hashes = args[PurgeOptions.`all`] ? nil : try args.positionals.map { try blobHash(archive, $0) }
    let purged = try archive.purge(hashes: hashes, agent: args[PurgeOptions.agent] ?? Identity.defaultAgent)
    if args[PurgeOptions.compact] { try archive.compact() }
    if args[Command.json] { Output.json(["purged": .array(purged.map { .string($0) })]) } else {
        Output.line("purged \(purged.count) blobs")
        for hash in purged { Output.line("  \(hash)") }
    }
    return 0
}

/// The options of `report`.
private enum ReportOptions {
    static let html = Option<String>("html", value: "FILE", help: "Write the report as one HTML page to FILE ('-' for stdout).")
}

let reportCommand = Command(
    name: "report",
    summary: "Summarize the archive for a reader: batches, sources, versions, forks, copies, redactions.",
    discussion: "--html FILE writes a self-contained page (no scripts or files from elsewhere).",
    options: [
        ReportOptions.html,
        Command.force,
        Command.json,
    ]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let report = try archive.report()
    if let path = args[ReportOptions.html] {
        if path == "-" { Output.out(report.html) } else { try writeTextFile(path, report.html, replace: args[Command.force]) }
        return 0
    }
    if args[Command.json] { Output.json(report.json); return 0 }
    let s = report.stats
    Output.line("archive \(s.archiveID): \(s.documents) documents, \(s.versions) versions, \(s.blobs) blobs, \(s.batches) batches")
    Output.line("")
    Output.line("batches over time:")
    Output.line(Format.table(["DAY", "BATCHES", "FILES", "NEW", "VERSIONS"], report.days.map {
        [$0.day, String($0.batches), String($0.files), String($0.new), String($0.versions)]
    }))
    Output.line("sources:")
    Output.line(Format.table(["SOURCE", "BATCHES", "FILES"], report.sources.map { [$0.name ?? "(none)", String($0.batches), String($0.files)] }))
    if !report.mostVersions.isEmpty {
        Output.line("documents with the most versions:")
        for d in report.mostVersions { Output.line("  \(d.versions)  \(d.key)") }
    }
    Output.line("forked documents: " + (report.forked.isEmpty ? "none" : report.forked.map { "\($0.key) (\($0.heads) heads)" }.joined(separator: ", ")))
    Output.line("copies:")
    Output.line(Format.table(["COPY", "EVENTS", "LAST EVENT", "LAST SYNC", "LAST VERIFY"], report.copies.map {
        [$0.info.isThis ? "this copy" : $0.info.label, String($0.events), $0.lastEvent ?? "-", $0.lastSync ?? "never",
         $0.lastVerify.map { "\($0.at) \($0.result)" } ?? "never"]
    }))
    Output.line("redactions: " + (report.redactions.isEmpty ? "none" : ""))
    for r in report.redactions { Output.line("  \(r.at)  \(r.action) \(Format.short(r.blob)) by \(r.agent)" + (r.reason.map { ": \($0)" } ?? "")) }
    return 0
}

/// The full hash of the blob `reference` names (a hash or unique prefix of a blob or version).
func blobHash(_ archive: Archive, _ reference: String) throws -> String {
    let prefix = reference.lowercased()
    guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else {
        throw UsageError("'\(reference)' is not a hash (4 to 64 hex digits)")
    }
    return try archive.resolve(prefix).blobHash
}
