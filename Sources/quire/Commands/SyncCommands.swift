#if canImport(Glibc)
import Glibc
#endif
import Foundation
import QuireKit

/// The options of `state`.
private enum StateOptions {
    static let output = Option<String>("output", short: "o", value: "FILE", help: "Write the state to FILE instead of stdout.")
}

let stateCommand = Command(
    name: "state",
    summary: "Print this archive's state: for each origin, its last event.",
    discussion: """
    The state is a small JSON file a peer uses to make the smallest bundle for this archive:
      quire state -o mine.state           (send mine.state to a colleague)
      quire bundle create new.bundle --since mine.state    (they run this on their copy)
    It is JSON already: --json prints the same document (docs/cli.md), as every command that
    prints data accepts --json.
    """,
    options: [StateOptions.output, Command.force, Command.json]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let text = try archive.state().json.pretty + "\n"
    if let path = args[StateOptions.output] {
        try writeTextFile(path, text, replace: args[Command.force])
    } else {
        Output.out(text)
    }
    return 0
}

/// The options of `bundleCreate`.
private enum BundleCreateOptions {
    static let since = Option<String>("since", value: "FILE", help: "The receiver's state file.")
    static let `for` = Option<String>("for", value: "PEER", help: "A known peer's name or archive id.")
    static let `all` = Flag("all", help: "Everything (the default).")
    static let thin = Flag("thin", help: "Let blobs be compressed against blobs the receiver holds (smaller; needs that base).")
    static let level = Option.int("level", value: "N", in: 0...9, help: "zlib level for the bundle's records, 0-9 (default 1).")
}

let bundleCreateCommand = Command(
    name: "create",
    summary: "Write a bundle of what another copy lacks.",
    discussion: """
    The bundle holds the events past the receiver's state and the blobs they need that the
    receiver cannot already have. Say what the receiver holds with one of:
      --since FILE   a state file the receiver wrote with `quire state -o FILE`
      --for PEER     what this archive last sent to or received from PEER (`quire peers`)
      --all          nothing: the whole archive (the default; always safe, since import ignores what it has)
    OUT '-' writes the bundle to stdout, e.g. `quire bundle create - --for ana | ssh host quire bundle import -`.
    """,
    options: [
        BundleCreateOptions.since,
        BundleCreateOptions.`for`,
        BundleCreateOptions.`all`,
        BundleCreateOptions.thin,
        BundleCreateOptions.level,
        Command.force,
        Command.json,
    ],
    positionals: [PositionalSpec(name: "OUT", help: "The bundle file to write, or '-' for stdout.", minimum: 1, maximum: 1)]
) { context, args in
    let chosen = [args[BundleCreateOptions.since] != nil, args[BundleCreateOptions.`for`] != nil, args[BundleCreateOptions.`all`]].filter { $0 }.count
    if chosen > 1 { throw UsageError(message: "give only one of --since, --for and --all") }
    let level = Int32(try args.value(BundleCreateOptions.level) ?? 1)
    let archive = try context.openArchive()
    var base = ArchiveState()
    var peer: String? = nil
    if let path = args[BundleCreateOptions.since] {
        guard let data = FileManager.default.contents(atPath: path) else { throw QuireError(.io, "cannot read state file \(path)") }
        do { base = try ArchiveState(json: JSON.parse([UInt8](data))) } catch let error as JSONParseError {
            throw QuireError(.badFile, "\(path) is not a state file", underlying: error)
        }
        peer = base.archive
    } else if let name = args[BundleCreateOptions.`for`] {
        let info = try archive.peer(name)
        base = info.known
        peer = info.archive
    }
    let out = args.positionals[0]
    let summary: BundleSummary
    if out == "-" {
        summary = try archive.writeBundle(base: base, thin: args[BundleCreateOptions.thin], level: level) { Output.bytes($0) }
        Output.flush()
    } else {
        summary = try archive.writeBundle(base: base, thin: args[BundleCreateOptions.thin], level: level, to: out, replace: args[Command.force])
    }
    try archive.noteSent(summary, to: peer == archive.id ? nil : peer, file: out)
    let text = "Bundle \(summary.header.bundle): \(summary.header.events) events, \(summary.header.blobs) blobs, \(Format.bytes(summary.bytes))"
    if out == "-" {
        Output.error(text)
    } else if args[Command.json] {
        Output.json(summary.json)
    } else {
        Output.line(text + " -> \(out)")
    }
    return 0
}

