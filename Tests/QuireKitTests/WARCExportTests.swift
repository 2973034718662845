import Foundation
import Hashing
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// `export warc`, `export cdxj` and `export wacz` of real crawls, checked with the tools replay
/// and indexing use (warcio, cdxj-indexer, wacz), and read back by Quire.
@Suite("WARC export")
struct WARCExportTests {
    typealias Files = WARCTestFiles
    static let corpora = ["warc", "warc-real"].map { sharedDirectory + "/corpora/" + $0 }

    /// The shared WARC corpora ingested, one batch each.
    func corpusArchive() throws -> Scratch {
        let scratch = try Scratch("warc-export")
        for corpus in Self.corpora { _ = try scratch.archive.ingest(paths: [corpus], options: quietOptions(label: (corpus as NSString).lastPathComponent)) }
        return scratch
    }

    /// Each capture an archive holds as (key, blob, capture date, HTTP status), counted.
    func captures(_ archive: Archive) throws -> [String: Int] {
        var out: [String: Int] = [:]
        try archive.db.forEach("""
            SELECT d.key, b.hash, s.mtime, (SELECT value FROM supplied_fields f WHERE f.sighting = s.id AND f.name = 'http_status') FROM sightings s
            JOIN documents d ON d.id = s.document JOIN blobs b ON b.id = s.blob WHERE s.meaning <> 'failed'
            """) { row in
            let date = WARCDate.normalized(row.optionalText(2) ?? "") ?? "?"
            out["\(row.text(0)) \(row.text(1)) \(date) \(row.optionalText(3) ?? "-")", default: 0] += 1
        }
        return out
    }

    @Test("round trip: ingest(export(ingest(X))) keeps every capture's key, bytes, date and status; warcio checks every digest")
    func roundTrip() throws {
        let first = try corpusArchive()
        let out = first.dir.file("out/export.warc.gz")
        try FileManager.default.createDirectory(atPath: first.dir.file("out"), withIntermediateDirectories: true)
        let report = try first.archive.exportWARC(to: out)
        #expect(report.skipped.isEmpty)
        let second = try Scratch("warc-export")
        let again = try second.archive.ingest(paths: [first.dir.file("out")], options: quietOptions())
        #expect(again.counts["failed"] == 0, "\(again.failures.prefix(3))")
        let before = try captures(first.archive), after = try captures(second.archive)
        let same = before == after
        #expect(same, "\(Set(before.keys).symmetricDifference(after.keys).sorted().prefix(10))")
        #expect(again.files == report.responses + report.resources + report.revisits)

        try requireWarcio()
        let check = try runProcess("warcio", ["check", "-v", out])
        #expect(check.status == 0 && !check.stdoutText.contains("digest fail"), "\(check.stdoutText.suffix(2000))")
    }

