import QuireKit

let initCommand = Command(
    name: "init",
    summary: "Create an empty archive.",
    discussion: """
    Creates the archive file with a new random archive id. PATH defaults to the archive named by
    --archive, QUIRE_ARCHIVE or ./\(Archive.defaultFileName). Fails if a file is already there.
    (`quire ingest` also creates the archive when it does not exist.)
    """,
    options: [Command.json],
    positionals: [PositionalSpec(name: "PATH", help: "Where to create the archive.", minimum: 0, maximum: 1)]
) { context, args in
    let path = args.positionals.first ?? context.archivePath
    let archive = try Archive.create(at: path)
    if args[Command.json] {
        Output.json(["archive": .string(path), "archive_id": .string(archive.id), "schema_version": .int(Int64(Archive.schemaVersion))])
    } else {
        Output.line("Created archive \(path) (archive id \(archive.id))")
    }
    return 0
}
