#if canImport(Glibc)
import Glibc
#endif
import Foundation
import QuireKit

/// Options the commands that reach a remote share.
private enum RemoteOptions {
    static let remoteQuire = Option<String>("remote-quire", value: "PATH", help: "The quire program on an ssh remote (default: the remote's setting, else `quire`).")
    static let global = Flag("global", help: "The user's settings file ($XDG_CONFIG_HOME/quire/config) instead of this archive's.")
    static let unset = Flag("unset", help: "Remove the setting.")
    static let list = Flag("list", help: "Every setting in force, with where it comes from.")
    static let stdio = Flag("stdio", help: "Speak the sync protocol on stdin and stdout (required).")
    static let readOnly = Flag("read-only", help: "Serve pulls only: open the archive read-only and refuse bundles.")
    static let content = Flag("content", help: "The content digest: blobs, heads and content events, without the custody records of imports and verifications.")
}

/// The remote a command names (or the default one), with `--remote-quire` and the lock timeout.
private func target(_ argument: String?, _ archive: Archive, _ args: ParsedArguments) throws -> RemoteTarget {
    var target = try RemoteTarget.resolve(argument, in: archive, remoteQuire: args[RemoteOptions.remoteQuire])
    target.lockTimeout = try Context.lockTimeout()
    return target
}

/// How a remote is called in messages: `origin (URL)` or the URL.
private func describe(_ target: RemoteTarget) -> String {
    target.name.map { "\($0) (\(target.url))" } ?? target.url
}

private let remoteArgument = PositionalSpec(name: "REMOTE", help: "A remote's name or a URL (default: the default-remote setting, else the first remote).", minimum: 0, maximum: 1)

let cloneCommand = Command(
    name: "clone",
    summary: "Make a new copy of an archive from a file, an ssh remote, a drop folder or a bundle.",
    discussion: """
    The copy gets an archive id of its own; the source becomes its remote `origin` (a bundle file
    is not a remote). PATH defaults to the source's last name with .quire, in this folder. The copy
    appears only when complete. SOURCE is an archive file, ssh://[user@]host[:port]/path or
    [user@]host:path, folder:PATH or a folder (a drop folder), or a bundle file.
      quire clone ana@lab:/srv/team.quire        (makes ./team.quire)
      quire clone folder:~/Dropbox/team mine.quire
    """,
    options: [RemoteOptions.remoteQuire, Command.json],
    positionals: [PositionalSpec(name: "SOURCE", help: "Where to copy from.", minimum: 1, maximum: 1),
                  PositionalSpec(name: "PATH", help: "The new archive file.", minimum: 0, maximum: 1)]
) { context, args in
    let progress = Progress("clone", unit: .bytes, quiet: args[Command.json])
    let report = try Archive.clone(from: args.positionals[0], to: args.positionals.count > 1 ? args.positionals[1] : nil,
                                   remoteQuire: args[RemoteOptions.remoteQuire], lockTimeout: Context.lockTimeout(),
                                   importProgress: { progress.update($0, of: $1) })
    progress.finish()
    if args[Command.json] {
        Output.json(report.json)
    } else {
        Output.line("Cloned \(args.positionals[0]) into \(report.path) (archive id \(report.archiveID)): \(report.events) events, \(report.blobs) blobs" + (report.origin == nil ? "" : "; remote origin is \(report.origin!)"))
    }
    return 0
}

let remoteListCommand = Command(
    name: "list",
    summary: "List the remotes.",
    options: [Command.json]
) { context, args in
    try listRemotes(context, json: args[Command.json])
}

private func listRemotes(_ context: Context, json: Bool) throws -> Int32 {
    let archive = try context.openArchive(readOnly: true)
    let remotes = try archive.remotes()
    let chosen = try? archive.defaultRemote()?.name
    if json {
        Output.json(.array(remotes.map { r in
            var fields = r.json.objectValue!
            fields["default"] = .bool(r.name == chosen)
            return .object(fields)
        }))
        return 0
    }
    if remotes.isEmpty { Output.line("No remotes yet: quire remote add NAME URL (or quire clone SOURCE).") }
    for r in remotes {
        Output.line("\(r.name)\t\(r.url)" + (r.remoteQuire.map { "\t(remote quire: \($0))" } ?? "") + (r.name == chosen ? "\t(default)" : ""))
    }
    return 0
}

