import Foundation
import Hashing
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// Revisits whose original is in another file: of the same batch (in any order), already in the
/// archive, or nowhere yet (a pending sighting that links up when the payload arrives, by a later
/// batch or an import). The real files are the British Library's deduplicating Heritrix crawl in
/// ../shared/corpora/warc-real/ukwa_webarchive-discovery: its second file's 55 revisits carry only
/// a WARC-Payload-Digest, and their originals are in the first file.
@Suite("WARC revisits across files")
struct WARCRevisitTests {
    typealias Files = WARCTestFiles
    static let folder = sharedDirectory + "/corpora/warc-real/ukwa_webarchive-discovery/"
    static let originals = folder + "BL-20140325121225068-00000-32090_opera_8443.warc.gz"
    static let revisits = folder + "BL-20140325122341434-00000-32090_opera_8443.warc.gz"

    /// The revisits of the second file as warcio reads them: offset and the SHA-256 of the payload
    /// each repeats, found in the first file.
    static func expected() throws -> [(offset: Int, original: String)] {
        try requireWarcio()
        let read = try warcioRead([originals, revisits])
        let found = read[1].records.filter { $0.type == "revisit" }.compactMap { r in r.originalElsewhere.map { (r.offset, $0) } }
        #expect(found.count >= 50, "warcio finds the originals of the crawl's revisits in its first file")
        return found
    }

    /// The sightings of `file`'s records in the archive, by offset: meaning, blob (for a pending
    /// one, the payload it has linked up with), and the named supplied field.
    static func sightings(_ archive: Archive, file: String, field: String = "warc_original") throws -> [Int: (meaning: String, blob: String?, field: String?)] {
        var out: [Int: (String, String?, String?)] = [:]
        try archive.db.forEach("""
            SELECT l.path, l.meaning, l.blob, (SELECT f.value FROM supplied_fields f WHERE f.sighting = l.id AND f.name = ?)
            FROM sighting_list l WHERE l.path LIKE ? ORDER BY l.id
            """, [field, "%" + (file as NSString).lastPathComponent + "#%"]) {
            let path = $0.text(0)
            out[Int(path[path.index(after: path.lastIndex(of: "#")!)...])!] = ($0.text(1), $0.optionalText(2), $0.optionalText(3))
        }
        return out
    }

