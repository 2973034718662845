import Foundation
import Testing
import TestSupport
@testable import quire

/// The progress line of the long commands: a total, a percentage and the time left, on a
/// terminal only (`QUIRE_PROGRESS=always` draws it into a pipe for these tests).
@Suite("CLI progress")
struct CLIProgressTests {
    /// The states a progress line was drawn in: stderr split at each carriage return, the
    /// erase-line sequences dropped.
    static func drawn(_ stderr: String) -> [String] {
        stderr.replacingOccurrences(of: "\u{1B}[K", with: "").split(separator: "\r").map(String.init)
            .filter { !$0.isEmpty && !$0.hasPrefix("Created archive") }
    }

    /// Whether one drawn line shows `label`, `total`, a percentage and the time left.
    static func shows(_ lines: [String], _ label: String, total: String) -> Bool {
        lines.contains { line in
            line.hasPrefix(label + ": ") && line.contains(" of \(total) ")
                && line.range(of: #" \d{1,3}% "#, options: .regularExpression) != nil && line.contains(" left")
        }
    }

    static let always = ["QUIRE_PROGRESS": "always"]

    /// An archive of the two sample batches, and the bytes and count of its input files.
    static func sampleArchive(_ dir: TemporaryDirectory, environment: [String: String] = always) throws -> (archive: String, ingest: ProcessResult, bytes: Int) {
        let archive = dir.file("a.quire")
        var bytes = 0
        for day in ["day-1", "day-2"] {
            for name in try FileManager.default.subpathsOfDirectory(atPath: samples + "/" + day) {
                let attributes = try FileManager.default.attributesOfItem(atPath: samples + "/" + day + "/" + name)
                if attributes[.type] as? FileAttributeType == .typeRegular { bytes += (attributes[.size] as? Int) ?? 0 }
            }
        }
        let ingest = try quire(["-A", archive, "ingest", samples + "/day-1", samples + "/day-2"], environment: environment)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return (archive, ingest, bytes)
    }

    @Test("ingest counts its input bytes first: the first line already has the total, a percentage and the time left")
    func ingest() throws {
        let dir = TemporaryDirectory("progress")
        let (_, r, bytes) = try Self.sampleArchive(dir)
        let lines = Self.drawn(r.stderr)
        #expect(Self.shows(lines, "ingest", total: Format.bytes(bytes)), "\(lines)")
        #expect(lines.first?.hasPrefix("ingest: 0 B of \(Format.bytes(bytes)) 0%") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("ingest: \(Format.bytes(bytes)) of \(Format.bytes(bytes)) 100%") && $0.contains("8 files") }, "\(lines)")
        #expect(r.stdoutText.contains("Batch "), "the summary still goes to stdout")
    }

    @Test("bundle import, verify (full and --quick), export files and warc, repack and the index build draw total, percentage and time left")
    func longCommands() throws {
        let dir = TemporaryDirectory("progress")
        let (archive, _, _) = try Self.sampleArchive(dir)
        let documents = try quire(["-A", archive, "ls", "--json"])
        let count = (try parseJSON(documents) as? [Any])?.count ?? -1
        #expect(count == 6)
        let sightings = 8
        // (The pull below adds one document, seen once, to `archive`.)

        let bundle = dir.file("all.bundle")
        #expect(try quire(["-A", archive, "bundle", "create", bundle, "--all"]).status == 0)
        #expect(try quire(["-A", dir.file("b.quire"), "init"]).status == 0)
        let imported = try quire(["-A", dir.file("b.quire"), "bundle", "import", bundle], environment: Self.always)
        #expect(imported.status == 0, "\(imported.stderr)")
        let importLines = Self.drawn(imported.stderr)
        #expect(importLines.contains { $0.hasPrefix("import: 0 B of ") && $0.contains(" 0% ") && $0.contains(" left") }, "\(importLines)")
        #expect(importLines.contains { $0.hasPrefix("import: ") && $0.contains(" 100%") }, "\(importLines)")

        // clone and pull draw the import they run.
        let copy = dir.file("copy.quire")
        let cloned = try quire(["clone", archive, copy], environment: Self.always)
        #expect(cloned.status == 0, "\(cloned.stderr)")
        #expect(Self.drawn(cloned.stderr).contains { $0.hasPrefix("clone: 0 B of ") && $0.contains(" 0% ") && $0.contains(" left") }, "\(cloned.stderr)")
        _ = try dir.write("more/late-story.txt", "A late story about the harbour.\n")
        #expect(try quire(["-A", archive, "ingest", dir.file("more")]).status == 0)
        let pulled = try quire(["-A", copy, "pull"], environment: Self.always)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(Self.drawn(pulled.stderr).contains { $0.hasPrefix("pull: 0 B of ") && $0.contains(" 0% ") && $0.contains(" left") }, "\(pulled.stderr)")
        #expect(try quire(["-A", copy, "verify", "--no-record"]).status == 0)

        let full = try quire(["-A", archive, "verify", "--no-record"], environment: Self.always)
        #expect(full.status == 0)
        let blobBytes = try runProcess("sqlite3", [archive, "SELECT sum(size) FROM blobs"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Self.shows(Self.drawn(full.stderr), "verify", total: Format.bytes(Int(blobBytes) ?? -1)), "\(full.stderr)")
        let quick = try quire(["-A", archive, "verify", "--quick", "--no-record"], environment: Self.always)
        #expect(quick.status == 0)
        #expect(Self.shows(Self.drawn(quick.stderr), "quick verify", total: "8"), "\(quick.stderr)")
        #expect(Self.drawn(quick.stderr).contains { $0.hasPrefix("quick verify: 8 of 8 checks 100%") }, "\(quick.stderr)")

        let files = try quire(["-A", archive, "export", "files", dir.file("out")], environment: Self.always)
        #expect(files.status == 0)
        #expect(Self.shows(Self.drawn(files.stderr), "export files", total: "\(count + 1)"), "\(files.stderr)")
        let warc = try quire(["-A", archive, "export", "warc", dir.file("out.warc.gz")], environment: Self.always)
        #expect(warc.status == 0)
        #expect(Self.shows(Self.drawn(warc.stderr), "export warc", total: "\(sightings + 1)"), "\(warc.stderr)")

        let repack = try quire(["-A", archive, "repack"], environment: Self.always)
        #expect(repack.status == 0)
        let held = try runProcess("sqlite3", [archive, "SELECT count(*) FROM blobs"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Self.shows(Self.drawn(repack.stderr), "repack", total: held), "\(repack.stderr)")
        let compacted = try quire(["-A", archive, "repack", "--compact"], environment: Self.always)
        #expect(compacted.status == 0 && compacted.stderr.contains("rewriting the file (VACUUM)"), "\(compacted.stderr)")

        // An archive whose index was never built (as from an older quire) builds it at its first search.
        try requireTool("sqlite3", check: ["sqlite3", "--version"])
        let reset = try runProcess("sqlite3", [archive, "DELETE FROM article_index; DELETE FROM archive WHERE key = 'search_index'"])
        #expect(reset.status == 0, "\(reset.stderr)")
        let articles = try runProcess("sqlite3", [archive, "SELECT count(*) FROM articles WHERE kind <> 'none'"]).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let search = try quire(["-A", archive, "search", "ferry"], environment: Self.always)
        #expect(search.status == 0, "\(search.stderr)")
        #expect(Self.shows(Self.drawn(search.stderr), "search index (once)", total: articles), "\(search.stderr)")
        #expect(search.stdoutText.contains("ferry"), "the search still answers")
    }

    @Test("an error in the middle of a progress line erases it first and stands on a line of its own")
    func errorErasesTheLine() throws {
        let dir = TemporaryDirectory("progress")
        let (archive, _, _) = try Self.sampleArchive(dir)
        #expect(try quire(["-A", archive, "bundle", "create", dir.file("all.bundle"), "--all"]).status == 0)
        #expect(try quire(["-A", dir.file("b.quire"), "init"]).status == 0)
        // A blob larger than this copy accepts stops the import inside its records, the line drawn.
        let r = try quire(["-A", dir.file("b.quire"), "bundle", "import", dir.file("all.bundle")],
                          environment: ["QUIRE_PROGRESS": "always", "QUIRE_MAX_BLOB_SIZE": "16"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("import: 0 B of "), "the line was drawn: \(r.stderr)")
        #expect(r.stderr.contains("\r\u{1B}[KError: "), "erased before the message: \(r.stderr.debugDescription)")
        #expect(r.stderr.hasSuffix("\n") && !r.stderr.split(separator: "\r").last!.contains("import:"), "\(r.stderr.debugDescription)")
    }

    @Test("nothing is drawn when stderr is not a terminal, nor with --json or --quiet, nor with QUIRE_PROGRESS=never")
    func silentOffTerminal() throws {
        let dir = TemporaryDirectory("progress")
        let (archive, ingest, _) = try Self.sampleArchive(dir, environment: ["QUIRE_PROGRESS": ""])
        func silent(_ r: ProcessResult, _ what: String) {
            #expect(!r.stderr.contains("\r") && !r.stderr.contains(" left") && !r.stderr.contains("%"), "\(what): \(r.stderr)")
        }
        silent(ingest, "ingest in a pipe")
        silent(try quire(["-A", archive, "verify", "--no-record"]), "verify in a pipe")
        silent(try quire(["-A", archive, "repack"]), "repack in a pipe")
        silent(try quire(["-A", archive, "export", "files", dir.file("out")]), "export in a pipe")
        silent(try quire(["-A", archive, "verify", "--no-record", "--json"], environment: Self.always), "verify --json")
        silent(try quire(["-A", archive, "verify", "--no-record", "--quiet"], environment: Self.always), "verify --quiet")
        silent(try quire(["-A", archive, "repack", "--json"], environment: Self.always), "repack --json")
        silent(try quire(["-A", dir.file("c.quire"), "ingest", "--json", samples + "/day-1"], environment: Self.always), "ingest --json")
        silent(try quire(["-A", dir.file("d.quire"), "ingest", "-q", samples + "/day-1"], environment: Self.always), "ingest -q")
        silent(try quire(["-A", archive, "export", "warc", dir.file("o.warc.gz")], environment: ["QUIRE_PROGRESS": "never"]), "QUIRE_PROGRESS=never")
    }

    @Test("on a real terminal (a pseudo-terminal from script(1)) the line is drawn without QUIRE_PROGRESS")
    func drawnOnTerminal() throws {
        try requireTool("script", check: ["sh", "-c", "command -v script"])
        let dir = TemporaryDirectory("progress")
        let command = "'\(quireBinary)' -A '\(dir.file("t.quire"))' ingest '\(samples)/day-1'"
        let r = try runProcess("script", ["-qec", command, "/dev/null"], environment: ["QUIRE_PROGRESS": "", "QUIRE_ARCHIVE": ""])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = Self.drawn(r.stdoutText)
        #expect(lines.contains { $0.hasPrefix("ingest: 0 B of ") && $0.contains(" 0% ") && $0.contains(" left") }, "\(lines)")
    }

    // MARK: Formatting

    @Test("the line: counts with their total, percentage, time left after the warm-up, 0 total, total unknown, finished")
    func formatting() {
        #expect(Progress.text(label: "ingest", done: 12_345, total: 44_500, unit: .files, elapsed: 10)
                == "ingest: 12,345 of 44,500 files 27% · 0:27 left")
        #expect(Progress.text(label: "ingest", done: 12_345, total: 44_500, unit: .files, elapsed: 0.5)
                == "ingest: 12,345 of 44,500 files 27% · estimating time left", "no time left during the warm-up")
        #expect(Progress.text(label: "x", done: 0, total: 100, unit: .files, elapsed: 5) == "x: 0 of 100 files 0% · estimating time left",
                "nothing done yet: no rate to estimate from")
        #expect(Progress.text(label: "repack", done: 0, total: 0, unit: .items("blob", "blobs"), elapsed: 3) == "repack: 0 of 0 blobs 100%",
                "a total of 0 is done, not a division by zero")
        #expect(Progress.text(label: "pull", done: 1_234_567, total: nil, unit: .files, elapsed: 3) == "pull: 1,234,567 files", "total unknown")
        #expect(Progress.text(label: "verify", done: 1 << 20, total: 1 << 20, unit: .bytes, elapsed: 9) == "verify: 1.0 MiB of 1.0 MiB 100%",
                "finished: no time left")
        #expect(Progress.text(label: "v", done: 5, total: 3, unit: .files, elapsed: 9) == "v: 5 of 3 files 100%", "past the total stays at 100%")
        #expect(Progress.text(label: "v", done: 999, total: 1000, unit: .items("check", "checks"), elapsed: 100).hasPrefix("v: 999 of 1,000 checks 99% "),
                "never 100% before the end")
        #expect(Progress.text(label: "v", done: 1, total: 1, unit: .items("check", "checks"), elapsed: 1) == "v: 1 of 1 check 100%")
        #expect(Progress.duration(0.2) == "0:01" && Progress.duration(41) == "0:41" && Progress.duration(725) == "12:05"
                && Progress.duration(3723) == "1:02:03")
        #expect(Progress.secondsLeft(done: 25, total: 100, elapsed: 10) == 30)
        #expect(Progress.secondsLeft(done: 100, total: 100, elapsed: 10) == nil)
        #expect(Progress.grouped(0) == "0" && Progress.grouped(999) == "999" && Progress.grouped(1000) == "1,000" && Progress.grouped(44_500) == "44,500")
    }
}