let remoteAddCommand = Command(
    name: "add",
    summary: "Add a remote: a name for another copy's URL.",
    discussion: """
    URL: an archive file; ssh://[user@]host[:port]/path or [user@]host:path (through `quire serve
    --stdio` on the host); folder:PATH or a folder (a drop folder a sync engine carries).
    """,
    options: [RemoteOptions.remoteQuire, Command.json],
    positionals: [PositionalSpec(name: "NAME", help: "The remote's name.", minimum: 1, maximum: 1),
                  PositionalSpec(name: "URL", help: "Where the other copy is.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive()
    let remote = Remote(name: args.positionals[0], url: args.positionals[1], remoteQuire: args[RemoteOptions.remoteQuire])
    try archive.addRemote(remote)
    if args[Command.json] { Output.json(["added": remote.json]) } else { Output.line("Added remote \(remote.name): \(remote.url)") }
    return 0
}

let remoteRemoveCommand = Command(
    name: "remove",
    summary: "Remove a remote (what was exchanged with it stays in `quire peers`).",
    options: [Command.json],
    positionals: [PositionalSpec(name: "NAME", help: "The remote's name.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive()
    let name = args.positionals[0]
    let removed = try archive.remotes().first { $0.name == name }
    try archive.removeRemote(name)
    if args[Command.json] { Output.json(["removed": removed?.json ?? .null]) } else { Output.line("Removed remote \(name)") }
    return 0
}

let remoteRenameCommand = Command(
    name: "rename",
    summary: "Rename a remote (its peer takes the new name).",
    options: [Command.json],
    positionals: [PositionalSpec(name: "OLD", help: "The remote's name.", minimum: 1, maximum: 1),
                  PositionalSpec(name: "NEW", help: "Its new name.", minimum: 1, maximum: 1)]
) { context, args in
    let archive = try context.openArchive()
    let (old, new) = (args.positionals[0], args.positionals[1])
    try archive.renameRemote(old, to: new)
    if args[Command.json] {
        Output.json(["renamed": .string(old), "remote": try archive.remotes().first { $0.name == new }?.json ?? .null])
    } else {
        Output.line("Renamed remote \(old) to \(new)")
    }
    return 0
}

let remoteCommand = Command(
    name: "remote",
    summary: "Name the other copies this one exchanges with (add, remove, rename, list).",
    discussion: "Without a subcommand, lists the remotes.",
    options: [Command.json],
    subcommands: [remoteAddCommand, remoteRemoveCommand, remoteRenameCommand, remoteListCommand]
) { context, args in
    try listRemotes(context, json: args[Command.json])
}

/// Text for bytes on the wire, when there were any.
private func wire(_ report: ExchangeReport) -> String {
    report.bytesReceived + report.bytesSent == 0 ? "" : " (\(Format.bytes(report.bytesReceived)) in, \(Format.bytes(report.bytesSent)) out)"
}

/// A drop folder's part of a report, in words.
private func folderLines(_ report: ExchangeReport) -> [String] {
    guard report.isFolder else { return [] }
    var lines: [String] = []
    if let published = report.published { lines.append("  wrote \(published)") }
    if report.waiting > 0 { lines.append("  \(report.waiting) bundles wait for earlier ones that have not arrived yet") }
    for u in report.unusable { lines.append("  not used (yet): \(u.file): \(u.reason)") }
    return lines
}

/// Runs one exchange (pull, push or sync) with the remote the command names, drawing the
/// progress of the import it runs; prints the report as JSON with `--json`. Returns the report
/// and the remote for the command's own words (nil when JSON was printed).
private func exchange(_ name: String, _ context: Context, _ args: ParsedArguments,
                      _ run: (Archive, RemoteTarget) throws -> ExchangeReport) throws -> (report: ExchangeReport, target: RemoteTarget)? {
    let archive = try context.openArchive()
    let target = try target(args.positionals.first, archive, args)
    let progress = Progress(name, unit: .bytes, quiet: args[Command.json])
    archive.importProgress = { progress.update($0, of: $1) }
    // A bundle sent over ssh is imported at the far end: its line counts the bytes sent.
    let sending = Progress(name, unit: .bytes, quiet: args[Command.json])
    archive.sendProgress = { bytes, sent in sending.update(bytes, note: sent ? "sent; the remote is importing it" : "sent") }
    let report = try run(archive, target)
    sending.finish()
    progress.finish()
    if args[Command.json] { Output.json(report.json); return nil }
    return (report, target)
}

let pullCommand = Command(
    name: "pull",
    summary: "Get what a remote holds that this copy lacks.",
    discussion: "One bundle of exactly what is missing, imported with every check of `bundle import`.",
    options: [RemoteOptions.remoteQuire, Command.json],
    positionals: [remoteArgument]
) { context, args in
    guard let (report, target) = try exchange("pull", context, args, { try $0.pull(from: $1) }) else { return 0 }
    if report.received == 0 && report.receivedBlobs == 0 {
        Output.line("Nothing to pull from \(describe(target)): this copy holds everything it has\(report.waiting > 0 ? " that can be imported yet" : "").")
    } else {
        Output.line("Pulled from \(describe(target)): \(report.received) new events, \(report.receivedBlobs) new blobs\(wire(report)).")
    }
    folderLines(report).forEach { Output.line($0) }
    return 0
}

let pushCommand = Command(
    name: "push",
    summary: "Give a remote what it lacks of this copy.",
    discussion: "The remote imports one bundle with every check of `bundle import`. A drop folder gets one new bundle file.",
    options: [RemoteOptions.remoteQuire, Command.json],
    positionals: [remoteArgument]
) { context, args in
    guard let (report, target) = try exchange("push", context, args, { try $0.push(to: $1) }) else { return 0 }
    if report.sent == 0 && report.sentBlobs == 0 {
        Output.line("Nothing to push to \(describe(target)): it holds everything this copy has.")
    } else {
        Output.line("Pushed to \(describe(target)): \(report.sent) events, \(report.sentBlobs) blobs\(wire(report)).")
    }
    folderLines(report).forEach { Output.line($0) }
    return 0
}

let syncCommand = Command(
    name: "sync",
    summary: "Exchange with a remote both ways until neither lacks anything.",
    discussion: """
    REMOTE is a remote's name or a URL: an archive file (as before: `quire sync team.quire`), an
    ssh remote, or a drop folder. Afterwards both copies print the same digest (a drop folder:
    this copy has imported what it could and added one bundle of what the folder lacked).
    """,
    options: [RemoteOptions.remoteQuire, Command.json],
    positionals: [remoteArgument]
) { context, args in
    guard let (report, target) = try exchange("sync", context, args, { try $0.sync(with: $1) }) else { return 0 }
    if let digest = report.digest {
        Output.line("Synced with \(describe(target)): sent \(report.sent) events, received \(report.received)\(wire(report)); both digests \(digest)")
    } else {
        Output.line("Synced with \(describe(target)): imported \(report.received) events from \(report.bundlesImported) bundles, wrote \(report.sent) events.")
    }
    folderLines(report).forEach { Output.line($0) }
    return 0
}

let statusCommand = Command(
    name: "status",
    summary: "Say whether this copy and a remote hold the same content, or what would move.",
    discussion: """
    Exit status 0 when up to date (nothing of content to pull or push; custody records of imports
    and verifications may remain, and are listed), 2 when something would move, 1 on an error.
    """,
    options: [RemoteOptions.remoteQuire, Command.json],
    positionals: [remoteArgument]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let target = try target(args.positionals.first, archive, args)
    let status = try archive.status(of: target)
    if args[Command.json] {
        Output.json(status.json)
    } else {
        func custody(_ p: Pending, _ way: String) -> String { p.custodyEvents == 0 ? "" : "; \(p.custodyEvents) custody records to \(way)" }
        if status.upToDate {
            Output.line("Up to date with \(describe(target))\(custody(status.toPull, "pull"))\(custody(status.toPush, "push")).")
        } else {
            if !status.toPull.isEmpty { Output.line("\(status.toPull.events) events and \(status.toPull.blobs) blobs (\(Format.bytes(status.toPull.blobBytes))) to pull from \(describe(target))\(custody(status.toPull, "pull"))") }
            if !status.toPush.isEmpty { Output.line("\(status.toPush.events) events and \(status.toPush.blobs) blobs (\(Format.bytes(status.toPush.blobBytes))) to push to \(describe(target))\(custody(status.toPush, "push"))") }
        }
        if status.waiting > 0 { Output.line("\(status.waiting) bundles in the folder wait for earlier ones that have not arrived yet") }
    }
    return status.upToDate ? 0 : 2
}

let serveCommand = Command(
    name: "serve",
    summary: "Serve this archive to a remote quire over stdin and stdout (what ssh runs).",
    discussion: """
    `quire pull host:/srv/team.quire` runs `ssh host quire serve --stdio /srv/team.quire` and speaks
    the sync protocol (docs/sync-protocol.md) with it. For a key that may only pull, force the
    command in the server's ~/.ssh/authorized_keys (the path the client asks for is then ignored):
      command="quire serve --stdio --read-only /srv/team.quire",restrict ssh-ed25519 AAAA... reader@lab
    """,
    options: [RemoteOptions.stdio, RemoteOptions.readOnly],
    positionals: [PositionalSpec(name: "PATH", help: "The archive to serve.", minimum: 1, maximum: 1)]
) { context, args in
    guard args[RemoteOptions.stdio] else { throw UsageError("quire serve needs --stdio (the only way it serves)") }
    try SyncServer.serve(archiveAt: args.positionals[0], readOnly: args[RemoteOptions.readOnly],
                         lockTimeout: Context.lockTimeout(), largestIncomingBlob: Context.largestIncomingBlob())
    return 0
}

let configCommand = Command(
    name: "config",
    summary: "Show or set a setting (agent, source, default-remote, signing-key).",
    discussion: """
    Without --global, settings are this archive's (kept in it, never sent to other copies); with
    --global, the user's ($XDG_CONFIG_HOME/quire/config, else ~/.config/quire/config). The
    archive's value wins over the user's; QUIRE_AGENT wins over both for the agent.
      agent           \(SettingKey.agent.meaning)
      source          \(SettingKey.source.meaning)
      default-remote  \(SettingKey.defaultRemote.meaning)
      signing-key     \(SettingKey.signingKey.meaning)
    """,
    options: [RemoteOptions.global, RemoteOptions.unset, RemoteOptions.list, Command.json],
    positionals: [PositionalSpec(name: "KEY", help: "The setting.", minimum: 0, maximum: 1),
                  PositionalSpec(name: "VALUE", help: "Its new value.", minimum: 0, maximum: 1)]
) { context, args in
    let global = args[RemoteOptions.global]
    if args[RemoteOptions.list] || args.positionals.isEmpty {
        let user = try UserSettings.load()
        let archive = global ? nil : (try? context.openArchive(readOnly: true))
        var rows: [(SettingKey, String, SettingScope)] = []
        for key in SettingKey.allCases {
            if let archive, let value = try archive.archiveSetting(key) { rows.append((key, value, .archive)) } else if let value = user[key] { rows.append((key, value, .user)) }
        }
        if args[Command.json] {
            Output.json(.object(Dictionary(uniqueKeysWithValues: rows.map { ($0.0.rawValue, ["value": .string($0.1), "scope": .string($0.2.rawValue)] as JSON) })))
        } else {
            if rows.isEmpty { Output.line("No settings (quire config KEY VALUE; keys: \(SettingKey.allCases.map(\.rawValue).joined(separator: ", ")))") }
            for row in rows { Output.line("\(row.0.rawValue) = \(row.1)\t(\(row.2 == .archive ? "this archive" : "user, \(UserSettings.path)"))") }
        }
        return 0
    }
    let key = try SettingKey(named: args.positionals[0])
    let value = args.positionals.count > 1 ? args.positionals[1] : nil
    if args[RemoteOptions.unset] {
        if value != nil { throw UsageError("--unset takes a KEY, not a value") }
        if global { try UserSettings.set(key, nil) } else { try context.openArchive(signing: false).setArchiveSetting(key, nil) }
        return 0
    }
    if let value {
        if global { try UserSettings.set(key, value) } else {
            let archive = try context.openArchive(signing: false)
            if key == .defaultRemote, try archive.remote(named: value) == nil {
                throw QuireError(.notFound, "no remote named '\(value)' (quire remote add \(value) URL first)")
            }
            try archive.setArchiveSetting(key, value)
        }
        return 0
    }
    let found: (String, SettingScope)?
    if global {
        found = try UserSettings.load()[key].map { ($0, .user) }
    } else {
        found = try context.openArchive(readOnly: true).setting(key).map { ($0.value, $0.scope) }
    }
    guard let found else { return 1 }
    if args[Command.json] { Output.json(["key": .string(key.rawValue), "value": .string(found.0), "scope": .string(found.1.rawValue)]) } else { Output.line(found.0) }
    return 0
}

let digestCommand = Command(
    name: "digest",
    summary: "Print one hash over the archive's events, blobs and current heads.",
    discussion: """
    Copies that hold the same content print the same digest, whatever order they received it in.
    Compare `digest` after a sync (both ways: each copy's import records have travelled), and
    `digest --content` after a one-way pull or clone (import and verify records left out).
    """,
    options: [RemoteOptions.content, Command.json]
) { context, args in
    let archive = try context.openArchive(readOnly: true)
    let content = args[RemoteOptions.content]
    let digest = content ? try archive.contentDigest() : try archive.digest()
    if args[Command.json] {
        Output.json(["digest": .string(digest), "archive_id": .string(archive.id), "kind": .string(content ? "content" : "full")])
    } else {
        Output.line(digest)
    }
    return 0
}
