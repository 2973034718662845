import QuireKit

/// The options of `repack`.
private enum RepackOptions {
    static let quiet = Flag("quiet", short: "q", help: "No progress line.")
    static let compact = Flag("compact", help: "Rewrite the whole file afterwards (VACUUM), with 8 KiB pages if it has others.")
}

let repackCommand = Command(
    name: "repack",
    summary: "Store every blob again against its best base, smaller where it can be (git gc's counterpart).",
    discussion: """
    For every held blob, tries its versions' parents, its near-duplicates and its current base,
    and keeps the smallest form (a delta, zlib, or raw); the bytes, the events and the digest do
    not change. Works in transactions of 256 blobs: after a kill, run it again and it goes on
    where it stopped. Ends by giving the space gained back to the file system. `verify` is clean
    afterwards.

    --compact then rewrites the whole file without free pages. An archive made before pages
    were 8 KiB (16 KiB) gets 8 KiB pages, which makes ingest into a large archive faster; this
    needs no other process to have the archive open, and free disk space the size of the file.
    """,
    options: [RepackOptions.quiet, RepackOptions.compact, Command.json]
) { context, args in
    let archive = try context.openArchive()
    let progress = Progress("repack", unit: .items("blob", "blobs"), quiet: args[RepackOptions.quiet] || args[Command.json])
    let report = try archive.repack(compact: args[RepackOptions.compact], progress: { done, total in
        progress.update(done, of: total)
    }, compacting: { progress.note("rewriting the file (VACUUM)") })
    progress.finish()
    if args[Command.json] {
        Output.json(report.json)
    } else {
        let resumed = report.resumedFrom > 0 ? " (went on from where an interrupted repack stopped)" : ""
        Output.line("repacked \(report.blobs) blobs\(resumed): \(report.restored) stored again; blobs \(Format.bytes(report.storedBefore)) -> \(Format.bytes(report.storedAfter)), file \(Format.bytes(report.fileBefore)) -> \(Format.bytes(report.fileAfter))\(args[RepackOptions.compact] ? ", \(report.pageSize / 1024) KiB pages" : "")")
    }
    return 0
}
