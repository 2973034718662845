import CorpusGenerator
import Deflate
import Foundation
import Hashing
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// Issue 5: a new document that is a near-duplicate of an archived one is compressed with that
/// one's bytes as its preset dictionary.
@Suite("Near-duplicate storage")
struct NearDuplicateStorageTests {
    /// For each rewrite: the blob its bytes are stored against, and the stored size.
    private func storage(_ archive: Archive, _ rewrites: Rewrites) throws -> [(rewrite: Rewrites.Rewrite, base: String?, stored: Int)] {
        try rewrites.items.map { r in
            let hash = SHA256.hash(Array(r.text.utf8)).hex
            let row = try #require(try archive.db.firstRow("""
                SELECT (SELECT hash FROM blobs x WHERE x.id = b.base), b.stored_size FROM blobs b WHERE b.hash = ?
                """, [hash]) { ($0.optionalText(0), $0.int(1)) })
            return (r, row.0, row.1)
        }
    }

    /// The rewrites stored against their original's bytes.
    private func againstOriginal(_ archive: Archive, _ stored: [(rewrite: Rewrites.Rewrite, base: String?, stored: Int)]) throws -> [(rewrite: Rewrites.Rewrite, base: String?, stored: Int)] {
        var found: [(rewrite: Rewrites.Rewrite, base: String?, stored: Int)] = []
        for s in stored {
            let original = try archive.db.text("""
                SELECT b.hash FROM documents d JOIN versions v ON v.id = d.head JOIN blobs b ON b.id = v.blob WHERE d.key = ?
                """, s.rewrite.originalKey)
            if s.base != nil && s.base == original { found.append(s) }
        }
        return found
    }

    /// An archive holding a generated corpus (day 1), then rewrites of its articles (day 2).
    private func twoDays(articles: Int, seed: UInt64, every: Int) throws -> (copies: Copies, rewrites: Rewrites) {
        let c = try Copies(1)
        let corpus = NewsCorpus(articles: articles, seed: seed)
        try corpus.write(to: c.dir.file("day1"))
        _ = try c[0].ingest(paths: [c.dir.file("day1")], options: quietOptions())
        let rewrites = try Rewrites(of: corpus, in: c.dir, folder: "day2", every: every, wordsPerChange: 100)
        _ = try c[0].ingest(paths: [c.dir.file("day2")], options: quietOptions())
        return (c, rewrites)
    }

    @Test("rewrites ingested after their originals are stored against them, in well under half the space of zlib alone")
    func againstArchivedOriginals() throws {
        let (c, rewrites) = try twoDays(articles: 300, seed: 77, every: 3)

        let stored = try storage(c[0], rewrites)
        var againstOriginal = 0, nearBytes = 0, aloneBytes = 0
        for s in try self.againstOriginal(c[0], stored) {
            againstOriginal += 1
            nearBytes += s.stored
            aloneBytes += try Deflater.compress(Array(s.rewrite.text.utf8), level: BlobEncoding.defaultLevel).count
        }
        let share = Double(againstOriginal) / Double(stored.count)
        print("near-duplicate bases: \(againstOriginal) of \(stored.count) rewrites stored against their original; \(nearBytes) bytes vs \(aloneBytes) with zlib alone")
        #expect(stored.count >= 40)
        #expect(share >= 0.8)
        #expect(nearBytes * 4 < aloneBytes)
        // Every blob still reads back to its hash.
        #expect(try c[0].verify(record: false).problems.isEmpty)
    }

    @Test("a rewrite in the same ingest as its original is stored against it; keys are recorded per blob")
    func withinOneIngest() throws {
        let c = try Copies(1)
        let corpus = NewsCorpus(articles: 120, seed: 5)
        try corpus.write(to: c.dir.file("batch"))
        let rewrites = try Rewrites(of: corpus, in: c.dir, folder: "batch", every: 2, wordsPerChange: 100)
        _ = try c[0].ingest(paths: [c.dir.file("batch")], options: quietOptions())
        let stored = try storage(c[0], rewrites)
        let againstOriginal = try self.againstOriginal(c[0], stored).count
        #expect(againstOriginal * 10 >= stored.count * 8, "\(againstOriginal) of \(stored.count)")
        // Each article blob has its two keys.
        #expect(try c[0].db.int("SELECT count(*) FROM article_near_keys") ?? 0 >= 2 * (try c[0].db.int("SELECT count(*) FROM articles WHERE kind = 'text'") ?? 0))
    }

    @Test("a base that is redacted leaves its near-duplicates readable, and its keys go with it")
    func redactedBase() throws {
        let (c, rewrites) = try twoDays(articles: 60, seed: 9, every: 1)
        let stored = try storage(c[0], rewrites)
        let based = try #require(try againstOriginal(c[0], stored).first)
        try c[0].redact(hash: based.base!, reason: "test", agent: "tester")
        #expect(try c[0].db.int("SELECT count(*) FROM article_near_keys k JOIN blobs b ON b.id = k.blob WHERE b.hash = ?", based.base!) == 0)
        let hash = SHA256.hash(Array(based.rewrite.text.utf8)).hex
        let record = try #require(try c[0].blobs.record(hash: hash))
        #expect(try c[0].blobs.bytes(record) == Array(based.rewrite.text.utf8))
        #expect(try c[0].verify(record: false).problems.isEmpty)
    }
}