/// A bundle to read: a file, or '-' for stdin, staged in a scratch file without a name beside
/// the archive (the magic checked first; a kill leaves nothing behind).
private func bundleSource(_ argument: String, near archive: String) throws -> (path: String, name: String?, staged: StagedBundle?) {
    guard argument == "-" else { return (argument, nil, nil) }
    let directory = (archive as NSString).deletingLastPathComponent
    let staged = try StagedBundle(reading: STDIN_FILENO, name: "the bundle on stdin", in: directory.isEmpty ? "." : directory)
    return (staged.path, staged.name, staged)
}

/// The options of `bundleImport`.
private enum BundleImportOptions {
    static let `as` = Option<String>("as", value: "NAME", help: "A name for the copy that made the bundle (for --for and `quire peers`).")
}

/// What `bundle import` and `bundle verify` share: open the archive, read the bundle (a file, or
/// stdin), run the import's checks (`commit`: and keep what is new), and print the report.
private func importOrVerifyBundle(_ context: Context, _ args: ParsedArguments, peerName: String?, commit: Bool) throws -> Int32 {
    let archive = try context.openArchive()
    let (path, name, staged) = try bundleSource(args.positionals[0], near: context.archivePath)
    defer { withExtendedLifetime(staged) {} }
    let progress = Progress(commit ? "import" : "bundle verify", unit: .bytes, quiet: args[Command.json])
    archive.importProgress = { progress.update($0, of: $1) }
    let report = commit ? try archive.importBundle(at: path, name: name, peerName: peerName, from: name ?? path)
                        : try archive.verifyBundle(at: path, name: name)
    progress.finish()
    if args[Command.json] {
        Output.json(commit ? report.json : ["valid": true, "report": report.json])
    } else if !commit {
        Output.line("Bundle \(report.header.bundle) is valid: importing it would add \(report.eventsAdded) events and \(report.blobsAdded) blobs.")
    } else if report.eventsAdded == 0 && report.blobsAdded == 0 {
        Output.line("Bundle \(report.header.bundle) from \(report.header.source) adds nothing: this archive already holds its \(report.eventsKnown) events and \(report.blobsKnown) blobs.")
    } else {
        Output.line("Imported bundle \(report.header.bundle) from \(report.header.source): \(report.eventsAdded) new events (\(report.eventsKnown) already here), \(report.blobsAdded) new blobs.")
    }
    return 0
}

let bundleImportCommand = Command(
    name: "import",
    summary: "Import a bundle: add what this archive lacks, in one transaction.",
    discussion: """
    Checks the whole bundle (its trailing SHA-256, every blob against its hash, every event against
    its origin's hash chain) and adds what is new; anything wrong leaves the archive unchanged.
    Importing the same bundle again adds nothing and says so. FILE '-' reads stdin.
    """,
    options: [BundleImportOptions.`as`, Command.json],
    positionals: [PositionalSpec(name: "FILE", help: "The bundle, or '-' for stdin.", minimum: 1, maximum: 1)]
) { context, args in
    try importOrVerifyBundle(context, args, peerName: args[BundleImportOptions.`as`], commit: true)
}

let bundleVerifyCommand = Command(
    name: "verify",
    summary: "Check a bundle as import would, changing nothing.",
    options: [Command.json],
    positionals: [PositionalSpec(name: "FILE", help: "The bundle, or '-' for stdin.", minimum: 1, maximum: 1)]
) { context, args in
    try importOrVerifyBundle(context, args, peerName: nil, commit: false)
}

