import QuireKit

/// The options of `repack`.
private enum RepackOptions {
    static let quiet = Flag("quiet", short: "q", help: "No progress line.")
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
    """,
    options: [RepackOptions.quiet, Command.json]
) { context, args in
    let archive = try context.openArchive()
    let progress = Progress("repack", unit: .items("blob", "blobs"), quiet: args[RepackOptions.quiet] || args[Command.json])
    let report = try archive.repack { done, total in progress.update(done, of: total) }
    progress.finish()
    if args[Command.json] {
        Output.json(report.json)
    } else {
        let resumed = report.resumedFrom > 0 ? " (went on from where an interrupted repack stopped)" : ""
        Output.line("repacked \(report.blobs) blobs\(resumed): \(report.restored) stored again; blobs \(Format.bytes(report.storedBefore)) -> \(Format.bytes(report.storedAfter)), file \(Format.bytes(report.fileBefore)) -> \(Format.bytes(report.fileAfter))")
    }
    return 0
}
