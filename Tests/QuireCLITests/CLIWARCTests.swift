import Foundation
import Testing
import TestSupport

/// WARC files read by `quire ingest`, checked against warcio (installed by .ci/run) on the real
/// files in ../shared/corpora/warc.
@Suite("CLI WARC in")
struct CLIWARCTests {
    let corpus = sharedDirectory + "/corpora/warc"

    /// SHA-1 of bytes as WARC writes it: `sha1:` and base32 (Python's hashlib and base64).
    func warcSHA1(_ bytes: [UInt8]) throws -> String {
        let py = try runProcess("python3", ["-c", "import sys,hashlib,base64; print('sha1:' + base64.b32encode(hashlib.sha1(sys.stdin.buffer.read()).digest()).decode())"], stdin: bytes)
        return py.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("response and resource records become sightings keyed by target URI; payloads match warcio's digests; damage is named by file and offset")
    func ingestWARC() throws {
        let dir = TemporaryDirectory("cli-warc")
        let input = dir.file("crawl")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for name in ["example.warc.gz", "example-iana.org-chunked.warc", "post-test.warc.gz", "example-space-in-target-uri.warc.gz",
                     "example-wrong-chunks.warc.gz", "example-trunc.warc"] {
            try FileManager.default.copyItem(atPath: corpus + "/" + name, toPath: input + "/" + name)
        }
        let a = dir.file("a.quire")
        let ingest = try quire(["-A", a, "ingest", "--json", input])
        // Every record warcio reads is archived: the one in example-trunc.warc whose Content-Length
        // is two bytes short too, with that noted.
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let report = try #require(try parseJSON(ingest) as? [String: Any])
        #expect((report["counts"] as? [String: Int])?["failed"] == 0)
        let quirk = try runProcess("sqlite3", [a, "SELECT f.value FROM supplied_fields f JOIN sightings s ON s.id = f.sighting JOIN paths p ON p.id = s.path WHERE p.path = 'example-trunc.warc#1197' AND f.name = 'warc_quirk';"])
        #expect(quirk.stdoutText.contains("4 bytes after its block"), "\(quirk.stdoutText)")

        let keys = try #require(try parseJSON(try quire(["-A", a, "ls", "--json"])) as? [[String: Any]]).compactMap { $0["key"] as? String }
        for key in ["http://example.com/", "http://www.iana.org/", "http://httpbin.org/post", "http://httpbin.org/post?foo=bar"] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(keys.contains { $0.contains("%20") }, "a target URI with spaces is kept, percent-encoded: \(keys)")

        // Every payload equals what warcio's record declares (WARC-Payload-Digest, sha1 base32).
        for file in ["example.warc.gz", "post-test.warc.gz"] {
            let index = try runProcess("warcio", ["index", "-f", "offset,warc-type,warc-target-uri,warc-payload-digest", input + "/" + file])
            let records = index.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            for record in records where record["warc-type"] == "response" {
                let offset = try #require(record["offset"])
                let show = try #require(try parseJSON(try quire(["-A", a, "show", try blobAt(a, file: file, offset: offset), "--json"])) as? [String: Any])
                let blob = try #require((show["blob"] as? [String: Any])?["hash"] as? String)
                let bytes = try quire(["-A", a, "cat", blob]).stdout
                #expect(try warcSHA1(bytes) == record["warc-payload-digest"], "\(file) @\(offset)")
            }
        }
        // Chunked transfer encoding is decoded, as warcio decodes it.
        let iana = try runProcess("warcio", ["extract", "--payload", input + "/example-iana.org-chunked.warc", "405"])
        #expect(try quire(["-A", a, "cat", "http://www.iana.org/"]).stdout == iana.stdout)

        // The revisit in example.warc.gz is a second sighting of the response's payload; provenance is kept.
        let show = try #require(try parseJSON(try quire(["-A", a, "show", try blobAt(a, file: "example.warc.gz", offset: "784"), "--json"])) as? [String: Any])
        let sightings = try #require(show["sightings"] as? [[String: Any]])
        #expect(Set(sightings.compactMap { $0["path"] as? String }).isSuperset(of: ["example.warc.gz#784", "example.warc.gz#2621"]))
        #expect(sightings.first { $0["path"] as? String == "example.warc.gz#784" }?["mtime"] as? String == "2017-03-06T04:02:06Z")
        let fields = try #require((show["article"] as? [String: Any])?["fields"] as? [[String: Any]])
        #expect(fields.contains { $0["name"] as? String == "warc_record_id" && ($0["value"] as? String)?.hasPrefix("<urn:uuid:") == true })
        #expect(fields.contains { $0["name"] as? String == "http_status" && $0["value"] as? String == "200" })
    }

    /// The blob of the sighting `file#offset`.
    func blobAt(_ archive: String, file: String, offset: String) throws -> String {
        let r = try runProcess("sqlite3", [archive, "SELECT blob FROM sighting_list WHERE path = '\(file)#\(offset)';"])
        return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a damaged gzip member is named with its offset and the other records are archived")
    func damagedMember() throws {
        let dir = TemporaryDirectory("cli-warc")
        var bytes = try readFile(corpus + "/post-test.warc.gz")
        for i in 60..<90 { bytes[i] ^= 0x5A }      // inside the first member's deflate data
        _ = try dir.write("in/broken.warc.gz", bytes)
        let a = dir.file("a.quire")
        let ingest = try quire(["-A", a, "ingest", "--json", dir.file("in")])
        #expect(ingest.status == 1)
        #expect(ingest.stderr.contains("broken.warc.gz#0"))
        let report = try #require(try parseJSON(ingest) as? [String: Any])
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["failed"] == 1 && counts["new"]! + counts["version"]! == 2)
        #expect(try quire(["-A", a, "verify", "--no-record"]).status == 0)
    }

    @Test("--no-warc archives a WARC file as a file; an archive inside the folder it archives is never archived into itself")
    func asFiles() throws {
        let dir = TemporaryDirectory("cli-warc")
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: corpus + "/example.warc.gz", toPath: dir.file("in/example.warc.gz"))
        let a = dir.file("in/inside.quire")
        let first = try quire(["-A", a, "ingest", "--no-warc", "--json", dir.file("in")])
        #expect(first.status == 0, "\(first.stderr)")
        let keys = try #require(try parseJSON(try quire(["-A", a, "ls", "--json"])) as? [[String: Any]]).compactMap { $0["key"] as? String }
        #expect(keys == ["example.warc.gz"])
        let again = try #require(try parseJSON(try quire(["-A", a, "ingest", "--json", "--no-warc", dir.file("in")])) as? [String: Any])
        #expect((again["skipped"] as? [[String: Any]])?.contains { ($0["path"] as? String)?.hasPrefix("inside.quire") == true } == true)
        #expect((again["counts"] as? [String: Int])?["unchanged"] == 1)
    }

