import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

/// Each quirk of real WARC and ARC files (issue 16's list; ../shared/corpora/warc-real/repro has
/// one-quirk files) is read as warcio reads it, and noted with the sighting as `warc_quirk`.
@Suite("WARC quirks")
struct WARCQuirkTests {
    let repro = sharedDirectory + "/corpora/warc-real/repro/"
    typealias Files = WARCTestFiles
    let page = Array("<html><head><title>Harbour ferry</title></head><body>hello</body></html>".utf8)

    func ingestRepro(_ name: String) throws -> (IngestReport, [Files.Sighting], Scratch) {
        let scratch = try Scratch("warc-quirk")
        let (report, sightings) = try Files.ingest([(name, try readFile(repro + name))], into: scratch)
        return (report, sightings, scratch)
    }

    @Test("node-warc's single CRLF after each record: both records read, the separator noted")
    func singleCRLF() throws {
        let (report, sightings, _) = try ingestRepro("r1-single-crlf.warc")
        #expect(report.counts["failed"] == 0)
        #expect(sightings.map(\.path) == ["r1-single-crlf.warc#0", "r1-single-crlf.warc#338"])
        #expect(sightings.allSatisfy { $0.quirks.contains(#"record separator "\r\n" instead of "\r\n\r\n""#) }, "\(sightings.map(\.quirks))")
        #expect(sightings.map(\.key) == ["http://example.com/a", "http://example.com/b"])
    }

    @Test("LF-only WARC header lines and separator, and one LF too many: read and noted")
    func lineFeeds() throws {
        let (report, sightings, _) = try ingestRepro("r8-lf-headers.warc")
        #expect(report.counts["failed"] == 0)
        let quirks = try #require(sightings.first).quirks
        #expect(quirks.contains("WARC header lines end with LF only") && quirks.contains(#"record separator "\n\n" instead of "\r\n\r\n""#), "\(quirks)")

        let scratch = try Scratch("warc-quirk")
        let bytes = Files.response("http://example.com/x", id: 1, body: page, separator: "\r\n\r\n\n")
            + Files.response("http://example.com/y", id: 2, body: page)
        let (r2, s2) = try Files.ingest([("extra-lf.warc", bytes)], into: scratch)
        #expect(r2.counts["failed"] == 0 && s2.count == 2)
        #expect(s2[0].quirks == [#"record separator "\r\n\r\n\n" instead of "\r\n\r\n""#] && s2[1].quirks.isEmpty, "\(s2.map(\.quirks))")
    }

