import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

/// Captures that are not whole successful responses (an HTTP status that is not 2xx, a
/// `WARC-Truncated` record, a block the file ends inside) are archived and recorded precisely as
/// partial, and never replace a whole version as their document's current head.
@Suite("WARC partial captures")
struct WARCPartialTests {
    typealias Files = WARCTestFiles
    func page(_ text: String) -> [UInt8] { Array("<html><head><title>\(text)</title></head><body>\(text)</body></html>".utf8) }

    @Test("a 200, then a 404, a truncated record and a redirect of the same URL: all archived and marked, the 200 stays current until a whole capture follows")
    func statusAndTruncation() throws {
        let scratch = try Scratch("warc-partial")
        let url = "http://example.com/story"
        let (report, s) = try Files.ingest([("crawl.warc",
            Files.response(url, id: 1, date: "2020-01-01T00:00:00Z", body: page("the story"))
            + Files.response(url, id: 2, date: "2020-02-01T00:00:00Z", status: "HTTP/1.1 404 Not Found", body: page("not found"))
            + Files.response(url, id: 3, date: "2020-03-01T00:00:00Z", body: page("the story, cut"), extra: [("WARC-Truncated", "length")])
            + Files.response(url, id: 4, date: "2020-04-01T00:00:00Z", status: "HTTP/1.1 302 Found", headers: [("Location", "/elsewhere")], body: []))],
            into: scratch)
        #expect(report.counts["failed"] == 0 && s.count == 4)
        let log = try scratch.archive.log(key: url)
        #expect(log.count == 4)
        let current = try #require(log.first { $0.isCurrent })
        #expect(current.blob == SHA256.hash(page("the story")).hex && current.partial == nil)
        #expect(Set(log.compactMap(\.partial)) == ["HTTP 404", "truncated: length", "HTTP 302"], "\(log.map(\.partial))")
        #expect(try scratch.archive.db.rows("SELECT partial FROM sightings ORDER BY id") { $0.optionalText(0) ?? "-" }
                == ["-", "HTTP 404", "truncated: length", "HTTP 302"])
        #expect(try scratch.archive.sightings(batch: report.batch).map { $0.partial ?? "-" } == ["-", "HTTP 404", "truncated: length", "HTTP 302"])

        // A whole capture later takes over as current.
        let (_, later) = try Files.ingest([("later.warc", Files.response(url, id: 5, date: "2020-05-01T00:00:00Z", body: page("the story, updated")))], into: scratch)
        #expect(later.first?.meaning == "version")
        let after = try #require(try scratch.archive.log(key: url).first { $0.isCurrent })
        #expect(after.blob == SHA256.hash(page("the story, updated")).hex)

        // Another copy that receives the events picks the same heads; a rebuild does too.
        let copies = try Copies(1)
        _ = try copies[0].importBundle(at: try {
            let path = copies.dir.file("all.bundle")
            _ = try scratch.archive.writeBundle(base: ArchiveState(), to: path)
            return path
        }())
        #expect(try copies[0].log(key: url).map { "\($0.hash) \($0.isCurrent) \($0.partial ?? "-")" }
                == (try scratch.archive.log(key: url)).map { "\($0.hash) \($0.isCurrent) \($0.partial ?? "-")" })
        let heads = try scratch.archive.documents().map { $0.json.canonical }
        try scratch.archive.rebuildDerivedState()
        #expect(try scratch.archive.documents().map { $0.json.canonical } == heads)
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("a URL only ever captured as a 404: archived, its only version partial and current (there is no whole one to keep)")
    func onlyPartial() throws {
        let scratch = try Scratch("warc-partial")
        let (report, _) = try Files.ingest([("gone.warc", Files.response("http://example.com/gone", id: 1, status: "HTTP/1.1 404 Not Found", body: page("gone")))], into: scratch)
        #expect(report.counts["new"] == 1)
        let log = try scratch.archive.log(key: "http://example.com/gone")
        #expect(log.count == 1 && log[0].isCurrent && log[0].partial == "HTTP 404")
    }

    @Test("the real one-quirk file of a truncated record (warc-real/repro/r9-truncated.warc): a partial version")
    func realTruncated() throws {
        let scratch = try Scratch("warc-partial")
        let bytes = try readFile(sharedDirectory + "/corpora/warc-real/repro/r9-truncated.warc")
        let (report, s) = try Files.ingest([("r9-truncated.warc", bytes)], into: scratch)
        #expect(report.counts["failed"] == 0)
        let sighting = try #require(s.first)
        let truncated = try #require(sighting.value("warc_truncated"))
        let partial = try scratch.archive.db.text("SELECT partial FROM versions")
        #expect(partial == "truncated: " + truncated, "\(String(describing: partial))")
    }
}