let bundleInspectCommand = Command(
    name: "inspect",
    summary: "Describe a bundle: source, base and tip state, counts and sizes.",
    discussion: "Needs no archive. Checks the file's integrity (trailing SHA-256) and walks its records.",
    options: [Command.json],
    positionals: [PositionalSpec(name: "FILE", help: "The bundle.", minimum: 1, maximum: 1)]
) { _, args in
    let inspection = try BundleInspection.inspect(args.positionals[0])
    if args[Command.json] {
        Output.json(inspection.json)
        return 0
    }
    let h = inspection.file.header
    func describe(_ state: ArchiveState) -> String {
        state.origins.isEmpty ? "nothing" : state.origins.sorted { $0.key < $1.key }.map { "\($0.key) @\($0.value.seq)" }.joined(separator: ", ")
    }
    /// What the records hold, and the header's claim beside it when the two differ.
    func claim<T: Equatable>(_ held: T, _ claimed: T, _ show: (T) -> String) -> String {
        held == claimed ? show(held) : "\(show(held)) in the records (the header claims \(show(claimed)))"
    }
    let blobRecords = inspection.rawBlobRecords + inspection.zlibBlobRecords + inspection.deltaBlobRecords + inspection.redactedBlobRecords
    let ranges = inspection.eventRanges.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.lowerBound)-\($0.value.upperBound)" }
    Output.line("""
        bundle   \(h.bundle)
        source   \(h.source), by \(h.agent) on \(h.host) at \(h.created) (\(h.tool)) (as the header claims)
        base     \(describe(h.base)) (claimed)
        tip      \(describe(h.tip)) (claimed)
        events   \(claim(inspection.eventRecords, h.events) { String($0) }) (\(inspection.eventKinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")))\(ranges.isEmpty ? "" : "; " + ranges.joined(separator: ", "))
        blobs    \(claim(blobRecords, h.blobs) { String($0) }), \(claim(inspection.blobRecordBytes, h.blobBytes, Format.bytes)) original (\(inspection.rawBlobRecords) raw, \(inspection.zlibBlobRecords) zlib, \(inspection.deltaBlobRecords) delta, \(inspection.redactedBlobRecords) without bytes, \(inspection.externalBases) against the receiver's blobs)
        size     \(Format.bytes(inspection.file.size)) (records \(Format.bytes(h.recordsBytes)) before compression)
        requires \(h.requires.isEmpty ? "nothing beyond format 1" : h.requires.joined(separator: ", "))
        integrity ok (trailing SHA-256 matches)
        """)
    return 0
}

let bundleCommand = Command(
    name: "bundle",
    summary: "Exchange change sets with other copies as bundle files.",
    subcommands: [bundleCreateCommand, bundleInspectCommand, bundleVerifyCommand, bundleImportCommand]
)

/// The options of `reid`.
private enum ReidOptions {
    static let other = Option<String>("other", value: "ARCHIVE", help: "The copy this one was copied from (or to): this copy's events since the two parted move to the new id.")
}

let reidCommand = Command(
    name: "reid",
    summary: "Give this copy a new archive id of its own, keeping its history.",
    discussion: """
    For an archive copied with cp: both files then have one id, cannot tell their events apart,
    and refuse to sync ("has this archive's id"). Run reid in ONE of them. With --other, the
    events this copy wrote after the two parted move to the new id (chained again), so each copy's
    events are its own and the two sync. Without --other, only events written from now on use the
    new id (enough when the other copy has not changed since the copy was made). Run it in the
    copy whose new events no third copy has received yet.
      quire -A mine.quire reid --other theirs.quire && quire -A mine.quire sync theirs.quire
    """,
    options: [ReidOptions.other, Command.json]
) { context, args in
    let archive = try context.openArchive()
    var keep: Int? = nil
    if let path = args[ReidOptions.other] {
        let other = try context.openArchive(at: path, readOnly: true)
        keep = try archive.lastSharedEvent(with: other)
    }
    let report = try archive.reid(keepThrough: keep)
    if args[Command.json] {
        Output.json(report.json)
    } else {
        Output.line("This copy's archive id is now \(report.newID) (was \(report.oldID)); \(report.moved) of its events moved to it, the \(report.keptThrough) before them stay under the old id.")
    }
    return 0
}