    @Test("Transfer-Encoding: chunked over a body stored de-chunked: the body as stored, as warcio falls back to it, whose SHA-1 is the record's digest")
    func chunkedHeaderPlainBody() throws {
        let (report, sightings, scratch) = try ingestRepro("r2-te-chunked-not-chunked.warc")
        #expect(report.counts["failed"] == 0)
        let s = try #require(sightings.first)
        #expect(s.quirks == ["chunked header, body not chunked"])
        let bytes = try scratch.archive.blobBytes(hash: try #require(s.blob))
        #expect(bytes == Array("<html><body>hello</body></html>\n".utf8))
        #expect(try Files.warcSHA1(bytes) == s.value("warc_payload_digest"))
    }

    @Test("a declared payload digest that is not the payload's is noted and the record archived; a right SHA-1 (of the payload, or of a chunked body as sent) or SHA-256 is not; other algorithms are noted as not checked")
    func payloadDigestChecked() throws {
        let scratch = try Scratch("warc-digest")
        let right = try Files.warcSHA1(page)
        let wrong = "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
        let chunked = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
        let html = [("Content-Type", "text/html")]
        let bytes = Files.response("http://example.com/right", id: 1, body: page, extra: [("WARC-Payload-Digest", right)])
            + Files.response("http://example.com/wrong", id: 2, body: page, extra: [("WARC-Payload-Digest", wrong)])
            + Files.response("http://example.com/chunked", id: 3, headers: html + [("Transfer-Encoding", "chunked")], body: chunked,
                             extra: [("WARC-Payload-Digest", try Files.warcSHA1(chunked))])
            + Files.response("http://example.com/sha256", id: 4, body: page, extra: [("WARC-Payload-Digest", "sha-256:" + SHA256.hash(page).hex)])
            + Files.response("http://example.com/md5", id: 5, body: page, extra: [("WARC-Payload-Digest", "md5:0123456789abcdef0123456789abcdef")])
            + Files.response("http://example.com/unlabelled", id: 6, body: page, extra: [("WARC-Payload-Digest", "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ")])
            + Files.response("http://example.com/chunked-wrong", id: 7, headers: html + [("Transfer-Encoding", "chunked")], body: chunked,
                             extra: [("WARC-Payload-Digest", wrong)])
        let (report, s) = try Files.ingest([("digests.warc", bytes)], into: scratch)
        #expect(report.counts["failed"] == 0 && s.count == 7)
        #expect(s[0].quirks.isEmpty && s[2].quirks.isEmpty && s[3].quirks.isEmpty, "\(s.map(\.quirks))")
        #expect(s[1].quirks == ["WARC-Payload-Digest \(wrong) is not the payload's (\(right))"], "\(s[1].quirks)")
        #expect(try scratch.archive.blobBytes(hash: try #require(s[1].blob)) == page)
        #expect(try scratch.archive.blobBytes(hash: try #require(s[2].blob)) == Array("hello".utf8))
        #expect(s[4].quirks == ["WARC-Payload-Digest in md5: not checked (Quire checks sha1 and sha256)"], "\(s[4].quirks)")
        #expect(s[5].quirks == ["WARC-Payload-Digest '3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ' has no algorithm label: not checked"], "\(s[5].quirks)")
        // A chunked body whose digest is neither the decoded payload's nor the body's as sent.
        #expect(s[6].quirks == ["WARC-Payload-Digest \(wrong) is not the payload's (\(try Files.warcSHA1(Array("hello".utf8))))"], "\(s[6].quirks)")
    }

    @Test("chunks that break off part-way: the chunks before, then the rest as stored (warcio's reading)")
    func chunkedBreaksOff() {
        let body = Array("5\r\nhello\r\n6\r\n world\r\nnot a size\r\nrest".utf8)
        let (payload, quirk) = HTTPMessage.dechunk(body[...])
        #expect(payload == Array("hello worldnot a size\r\nrest".utf8))
        #expect(quirk?.hasPrefix("chunked body broken after 2 chunks") == true)
        let proper = Array("5;ext=1\r\nhello\r\n0\r\n\r\n".utf8)
        #expect(HTTPMessage.dechunk(proper[...]).payload == Array("hello".utf8) && HTTPMessage.dechunk(proper[...]).quirk == nil)
        let trailers = Array("5\r\nhello\r\n0\r\nExpires: never\r\n\r\n".utf8)
        #expect(HTTPMessage.dechunk(trailers[...]).payload == Array("hello".utf8))
        let cut = Array("a\r\nhello".utf8)
        #expect(HTTPMessage.dechunk(cut[...]) == (Array("hello".utf8), "chunked body cut short inside a chunk"))
    }

    @Test("digest labels compared by algorithm: sha256: on the response, sha-256: on its revisit (ArchiveWeb.page)")
    func digestLabels() throws {
        let (report, sightings, _) = try ingestRepro("r3-sha-256-label.warc")
        #expect(report.counts["failed"] == 0)
        #expect(sightings.count == 2 && sightings[1].blob == sightings[0].blob && sightings[1].value("warc_type") == "revisit")
        // sha1 in base32 on the response, the same digest in hex on the revisit; and sha-1: spelled.
        let digest = try Files.warcSHA1(page)
        let hex = Hex.encode(try #require(WARCDigest(digest)).bytes)
        #expect(WARCDigest(digest) == WARCDigest("SHA-1:" + hex) && WARCDigest(digest) == WARCDigest("sha1:" + digest.dropFirst(5).lowercased()))
        #expect(WARCDigest("sha256:" + SHA256.hash(page).hex) == WARCDigest("sha-256:" + WARCDigest.base32Encode(SHA256.hash(page).bytes)))
        let scratch = try Scratch("warc-quirk")
        let bytes = Files.response("http://example.com/x", id: 1, body: page, extra: [("WARC-Payload-Digest", digest)])
            + Files.revisit("http://example.com/x", id: 2, fields: [("WARC-Payload-Digest", "sha-1:" + hex)])
        let (r2, s2) = try Files.ingest([("hex.warc", bytes)], into: scratch)
        #expect(r2.counts["failed"] == 0 && s2[1].blob == s2[0].blob)
    }

    @Test("a revisit written before its original (Webrecorder) is a sighting of the original's payload, recorded after it")
    func revisitFirst() throws {
        let (report, sightings, _) = try ingestRepro("r4-revisit-before-original.warc")
        #expect(report.counts["failed"] == 0)
        #expect(sightings.map(\.path) == ["r4-revisit-before-original.warc#427", "r4-revisit-before-original.warc#0"])
        #expect(sightings[1].blob == sightings[0].blob && sightings[1].quirks.contains("revisit written before the record it repeats"))
    }

    @Test("revisits by WARC-Refers-To, and by WARC-Refers-To-Target-URI with -Date alone, earlier or later in the file")
    func revisitReferences() throws {
        let other = Array("<html><body>other page</body></html>".utf8)
        let bytes = Files.revisit("http://example.com/a", id: 10, fields: [("WARC-Refers-To-Target-URI", "http://example.com/a"),
                                                                          ("WARC-Refers-To-Date", "2020-01-01T00:00:00Z")])
            + Files.response("http://example.com/a", id: 1, body: page)
            + Files.response("http://example.com/b", id: 2, body: other)
            + Files.revisit("http://example.com/b", id: 11, fields: [("WARC-Refers-To", Files.recordID(2))])
            + Files.revisit("http://example.com/c", id: 12, fields: [("WARC-Refers-To", Files.recordID(99)), ("WARC-Payload-Digest", "sha1:AAAA")])
        let scratch = try Scratch("warc-quirk")
        let (report, s) = try Files.ingest([("refs.warc", bytes)], into: scratch)
        #expect(s.first { $0.path == "refs.warc#0" }?.meaning == "duplicate" || s.first { $0.path == "refs.warc#0" }?.meaning == "unchanged")
        #expect(s.filter { $0.value("url") == "http://example.com/a" }.map(\.blob).allSatisfy { $0 == SHA256.hash(page).hex })
        #expect(s.filter { $0.value("url") == "http://example.com/b" }.map(\.blob).allSatisfy { $0 == SHA256.hash(other).hex })
        // Nowhere in the batch or the archive: pending, never failed, naming what it refers to and keeping its facts.
        let c = try #require(s.first { $0.meaning == "pending" })
        #expect(report.counts["failed"] == 0 && report.counts["pending"] == 1)
        #expect(c.quirks.contains { $0.contains("pending until the payload arrives") && $0.contains(Files.recordID(99)) }, "\(c.quirks)")
        #expect(c.value("url") == "http://example.com/c" && c.blob == nil && c.error == nil)
    }

    @Test("a revisit found by WARC-Refers-To whose declared digest is another payload's: linked to the original and the mismatch noted, in its file and from the archive; a matching digest, or one of an algorithm the original lacks, is not noted")
    func revisitDigestAgainstOriginal() throws {
        let other = Array("<html><body>other page</body></html>".utf8)
        let (ours, theirs) = (try Files.warcSHA1(page), try Files.warcSHA1(other))
        let hex = Hex.encode(try #require(WARCDigest(ours)).bytes)
        let bytes = Files.response("http://example.com/a", id: 1, body: page, extra: [("WARC-Payload-Digest", ours)])
            + Files.revisit("http://example.com/a", id: 11, fields: [("WARC-Refers-To", Files.recordID(1)), ("WARC-Payload-Digest", theirs)])
            + Files.revisit("http://example.com/a", id: 12, fields: [("WARC-Refers-To", Files.recordID(1)), ("WARC-Payload-Digest", "sha-1:" + hex)])
            + Files.revisit("http://example.com/a", id: 13, fields: [("WARC-Refers-To", Files.recordID(1)), ("WARC-Payload-Digest", "md5:0123456789abcdef0123456789abcdef")])
        let scratch = try Scratch("warc-quirk")
        let (report, s) = try Files.ingest([("refs.warc", bytes)], into: scratch)
        #expect(report.counts["failed"] == 0 && s.count == 4)
        #expect(s.allSatisfy { $0.blob == SHA256.hash(page).hex }, "every revisit is linked to the original it names")
        let noted = { (sighting: Files.Sighting) in sighting.quirks.filter { $0.contains("is not the digest of the payload its other references name") } }
        let oursText = try #require(WARCDigest(ours)).text
        #expect(noted(s[1]) == ["WARC-Payload-Digest \(theirs) is not the digest of the payload its other references name (\(oursText))"])
        #expect(s[1].value("warc_original_digest") == oursText)
        #expect(noted(s[2]).isEmpty && noted(s[3]).isEmpty && noted(s[0]).isEmpty && s[2].value("warc_original_digest") == nil)
        // A later batch: the original is found in the archive by its record id; the digest still compared.
        let later = Files.revisit("http://example.com/a", id: 21, date: "2020-03-01T00:00:00Z",
                                  fields: [("WARC-Refers-To", Files.recordID(1)), ("WARC-Payload-Digest", theirs)])
            + Files.revisit("http://example.com/a", id: 22, date: "2020-03-02T00:00:00Z",
                            fields: [("WARC-Refers-To", Files.recordID(1)), ("WARC-Payload-Digest", ours)])
        let (r2, s2) = try Files.ingest([("later.warc", later)], into: scratch)
        #expect(r2.counts["failed"] == 0 && s2.count == 2 && s2.allSatisfy { $0.blob == SHA256.hash(page).hex })
        #expect(noted(s2[0]).count == 1 && noted(s2[1]).isEmpty, "\(s2.map(\.quirks))")
        // The wrong digest names no payload: a revisit carrying only it finds nothing and waits.
        let names = try scratch.archive.db.rows("SELECT reference FROM payload_references") { $0.text(0) }
        let (wrong, right) = (WARCReferences.digest(try #require(WARCDigest(theirs))), WARCReferences.digest(try #require(WARCDigest(ours))))
        #expect(!names.contains(wrong) && names.contains(right), "\(names)")
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("a dns: record: its block as the payload, its own Content-Type, its URI as the key")
    func dns() throws {
        let (report, sightings, _) = try ingestRepro("r6-dns.warc")
        #expect(report.counts["failed"] == 0)
        let s = try #require(sightings.first)
        #expect(s.key == "dns:example.com" && s.value("content_type") == "text/dns" && s.value("url") == "dns:example.com")
    }

    @Test("WARC-Truncated is recorded and shown; a block the file ends inside is kept and marked cut short")
    func truncated() throws {
        let (report, sightings, scratch) = try ingestRepro("r9-truncated.warc")
        #expect(report.counts["failed"] == 0)
        let s = try #require(sightings.first)
        #expect(s.value("warc_truncated") == "length")
        let shown = try scratch.archive.articleFields(blob: try #require(s.blob)).fields
        #expect(shown.contains { $0.name == "warc_truncated" && $0.value == "length" })

        let full = Files.response("http://example.com/cut", id: 1, body: page)
        let (r2, s2) = try Files.ingest([("cut.warc", Array(full.dropLast(20)))], into: try Scratch("warc-quirk"))
        #expect(r2.counts["failed"] == 0)
        #expect(s2.first?.value("warc_truncated") == "cut short in this file")
        #expect(s2.first?.quirks.contains { $0.hasPrefix("the file ends 16 bytes before the end of its block") } == true, "\(s2.first?.quirks ?? [])")
    }

    @Test("the rest of the line after a short Content-Length is skipped, as warcio does, and noted; stray bytes before the next record are a failure naming the offset")
    func shortContentLength() throws {
        let good = Files.response("http://example.com/a", id: 1, body: page + Array("tail\r\n".utf8), contentLength: nil)
        let short = Files.response("http://example.com/b", id: 2, body: page + Array("tail\r\n".utf8), separator: "\r\n",
                                   contentLength: Files.http("HTTP/1.1 200 OK", [("Content-Type", "text/html")], page).count + 2)
        let junk = Array("this is not a record\r\nnor is this\r\n".utf8)
        let bytes = good + short + Files.response("http://example.com/c", id: 3, body: page) + junk + Files.response("http://example.com/d", id: 4, body: page)
        let (report, s) = try Files.ingest([("short.warc", bytes)], into: try Scratch("warc-quirk"))
        #expect(s.filter { $0.meaning != "failed" }.compactMap { $0.value("url") } == ["http://example.com/a", "http://example.com/b", "http://example.com/c", "http://example.com/d"])
        #expect(s[1].quirks.contains { $0.hasPrefix("4 bytes after its block") }, "\(s[1].quirks)")
        #expect(report.counts["failed"] == 1)
        let failure = try #require(s.first { $0.meaning == "failed" })
        let junkOffset = good.count + short.count + Files.response("http://example.com/c", id: 3, body: page).count
        #expect(failure.path == "short.warc#\(junkOffset)" && failure.error?.contains("\(junk.count) bytes skipped") == true, "\(failure.path) \(failure.error ?? "")")
    }

    @Test("WARC 0.17, 0.18, 1.0 and 1.1 records are read and their version recorded")
    func versions() throws {
        var bytes: [UInt8] = []
        for (i, version) in ["WARC/0.17", "WARC/0.18", "WARC/1.0", "WARC/1.1"].enumerated() {
            bytes += Files.response("http://example.com/v\(i)", id: i, body: page, version: version)
        }
        let (report, s) = try Files.ingest([("versions.warc", bytes)], into: try Scratch("warc-quirk"))
        #expect(report.counts["failed"] == 0)
        #expect(s.compactMap { $0.value("warc_version") } == ["WARC/0.17", "WARC/0.18", "WARC/1.0", "WARC/1.1"])
        #expect(s.allSatisfy { $0.quirks.isEmpty })
    }

    @Test("ARC 1.0 with '-' fields and space padding in the file description, ARC 1.1; messages say ARC")
    func arc() throws {
        let body = Array("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n".utf8) + page
        let filedesc = "1 0 Alexa Internet\nURL IP-address Archive-date Content-type Archive-length\n"
        var bytes = Array("filedesc://old.arc - 19961022160304 text/plain   \(filedesc.utf8.count)  \n\(filedesc)\n".utf8)
        bytes += Array("http://example.com/ 10.0.0.1 19961022160305 text/html \(body.count)\n".utf8) + body + [0x0A]
        bytes += Array("http://example.com/next - - - \(body.count)\n".utf8) + body + [0x0A]
        bytes += Array("this line is not an ARC header\n".utf8)
        let (report, s) = try Files.ingest([("old.arc", bytes)], into: try Scratch("warc-quirk"))
        let archived = s.filter { $0.meaning != "failed" }
        #expect(archived.map(\.key) == ["http://example.com/", "http://example.com/next"])
        #expect(archived.allSatisfy { $0.value("warc_version") == "ARC/1.0" })
        #expect(archived[0].value("warc_date") == "1996-10-22T16:03:05Z" && archived[1].value("warc_date") == nil)
        #expect(report.counts["failed"] == 1)
        #expect(report.failures.first?.reason.hasPrefix("ARC record at offset") == true, "\(report.failures)")

        let ia = sharedDirectory + "/corpora/warc-real/ukwa_webarchive-discovery/IAH-20080430204825-00000-blackbook-truncated.arc.gz"
        let (r2, s2) = try Files.ingest([("ia.arc.gz", try readFile(ia))], into: try Scratch("warc-quirk"))
        #expect(r2.counts["failed"] == 0)
        #expect(s2.allSatisfy { $0.value("warc_version") == "ARC/1.1" })
    }

    @Test("gzip: a member that ends inside its block before the next record is read as warcio reads it; several records in a member; a record split over members")
    func gzipMembers() throws {
        let a = Files.response("http://example.com/a", id: 1, body: page)
        let b = Files.response("http://example.com/b", id: 2, body: page, contentLength: 400)
        let c = Files.response("http://example.com/c", id: 3, body: page)
        let d = Files.response("http://example.com/d", id: 4, body: page)
        let split = Files.response("http://example.com/e", id: 5, body: page)
        let bytes = try Files.gzipMember(a + c) + Files.gzipMember(b) + Files.gzipMember(d)
            + Files.gzipMember(Array(split.prefix(200))) + Files.gzipMember(Array(split.dropFirst(200)))
        let (report, s) = try Files.ingest([("members.warc.gz", bytes)], into: try Scratch("warc-quirk"))
        #expect(report.counts["failed"] == 0, "\(report.failures)")
        let byURL = Dictionary(uniqueKeysWithValues: s.map { ($0.value("url")!, $0) })
        #expect(byURL["http://example.com/c"]?.quirks == ["shares its gzip member with the record before it"])
        #expect(byURL["http://example.com/b"]?.value("warc_truncated") == "cut short in this file")
        #expect(byURL["http://example.com/e"]?.quirks == ["split over 2 gzip members"])
        #expect(byURL["http://example.com/e"]?.blob == SHA256.hash(page).hex && byURL["http://example.com/d"]?.blob == SHA256.hash(page).hex)

        // warcio reads the short member (it cannot read the others) to the same payload.
        try requireWarcio()
        let plain = try Files.gzipMember(a) + Files.gzipMember(b) + Files.gzipMember(d)
        let scratch = try Scratch("warc-quirk")
        let (_, s2) = try Files.ingest([("short-member.warc.gz", plain)], into: scratch)
        let warcio = try #require(try warcioRead([scratch.dir.path + "/" + (try FileManager.default.contentsOfDirectory(atPath: scratch.dir.path).first { $0.hasPrefix("in-") })! + "/short-member.warc.gz"]).first)
        #expect(warcio.complete && warcio.records.map(\.sha256) == s2.map(\.blob), "\(warcio.records) \(s2.map(\.blob))")
    }

    @Test("Content-Encoding: gzip: the body stored as sent, its title and text read from the decoded page")
    func contentEncoding() throws {
        let compressed = try Files.gzipMember(page)
        let bytes = Files.response("http://example.com/gz", id: 1, headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body: compressed)
            + Files.response("http://example.com/br", id: 2, headers: [("Content-Type", "text/html"), ("Content-Encoding", "br")], body: [1, 2, 3])
        let scratch = try Scratch("warc-quirk")
        let (report, s) = try Files.ingest([("encoded.warc", bytes)], into: scratch)
        #expect(report.counts["failed"] == 0)
        #expect(s[0].blob == SHA256.hash(compressed).hex)
        let fields = try scratch.archive.articleFields(blob: try #require(s[0].blob))
        #expect(fields.kind == "html" && fields.fields.contains { $0.name == "title" && $0.value == "Harbour ferry" }, "\(fields)")
        #expect(try scratch.archive.search(SearchQuery("ferry")).contains { $0.key == "http://example.com/gz" })
        #expect(s[1].quirks == ["Content-Encoding 'br' kept as sent and not read for text"])
    }
    @Test("an image or PDF payload is not read as text: kind none, encoding binary, its fingerprint the bytes' SHA-256")
    func binaryPayloads() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("IHDR not text at all".utf8)
        let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".utf8)
        for bytes in [png, pdf, [0x41, 0x00, 0x42]] {
            let metadata = MetadataExtractor.extract(bytes)
            #expect(metadata.kind == "none" && metadata.encoding == "binary" && metadata.text.isEmpty && metadata.fingerprint == SHA256.hash(bytes).hex)
        }
        #expect(MetadataExtractor.extract(Array("plain words, é".utf8)).kind == "text")
        #expect(TextDecoding.decode([0x63, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x71, 0x94, 0x81]) == ("caf\u{E9} \u{201C}q\u{201D}\u{81}", "windows-1252"))
    }
}