    @Test("records as a replay needs them: the capture's status line, headers, date and target URI (dns:, metadata:), revisits for repeats, media types, WARC-Truncated")
    func recordShapes() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 40)
        let page = Array("<html><head><title>t</title></head><body>x</body></html>".utf8)
        let chunked = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
        let bytes = Files.response("http://example.com/img.png", id: 1, date: "2021-05-06T07:08:09Z", status: "HTTP/1.1 200 OK",
                                   headers: [("Content-Type", "image/png"), ("X-Served-By", "cache-1")], body: png)
            + Files.record([("WARC-Type", "response"), ("WARC-Record-ID", Files.recordID(2)), ("WARC-Date", "2021-05-06T07:08:10Z"),
                            ("WARC-Target-URI", "dns:example.com"), ("Content-Type", "text/dns")], block: Array("20210506070810\nexample.com.\t300\tIN\tA\t1.2.3.4\n".utf8))
            + Files.record([("WARC-Type", "resource"), ("WARC-Record-ID", Files.recordID(3)), ("WARC-Date", "2021-05-06T07:08:11Z"),
                            ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/MANIFEST.txt"), ("Content-Type", "text/plain")], block: Array("manifest\n".utf8))
            + Files.response("http://example.com/gone", id: 4, date: "2021-05-06T07:08:12Z", status: "HTTP/1.1 404 Not Found", body: page)
            + Files.response("http://example.com/again", id: 5, date: "2021-06-01T00:00:00Z", body: page)
            + Files.response("http://example.com/chunked", id: 6, date: "2021-06-01T00:00:01Z",
                             headers: [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")], body: chunked)
            + Files.response("http://example.com/cut", id: 7, date: "2021-06-01T00:00:02Z", headers: [("Content-Type", "text/html"), ("Content-Length", "9999")],
                             body: page + Array("<p>cut".utf8), extra: [("WARC-Truncated", "length")])
        let scratch = try Scratch("warc-export")
        _ = try Files.ingest([("shapes.warc", bytes)], into: scratch)
        let out = scratch.dir.file("shapes-out.warc.gz")
        let report = try scratch.archive.exportWARC(to: out)
        #expect(report.responses == 5 && report.resources == 1 && report.revisits == 1)

        // Read the export back with Quire's reader: the records as written.
        var reader = try WARCReader(path: out)
        var records: [WARCRecord] = []
        while let item = reader.next() { if case .record(let r) = item { records.append(r) } }
        reader.close()
        func record(_ uri: String) throws -> WARCRecord { try #require(records.first { $0.field("WARC-Target-URI") == uri }, "\(uri)") }
        let image = try record("http://example.com/img.png")
        #expect(image.type == "response" && image.field("WARC-Date") == "2021-05-06T07:08:09Z")
        let http = HTTPMessage(image.block)
        #expect(http.statusLine == "HTTP/1.1 200 OK" && http.header("Content-Type") == "image/png" && http.header("X-Served-By") == "cache-1")
        #expect(Array(image.block[http.bodyStart...]) == png)
        #expect(image.field("WARC-Payload-Digest") == "sha256:" + SHA256.hash(png).hex)
        #expect(image.field("WARC-Block-Digest") == "sha256:" + SHA256.hash(image.block).hex)
        let dns = try record("dns:example.com")
        #expect(dns.type == "response" && dns.field("Content-Type") == "text/dns")
        #expect(try record("metadata://gnu.org/software/wget/warc/MANIFEST.txt").type == "resource")
        #expect(HTTPMessage(try record("http://example.com/gone").block).statusLine == "HTTP/1.1 404 Not Found")
        let again = try record("http://example.com/again")
        #expect(again.type == "revisit" && again.field("WARC-Refers-To-Target-URI") == "http://example.com/gone"
                && again.field("WARC-Refers-To-Date") == "2021-05-06T07:08:12Z" && again.field("WARC-Date") == "2021-06-01T00:00:00Z")
        let gone = try record("http://example.com/gone")
        #expect(again.field("WARC-Refers-To") == gone.field("WARC-Record-ID"))
        let dechunked = HTTPMessage(try record("http://example.com/chunked").block)
        #expect(dechunked.header("Transfer-Encoding") == nil && dechunked.header("Content-Length") == "5")
        let cut = try record("http://example.com/cut")
        #expect(cut.field("WARC-Truncated") == "length" && HTTPMessage(cut.block).header("Content-Length") == String(page.count + 6))
    }

    @Test("export cdxj equals cdxj-indexer --sort of the exported WARC, for the whole corpus")
    func cdxj() throws {
        try requireTool("cdxj-indexer", check: ["cdxj-indexer", "--help"])
        let scratch = try corpusArchive()
        let warc = scratch.dir.file("corpus.warc.gz"), index = scratch.dir.file("corpus.cdxj")
        _ = try scratch.archive.exportWARC(to: warc, cdxj: index)
        let reference = try runProcess("cdxj-indexer", ["--sort", warc])
        #expect(reference.status == 0, "\(reference.stderr)")
        let ours = try readFile(index)
        #expect(ours == reference.stdout, "\(zip(String(decoding: ours, as: UTF8.self).split(separator: "\n"), reference.stdoutText.split(separator: "\n")).first { $0 != $1 }.map { "\($0)\n\($1)" } ?? "lengths differ")")
        #expect(String(decoding: ours, as: UTF8.self).split(separator: "\n").count > 1000)
    }

    @Test("export wacz: wacz validate accepts it; the WARC inside is stored and indexed; ZIP64 entries read by Python's zipfile")
    func wacz() throws {
        try requireTool("wacz", check: ["wacz", "--help"])
        let scratch = try corpusArchive()
        let path = scratch.dir.file("corpus.wacz")
        let report = try scratch.archive.exportWACZ(to: path, title: "Shared corpus")
        #expect(report.pages > 100)
        let validate = try runProcess("wacz", ["validate", "-f", path])
        #expect(validate.status == 0 && validate.stdoutText.contains("Validation succeeded"), "\(validate.stdoutText)\(validate.stderr)")
        let listing = try runPython("""
            import sys, zipfile, json
            z = zipfile.ZipFile(sys.argv[1])
            print(json.dumps({i.filename: i.compress_type for i in z.infolist()}))
            print(json.dumps(json.loads(z.read('datapackage.json'))['title']))
            """, [path])
        #expect(listing.stdoutText.contains("\"archive/data.warc.gz\": 0") && listing.stdoutText.contains("\"Shared corpus\""), "\(listing.stdoutText)\(listing.stderr)")
        // The index inside is cdxj-indexer's index of the WARC inside.
        let check = try runPython("""
            import sys, zipfile, subprocess, tempfile, os
            z = zipfile.ZipFile(sys.argv[1])
            d = tempfile.mkdtemp()
            p = os.path.join(d, 'data.warc.gz')
            open(p, 'wb').write(z.read('archive/data.warc.gz'))
            ref = subprocess.run(['cdxj-indexer', '--sort', p], capture_output=True).stdout
            print('equal' if ref == z.read('indexes/index.cdxj') else 'differ')
            """, [path])
        #expect(check.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "equal", "\(check.stderr)")

        // A ZIP whose entries pass the ZIP64 threshold (lowered here) is read all the same.
        var zip = ZIPWriter(modified: "2024-03-26T10:00:00Z", zip64Threshold: 10)
        var bytes: [UInt8] = []
        let data = Array("a stored entry of some length".utf8)
        try zip.addStored("archive/a.txt", size: data.count, crc: data.withUnsafeBytes { crc32Public($0) }, to: { bytes += $0 }) { body in
            try data.withUnsafeBytes { try body($0) }
        }
        try zip.addDeflated("b.txt", Array(repeating: 65, count: 1000), to: { bytes += $0 })
        try zip.finish(to: { bytes += $0 })
        let small = try scratch.dir.write("zip64.zip", bytes)
        let read = try runPython("""
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(z.read('archive/a.txt').decode(), len(z.read('b.txt')))
            """, [small])
        #expect(read.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "a stored entry of some length 1000", "\(read.stderr)")
    }

    @Test("bad export input: a clear error naming what and where, no file left behind, the archive unchanged")
    func badInput() throws {
        let scratch = try Scratch("warc-export")
        _ = try Files.ingest([("one.warc", Files.response("http://example.com/", id: 1, body: Array("<html></html>".utf8)))], into: scratch)
        let before = try scratch.archive.visibleState()
        #expect { try scratch.archive.exportWARC(to: scratch.dir.file("missing/dir/out.warc.gz")) } throws: { error in
            "\(error)".contains("missing/dir/out.warc.gz")
        }
        #expect { try scratch.archive.exportWACZ(to: scratch.dir.file("out.wacz"), batch: "no such batch") } throws: { error in
            "\(error)".contains("no such batch")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.dir.file("out.wacz")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.dir.path).allSatisfy { !$0.contains(".partial-") && !$0.contains(".warc-") })
        #expect(try scratch.archive.visibleState() == before)
    }
}

/// crc32 from Deflate, which this test target does not import directly.
private func crc32Public(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}
