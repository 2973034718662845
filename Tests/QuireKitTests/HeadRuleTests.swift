import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// Every document's stored head against the head rule computed in full (docs/schema.md): the
/// latest whole leaf, else the latest whole version, else the latest leaf; ties by the larger
/// hash. Recording a version settles the head without the full rule in the common cases (a first
/// version, a whole version later than the head), so this checks those shortcuts agree with the
/// rule through histories that take every branch: forks from two copies whose versions arrive
/// out of creation order, versions seen again, and partial captures (404s) over whole ones.
@Suite("Head rule")
struct HeadRuleTests {
    static let rule = """
        SELECT d.key, d.head, coalesce(
            (SELECT v.id FROM versions v WHERE v.document = d.id AND v.partial IS NULL
                AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id) ORDER BY v.created_at DESC, v.hash DESC LIMIT 1),
            (SELECT v.id FROM versions v WHERE v.document = d.id AND v.partial IS NULL ORDER BY v.created_at DESC, v.hash DESC LIMIT 1),
            (SELECT v.id FROM versions v WHERE v.document = d.id
                AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id) ORDER BY v.created_at DESC, v.hash DESC LIMIT 1))
        FROM documents d ORDER BY d.id
        """

    /// The documents whose stored head is not the rule's.
    static func wrongHeads(_ archive: Archive) throws -> [String] {
        try archive.db.rows(rule) { ($0.text(0), $0.optionalInt(1), $0.optionalInt(2)) }
            .filter { $0.1 != $0.2 }.map { "\($0.0): stored \($0.1.map(String.init) ?? "none"), rule \($0.2.map(String.init) ?? "none")" }
    }

    @Test("through forks, out-of-order arrivals, repeats and partial captures, in two copies, every head is the full rule's")
    func headsFollowTheRule() throws {
        let c = try Copies(2)
        var random = SeededRandom(seed: 18)
        let keys = ["a.txt", "b.txt", "c.txt"], texts = ["one\n", "two\n", "three\n", "four\n"]
        let urls = ["http://example.com/x", "http://example.com/y"]
        var warcID = 0
        var partials = 0
        for step in 0..<60 {
            let copy = Int(random.next() % 2)
            switch random.next() % 5 {
            case 0, 1:
                let key = keys[Int(random.next() % 3)]
                _ = try c.ingest(copy, [key: texts[Int(random.next() % 4)]])
            case 2:
                // A capture of a URL, whole or a 404: partial versions over whole ones and under them.
                warcID += 1
                let url = urls[Int(random.next() % 2)]
                let missing = random.next() % 2 == 0
                if missing { partials += 1 }
                let body = Array("<html><title>\(url)</title><p>\(texts[Int(random.next() % 4)])</p></html>".utf8)
                let file = missing ? WARCTestFiles.response(url, id: warcID, status: "HTTP/1.1 404 Not Found", body: body)
                                   : WARCTestFiles.response(url, id: warcID, body: body)
                _ = try c.dir.write("warc-\(warcID)/crawl.warc", file)
                _ = try c[copy].ingest(paths: [c.dir.file("warc-\(warcID)")], options: quietOptions())
            default:
                // The other copy's versions arrive: created before or after this copy's own.
                try c.send(1 - copy, copy)
            }
            for i in 0..<2 {
                let wrong = try Self.wrongHeads(c[i])
                #expect(wrong.isEmpty, "step \(step), copy \(i): \(wrong)")
            }
        }
        _ = try c[0].sync(with: c[1])
        for i in 0..<2 {
            #expect(try Self.wrongHeads(c[i]).isEmpty)
            #expect(try c[i].verify(record: false).isClean)
        }
        // The histories took the branches the shortcuts skip: forks (a document with two leaves)
        // and partial versions.
        let forks = try c[0].db.int("""
            SELECT count(*) FROM documents d WHERE (SELECT count(*) FROM versions v WHERE v.document = d.id
                AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)) > 1
            """) ?? 0
        #expect(forks > 0)
        let partialVersions = try c[0].db.int("SELECT count(*) FROM versions WHERE partial IS NOT NULL") ?? 0
        #expect(partials > 0 && partialVersions > 0, "\(partials) 404s, \(partialVersions) partial versions")
    }
}