    @Test("in one batch, the revisits' file named before the originals': every revisit is a sighting of warcio's original payload")
    func sameBatchAnyOrder() throws {
        let expected = try Self.expected()
        let scratch = try Scratch("warc-revisits")
        let report = try scratch.archive.ingest(paths: [Self.revisits, Self.originals], options: quietOptions())
        #expect(report.counts["failed"] == 0 && report.counts["pending"] == 0, "\(report.counts)")
        let seen = try Self.sightings(scratch.archive, file: Self.revisits)
        for (offset, original) in expected {
            let s = seen[offset]
            #expect(s?.meaning != "pending" && s?.meaning != "failed" && s?.blob == original, "revisit at \(offset): \(String(describing: s))")
            #expect(s?.field?.contains("BL-20140325121225068") == true, "revisit at \(offset) names its original's record: \(String(describing: s?.field))")
        }
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("the originals archived by an earlier batch: the revisits resolve against the archive by their SHA-1 payload digest")
    func alreadyArchived() throws {
        let expected = try Self.expected()
        let scratch = try Scratch("warc-revisits")
        _ = try scratch.archive.ingest(paths: [Self.originals], options: quietOptions())
        let report = try scratch.archive.ingest(paths: [Self.revisits], options: quietOptions())
        #expect(report.counts["failed"] == 0 && report.counts["pending"] == 0, "\(report.counts)")
        let seen = try Self.sightings(scratch.archive, file: Self.revisits)
        for (offset, original) in expected {
            #expect(seen[offset]?.blob == original && seen[offset]?.field == "in the archive", "revisit at \(offset): \(String(describing: seen[offset]))")
        }
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("the originals nowhere yet: pending sightings, never failures, that link up when a later batch brings the payloads; a rebuild agrees")
    func pendingThenLaterBatch() throws {
        let expected = try Self.expected()
        let scratch = try Scratch("warc-revisits")
        let first = try scratch.archive.ingest(paths: [Self.revisits], options: quietOptions())
        #expect(first.counts["failed"] == 0 && first.failures.isEmpty)
        #expect(first.counts["pending"] == expected.count && first.pending.count == expected.count, "\(first.counts)")
        let before = try Self.sightings(scratch.archive, file: Self.revisits, field: "warc_quirk")
        for (offset, _) in expected {
            #expect(before[offset]?.meaning == "pending" && before[offset]?.blob == nil, "\(offset): \(String(describing: before[offset]))")
            #expect(before[offset]?.field?.contains("pending until the payload arrives") == true)
        }
        // The facts are kept: URL, capture time and the digest it refers to.
        let facts = try scratch.archive.db.int("""
            SELECT count(*) FROM sightings s WHERE s.meaning = 'pending' AND s.mtime IS NOT NULL
            AND EXISTS (SELECT 1 FROM supplied_fields f WHERE f.sighting = s.id AND f.name = 'url')
            AND EXISTS (SELECT 1 FROM pending_references r WHERE r.sighting = s.id AND r.reference LIKE 'digest:sha1:%')
            """)
        #expect(facts == expected.count)

        _ = try scratch.archive.ingest(paths: [Self.originals], options: quietOptions())
        let after = try Self.sightings(scratch.archive, file: Self.revisits)
        for (offset, original) in expected {
            #expect(after[offset]?.meaning == "pending" && after[offset]?.blob == original, "\(offset): \(String(describing: after[offset]))")
        }
        let info = try scratch.archive.sightings(batch: first.batch).filter { $0.meaning == "pending" }
        #expect(info.count == expected.count && info.allSatisfy { $0.linkedBlob != nil && $0.blob == nil })
        #expect(try scratch.archive.verify(record: false).isClean)

        let links = try scratch.archive.db.rows("SELECT sighting, blob FROM pending_revisits ORDER BY sighting") { "\($0.int(0)) \($0.optionalText(1) ?? "-")" }
        try scratch.archive.rebuildDerivedState()
        #expect(try scratch.archive.db.rows("SELECT sighting, blob FROM pending_revisits ORDER BY sighting") { "\($0.int(0)) \($0.optionalText(1) ?? "-")" } == links)
    }

    @Test("the payloads arrive through an import from another copy: the pending revisits link up, verify is clean")
    func pendingThenImport() throws {
        let expected = try Self.expected()
        let copies = try Copies(2)
        _ = try copies[0].ingest(paths: [Self.revisits], options: quietOptions())
        _ = try copies[1].ingest(paths: [Self.originals], options: quietOptions())
        try copies.send(1, 0)
        let seen = try Self.sightings(copies[0], file: Self.revisits)
        for (offset, original) in expected {
            #expect(seen[offset]?.meaning == "pending" && seen[offset]?.blob == original, "\(offset): \(String(describing: seen[offset]))")
        }
        #expect(try copies[0].verify(record: false).isClean)
        // The other way, the pending sightings travel and link up there too.
        try copies.send(0, 1)
        let there = try Self.sightings(copies[1], file: Self.revisits)
        #expect(expected.allSatisfy { there[$0.offset]?.meaning == "pending" && there[$0.offset]?.blob == $0.original })
        #expect(try copies[1].verify(record: false).isClean)
    }

    @Test("across files and batches, digests in other spellings (sha1 base32 and SHA-1 hex, sha256 and sha-256), WARC-Refers-To, and target URI with date")
    func referencesAcrossFiles() throws {
        let page = Array("<html><body>shared across files</body></html>".utf8)
        let other = Array("<html><body>named by record id</body></html>".utf8)
        let third = Array("<html><body>named by URI and date</body></html>".utf8)
        let sha1 = try Files.warcSHA1(page)
        let sha1Bytes = try #require(WARCDigest(sha1)).bytes
        let scratch = try Scratch("warc-revisits")
        // Batch 1: the originals.
        _ = try Files.ingest([("a.warc", Files.response("http://example.com/a", id: 1, body: page, extra: [("WARC-Payload-Digest", sha1)])
                                        + Files.response("http://example.com/b", id: 2, body: other)
                                        + Files.response("http://example.com/c", id: 3, date: "2021-03-04T05:06:07Z", body: third))], into: scratch)
        // Batch 2: revisits of them, each naming its original another way.
        let (report, s) = try Files.ingest([("r.warc",
            Files.revisit("http://example.com/a", id: 10, fields: [("WARC-Payload-Digest", "SHA-1:" + Hex.encode(sha1Bytes).uppercased())])
            + Files.revisit("http://example.com/a2", id: 11, fields: [("WARC-Payload-Digest", "sha-256:" + SHA256.hash(page).hex)])
            + Files.revisit("http://example.com/b", id: 12, fields: [("WARC-Refers-To", Files.recordID(2))])
            + Files.revisit("http://example.com/c", id: 13, fields: [("WARC-Refers-To-Target-URI", "<http://example.com/c>"),
                                                                     ("WARC-Refers-To-Date", "2021-03-04T05:06:07Z")]))], into: scratch)
        #expect(report.counts["failed"] == 0 && report.counts["pending"] == 0, "\(report.counts) \(s.map(\.quirks))")
        #expect(s.map(\.blob) == [SHA256.hash(page).hex, SHA256.hash(page).hex, SHA256.hash(other).hex, SHA256.hash(third).hex])
        #expect(s.allSatisfy { $0.value("warc_original") == "in the archive" })

        // In one batch, the revisit's file first: it waits for the other file.
        let (r3, s3) = try Files.ingest([
            ("1-revisits.warc", Files.revisit("http://example.org/x", id: 20, fields: [("WARC-Payload-Digest", "sha256:" + SHA256.hash(third + page).hex)])),
            ("2-originals.warc", Files.response("http://example.org/x", id: 21, body: third + page))], into: scratch)
        #expect(r3.counts["failed"] == 0 && r3.counts["pending"] == 0)
        let revisit = try #require(s3.first { $0.path == "1-revisits.warc#0" })
        #expect(revisit.blob == SHA256.hash(third + page).hex && revisit.value("warc_original") == "2-originals.warc#0")
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("a revisit's original in its own file wins over a record with the same id in another file of the batch (a truncated copy of the crawl)")
    func ownFileFirst() throws {
        let whole = Array("<html><body>the whole page, every byte of it</body></html>".utf8)
        let scratch = try Scratch("warc-revisits")
        let (report, s) = try Files.ingest([
            ("1-copy.warc", Files.response("http://example.com/p", id: 1, body: Array(whole.prefix(20)), extra: [("WARC-Truncated", "length")])),
            ("2-crawl.warc", Files.response("http://example.com/p", id: 1, body: whole)
                + Files.revisit("http://example.com/p", id: 2, fields: [("WARC-Refers-To", Files.recordID(1))])),
            ("3-later.warc", Files.revisit("http://example.com/q", id: 3, fields: [("WARC-Refers-To", Files.recordID(1))]))], into: scratch)
        #expect(report.counts["failed"] == 0 && report.counts["pending"] == 0)
        #expect(s.first { $0.path == "2-crawl.warc#\(Files.response("http://example.com/p", id: 1, body: whole).count)" }?.blob == SHA256.hash(whole).hex)
        // A revisit of another file takes the first record of that id the batch read.
        let later = try #require(s.first { $0.path == "3-later.warc#0" })
        #expect(later.blob == SHA256.hash(Array(whole.prefix(20))).hex && later.value("warc_original") == "1-copy.warc#0")
        #expect(try scratch.archive.log(key: "http://example.com/p").first { $0.isCurrent }?.blob == SHA256.hash(whole).hex)
    }

    @Test("bad revisits: no reference at all, an undecodable digest, an unknown Refers-To: pending with what they name, the rest of the file archived")
    func badRevisits() throws {
        let page = Array("<html><body>a page</body></html>".utf8)
        let scratch = try Scratch("warc-revisits")
        let (report, s) = try Files.ingest([("bad.warc",
            Files.revisit("http://example.com/none", id: 1, fields: [])
            + Files.revisit("http://example.com/junk", id: 2, fields: [("WARC-Payload-Digest", "sha1:!!not base32 or hex!!")])
            + Files.revisit("http://example.com/ref", id: 3, fields: [("WARC-Refers-To", "<urn:uuid:nowhere>")])
            + Files.response("http://example.com/ok", id: 4, body: page))], into: scratch)
        #expect(report.counts["failed"] == 0 && report.counts["pending"] == 3 && report.counts["new"] == 1, "\(report.counts)")
        let pending = s.filter { $0.meaning == "pending" }
        #expect(pending.map { $0.value("url") } == ["http://example.com/none", "http://example.com/junk", "http://example.com/ref"])
        #expect(pending[0].quirks.contains { $0.contains("nothing it refers to") })
        #expect(pending[1].quirks.contains { $0.contains("!!not base32 or hex!!") })
        #expect(pending[2].quirks.contains { $0.contains("urn:uuid:nowhere") })
        #expect(try scratch.archive.db.int("SELECT count(*) FROM pending_references WHERE reference = 'record:urn:uuid:nowhere'") == 1)
        #expect(try scratch.archive.documents().count == 1, "a pending revisit makes no document")
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("an archive whose WARC sightings were recorded before migration 12: their payload references are indexed when it is next opened for writing, and a revisit then resolves against them")
    func indexedAfterMigration() throws {
        let expected = try Self.expected()
        let scratch = try Scratch("warc-revisits")
        _ = try scratch.archive.ingest(paths: [Self.originals], options: quietOptions())
        let indexed = try scratch.archive.db.rows("SELECT reference, blob FROM payload_references ORDER BY 1, 2") { "\($0.text(0)) \($0.int(1))" }
        #expect(indexed.count > 100)
        // As migration 12 leaves an archive made before it: no references, and the mark.
        try scratch.archive.db.execute("DELETE FROM payload_references; INSERT INTO archive (key, value) VALUES ('payload_references', 'to index')")
        let reopened = try Archive.open(at: scratch.path)
        #expect(try reopened.db.rows("SELECT reference, blob FROM payload_references ORDER BY 1, 2") { "\($0.text(0)) \($0.int(1))" } == indexed)
        #expect(try reopened.db.text("SELECT value FROM archive WHERE key = 'payload_references'") == nil)
        let report = try reopened.ingest(paths: [Self.revisits], options: quietOptions())
        #expect(report.counts["pending"] == 0)
        let seen = try Self.sightings(reopened, file: Self.revisits)
        #expect(expected.allSatisfy { seen[$0.offset]?.blob == $0.original })
    }

    @Test("more revisits waiting than the bound: the one waiting longest becomes pending at once, never failed; the waiting count stays bounded")
    func waitingBound() throws {
        let batch = WARCBatchRevisits { _ in nil }
        let item = Walker.Item(path: Array("/x.warc".utf8), relative: Array("x.warc".utf8), kind: .failed("not read"))
        var overflowed: [IngestFile] = []
        for t in 0...WARCRevisitIndex.maxWaiting + 5 {
            let file = IngestFile(item: item, key: "http://example.com/\(t)", pathText: "x.warc#\(t)", pathRaw: nil, fromWARC: true)
            _ = batch.wait(file, reference: .init(digest: WARCDigest(algorithm: "sha1", bytes: [UInt8(t & 255), UInt8(t >> 8 & 255)])), relative: "x.warc")
            if let pending = batch.overflow() { overflowed.append(pending) }
        }
        #expect(overflowed.map(\.pathText) == (0..<6).map { "x.warc#\($0)" })
        #expect(overflowed.allSatisfy { $0.pendingRevisit && $0.content == nil })
        #expect(batch.waiting.count == WARCRevisitIndex.maxWaiting)
        let rest = batch.finish()
        #expect(rest.count == WARCRevisitIndex.maxWaiting && rest.allSatisfy(\.pendingRevisit) && batch.waiting.isEmpty)
    }
}