let peersRenameCommand = Command(
    name: "rename",
    summary: "Name a peer (or rename it), for --for and `quire peers`.",
    positionals: [PositionalSpec(name: "PEER", help: "The peer's name, archive id or a unique prefix of it.", minimum: 1, maximum: 1),
                  PositionalSpec(name: "NAME", help: "Its new name.", minimum: 1, maximum: 1)]
) { context, args in
    try context.openArchive().renamePeer(from: args.positionals[0], to: args.positionals[1])
    Output.line("Peer \(args.positionals[0]) is now called \(args.positionals[1])")
    return 0
}

let peersCommand = Command(
    name: "peers",
    summary: "List the copies this archive has exchanged bundles with.",
    discussion: "A peer reached through a remote takes the remote's name; `quire peers rename PEER NAME` names any.",
    options: [Command.json],
    subcommands: [peersRenameCommand]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let peers = try archive.peers()
    if args[Command.json] {
        Output.json(.array(peers.map(\.json)))
        return 0
    }
    if peers.isEmpty { Output.line("No peers yet: bundles imported or created --for/--since a peer appear here.") }
    for peer in peers {
        Output.line("\(peer.name ?? "(unnamed)")  \(peer.archive)  holds \(peer.known.origins.values.reduce(0) { $0 + $1.seq }) events")
        for e in peer.exchanges {
            Output.line("  \(e.at)  \(e.direction == "sent" ? "sent    " : "received")  \(e.events) events, \(e.blobs) blobs  bundle \(e.bundle)  by \(e.agent)")
        }
    }
    return 0
}

/// The options of `heads`.
private enum HeadsOptions {
    static let forked = Flag("forked", help: "Only documents with more than one head.")
}

let headsCommand = Command(
    name: "heads",
    summary: "List documents' heads; --forked lists documents that forked between copies.",
    discussion: """
    A document forks when two copies record different new versions before they sync. Every copy
    picks the same current head (the newest; ties by version hash). Ingesting a newer version, or
    `quire resolve KEY REF`, records a merge whose parents are all heads.
    """,
    options: [HeadsOptions.forked, Command.json]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let forked = try archive.forkedDocuments()
    if args[HeadsOptions.forked] {
        if args[Command.json] { Output.json(.array(forked.map(\.json))); return 0 }
        if forked.isEmpty { Output.line("No forked documents.") }
        for doc in forked {
            Output.line(doc.key)
            for v in doc.heads { Output.line("  @\(v.number)  \(v.hash)  \(v.createdAt)\(v.isCurrent ? "  (current)" : "")") }
        }
        return 0
    }
    let documents = try archive.documents()
    if args[Command.json] {
        Output.json(.array(documents.map { ["key": .string($0.key), "head": JSON($0.head), "heads": .int(Int64($0.heads))] }))
        return 0
    }
    Output.line(Format.table(["KEY", "CURRENT HEAD", "HEADS"], documents.map { [$0.key, $0.head ?? "-", String($0.heads)] }))
    return 0
}

/// The options of `resolve`.
private enum ResolveOptions {
    static let note = Option<String>("note", value: "TEXT", help: "Why this version was chosen.")
}

let resolveCommand = Command(
    name: "resolve",
    summary: "Resolve a forked document: record a merge of its heads with the chosen bytes.",
    options: [ResolveOptions.note, Command.json],
    positionals: [
        PositionalSpec(name: "KEY", help: "The forked document.", minimum: 1, maximum: 1),
        PositionalSpec(name: "REF", help: "The version (or blob) whose bytes the merge keeps: a hash prefix or KEY@N.", minimum: 1, maximum: 1),
    ]
) { context, args in
    let archive = try context.openArchive()
    let version = try archive.resolveFork(key: args.positionals[0], reference: args.positionals[1], note: args[ResolveOptions.note])
    if args[Command.json] { Output.json(version.json) } else {
        Output.line("Resolved \(version.key): merge version @\(version.number) \(version.hash) with parents \(version.parents.map(Format.short).joined(separator: ", "))")
    }
    return 0
}