    @Test("ARC files: records read as responses, with their dates; lengths warcio reads as 0 (-1, abc) are read so and noted")
    func arc() throws {
        let dir = TemporaryDirectory("cli-warc")
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        for name in ["example.arc", "example.arc.gz", "bad.arc"] {
            try FileManager.default.copyItem(atPath: corpus + "/" + name, toPath: dir.file("in/" + name))
        }
        let a = dir.file("a.quire")
        let ingest = try quire(["-A", a, "ingest", "--json", dir.file("in")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let quirks = try runProcess("sqlite3", [a, "SELECT p.path || ' ' || f.value FROM supplied_fields f JOIN sightings s ON s.id = f.sighting JOIN paths p ON p.id = s.path WHERE f.name = 'warc_quirk' AND p.path LIKE 'bad.arc#%';"])
        #expect(quirks.stdoutText.contains("bad.arc#134 ARC length '-1' read as 0") && quirks.stdoutText.contains("bad.arc#262 ARC length 'abc' read as 0"), "\(quirks.stdoutText)")
        let page = try quire(["-A", a, "cat", "http://example.com/"])
        #expect(page.status == 0)
        #expect(page.stdoutText.lowercased().hasPrefix("<!doctype html>"), "the HTTP header is removed")
        let plain = try #require(String(decoding: try readFile(corpus + "/example.arc"), as: UTF8.self).range(of: "<!doctype html>", options: .caseInsensitive))
        #expect(page.stdoutText.hasPrefix(String(String(decoding: try readFile(corpus + "/example.arc"), as: UTF8.self)[plain.lowerBound...].prefix(200))))
        let dates = try runProcess("sqlite3", [a, "SELECT DISTINCT mtime FROM sighting_list WHERE path LIKE 'example.arc%' AND meaning <> 'failed';"])
        #expect(dates.stdoutText.contains("2014-02-16T05:02:21Z"))
    }
    @Test("summaries count WARC/ARC records as records, not files; failures in ARC files say ARC")
    func summaries() throws {
        let dir = TemporaryDirectory("cli-warc")
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sharedDirectory + "/corpora/warc-real/repro/r1-single-crlf.warc", toPath: dir.file("in/r1.warc"))
        try Data("a plain note\n".utf8).write(to: URL(fileURLWithPath: dir.file("in/note.txt")))
        let a = dir.file("a.quire")
        let ingest = try quire(["-A", a, "ingest", dir.file("in")])
        #expect(ingest.status == 0 && ingest.stdoutText.contains("1 file and 2 WARC/ARC records"), "\(ingest.stdoutText)")
        let filedesc = "1 0 X\nURL IP-address Archive-date Content-type Archive-length\n"
        try Data("filedesc://x.arc 0.0.0.0 20000101000000 text/plain \(filedesc.utf8.count)\n\(filedesc)\nstray line one\nstray line two\n".utf8)
            .write(to: URL(fileURLWithPath: dir.file("bad.arc")))
        let bad = try quire(["-A", a, "ingest", dir.file("bad.arc")])
        #expect(bad.status == 1 && bad.stderr.contains("ARC record at offset") && bad.stderr.contains("The WARC/ARC record could not be archived."), "\(bad.stderr)")
    }

    @Test("a batch of plain files and WARC records that partly fails says how many of all its items failed")
    func mixedFailureCount() throws {
        let dir = TemporaryDirectory("cli-warc-mixed")
        let input = dir.file("in")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try "A plain article.\n".write(toFile: input + "/note.txt", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: sharedDirectory + "/corpora/warc-real/oduwsdl_ipwb/broken.warc", toPath: input + "/broken.warc")
        let a = dir.file("a.quire")
        let ingest = try quire(["-A", a, "ingest", input])
        #expect(ingest.status == 1)
        let sighted = try #require(ingest.stdoutText.split(separator: "\n").first { $0.hasPrefix("Batch ") })
        // "1 file and N WARC/ARC records": the failure line counts the whole, then says what it is made of.
        let records = try #require(sighted.split(separator: " ").firstIndex(of: "and").map { Int(sighted.split(separator: " ")[$0 + 1])! })
        #expect(ingest.stderr.contains("1 of \(records + 1) (1 file and \(records) WARC/ARC records) could not be archived; the others were."),
                "\(ingest.stderr)")
    }
}
