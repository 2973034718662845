import Foundation
import Testing
import TestSupport

/// Takedowns as people make them: `redact` by key, URL, path or hash, `--dry-run`, confirmation
/// on a terminal; and exports that succeed when the only content left out is redacted.
@Suite("CLI redaction by reference and exports after a takedown")
struct CLIRedactExportTests {
    static let key = "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"

    func sampleArchive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("redact")
        let path = dir.file("r.quire")
        #expect(try quire(["-A", path, "ingest", "-q", "--batch", "both", samples + "/day-1", samples + "/day-2"]).status == 0)
        return (dir, path)
    }

    /// The blob hashes of the document's versions, oldest first.
    func blobs(_ path: String) throws -> [String] {
        let log = try #require(try parseJSON(try quire(["-A", path, "log", Self.key, "--json"])) as? [String: Any])
        return (log["versions"] as? [[String: Any]])?.compactMap { $0["blob"] as? String } ?? []
    }

    @Test("redact --dry-run by key, URL (any spelling), path and full path lists the same bytes and changes nothing")
    func dryRun() throws {
        let (dir, path) = try sampleArchive()
        defer { withExtendedLifetime(dir) {} }
        let expected = try blobs(path)
        #expect(expected.count == 2)
        let digest = try quire(["-A", path, "digest"]).stdoutText
        for reference in [Self.key, "HTTPS://Harbour-Gazette.example/news/2026/03/26/ferry-strike-talks?utm_source=feed#top",
                          "harbour-gazette/ferry-strike-talks.txt"] {
            let r = try quire(["-A", path, "redact", reference, "--dry-run", "--json"])
            #expect(r.status == 0, "\(reference): \(r.stderr)")
            let json = try #require(try parseJSON(r) as? [String: Any])
            let targets = try #require(json["targets"] as? [String: Any])
            #expect((targets["blobs"] as? [[String: Any]])?.compactMap { $0["hash"] as? String } == expected, "\(reference)")
        }
        // The full path read from names only that file's bytes.
        let full = try quire(["-A", path, "redact", samples + "/day-1/harbour-gazette/ferry-strike-talks.txt", "-n"])
        #expect(full.status == 0 && full.stdoutText.contains(expected[0]) && !full.stdoutText.contains(expected[1]))
        #expect(full.stdoutText.contains("nothing was changed"))
        // KEY@2: the second version's bytes only.
        let second = try quire(["-A", path, "redact", Self.key + "@2", "-n"])
        #expect(second.stdoutText.contains(expected[1]) && !second.stdoutText.contains(expected[0]))
        #expect(try quire(["-A", path, "digest"]).stdoutText == digest)
        // Something that names nothing: exit 1, nothing changed.
        let none = try quire(["-A", path, "redact", "https://nowhere.example/x", "--reason", "r"])
        #expect(none.status == 1 && none.stderr.contains("nowhere.example"))
        #expect(try quire(["-A", path, "digest"]).stdoutText == digest)
    }

    @Test("a short prefix on a terminal asks first; 'no' keeps the bytes, --yes and a pipe do not ask")
    func confirmation() throws {
        try requireTool("script (util-linux)", check: ["script", "--version"])
        let (dir, path) = try sampleArchive()
        defer { withExtendedLifetime(dir) {} }
        let first = try blobs(path)[0]
        let prefix = String(first.prefix(6))
        let answerNo = try runProcess("script", ["-qec", "'\(quireBinary)' -A '\(path)' redact \(prefix) --reason test", "/dev/null"], stdin: Array("no\n".utf8))
        #expect(answerNo.stdoutText.contains("cannot be undone") && answerNo.stdoutText.contains("nothing was redacted"))
        #expect(try quire(["-A", path, "cat", first]).status == 0)   // still served
        let answerYes = try runProcess("script", ["-qec", "'\(quireBinary)' -A '\(path)' redact \(prefix) --reason test", "/dev/null"], stdin: Array("yes\n".utf8))
        #expect(answerYes.stdoutText.contains("redacted \(first)"))
        #expect(try quire(["-A", path, "cat", first]).status != 0)
        // A whole document by key, in a pipe: no question, every version's bytes.
        let all = try quire(["-A", path, "redact", Self.key, "--reason", "takedown 2026-41"])
        #expect(all.status == 0 && all.stdoutText.contains("redacted "))
        #expect(try quire(["-A", path, "verify"]).status == 0)
    }

    @Test("exports exit 0 when only redacted content was left out (listed), and 1 with --strict or another skip")
    func exportsAfterRedaction() throws {
        let (dir, path) = try sampleArchive()
        defer { withExtendedLifetime(dir) {} }
        #expect(try quire(["-A", path, "redact", Self.key, "--reason", "takedown"]).status == 0)
        for (name, arguments) in [("files", ["export", "files", dir.file("files")]), ("bagit", ["export", "bagit", dir.file("bag")]),
                                  ("warc", ["export", "warc", dir.file("out.warc.gz")])] {
            let r = try quire(["-A", path] + arguments)
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(r.stderr.contains("redacted: ") && r.stderr.contains("ferry-strike-talks"), "\(name): \(r.stderr)")
            #expect(!r.stderr.contains("skipped: "), "\(name)")
            let strict = try quire(["-A", path] + arguments.dropLast() + [arguments.last! + "-strict", "--strict"])
            #expect(strict.status == 1, "\(name) --strict")
        }
        let json = try #require(try parseJSON(try quire(["-A", path, "export", "files", dir.file("j"), "--batch", "both", "--json"])) as? [String: Any])
        #expect((json["redacted"] as? [String])?.count == 2)
        #expect((json["skipped"] as? [[String: Any]])?.count == 2)
    }
}
