import CorpusGenerator
import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// `repack` stores blobs again in smaller forms without changing a byte, an event or the digest,
/// keeps depths within the limit at every commit, and goes on after an interruption.
@Suite("Repack")
struct RepackTests {
    /// An archive of re-captured and syndicated articles whose blobs are all stored on their own
    /// (as an archive from before deltas, or one ingested in an order that found no bases).
    func plainArchive() throws -> Scratch {
        let scratch = try Scratch("repack")
        let root = scratch.dir.file("corpus")
        let corpus = NewsCorpus(articles: 120, seed: 21)
        try corpus.write(to: root)
        _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        for v in 2...4 {
            try corpus.write(to: root) { $0 % 3 == 0 ? v : 1 }
            _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        }
        try scratch.archive.write {
            let store = scratch.archive.blobs
            // Newest first, so no blob is stored plainly while another still builds on it.
            for blob in try scratch.archive.db.rows("SELECT \(BlobStore.columns) FROM blobs ORDER BY id DESC", [], BlobStore.record)
            where blob.form.holdsBytes {
                try store.restore(blob, as: BlobEncoding.plain(try store.whole(blob)))
            }
        }
        return scratch
    }

    @Test("blobs stored on their own become deltas: smaller, every byte, event and digest the same, verify clean")
    func shrinks() throws {
        let scratch = try plainArchive()
        let archive = scratch.archive
        #expect(try archive.db.int("SELECT count(*) FROM blobs WHERE encoding = 'delta'") == 0)
        let digest = try archive.digest(), state = try archive.state()
        let bytes = try archive.db.rows("SELECT hash FROM blobs", []) { $0.text(0) }.map { try archive.blobBytes(hash: $0) }
        let report = try archive.repack(batch: 50)
        #expect(report.restored > 0)
        #expect(report.storedAfter < report.storedBefore * 3 / 4, "\(report.storedBefore) -> \(report.storedAfter)")
        #expect(try archive.db.int("SELECT count(*) FROM blobs WHERE encoding = 'delta'") ?? 0 > 0)
        #expect(try archive.db.int("SELECT max(depth) FROM blobs") ?? 99 <= BlobEncoding.maxDepth)
        #expect(try archive.digest() == digest && archive.state() == state)
        #expect(try archive.db.rows("SELECT hash FROM blobs", []) { $0.text(0) }.map { try archive.blobBytes(hash: $0) } == bytes)
        #expect(try archive.verify(record: false).isClean)
        // Nothing smaller is left to find: a second run stores nothing again.
        #expect(try archive.repack().restored == 0)
    }

    @Test("a repack stopped part-way leaves verify clean and goes on from where it stopped")
    func resumes() throws {
        let scratch = try plainArchive()
        let archive = scratch.archive
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) {
            try archive.repack(batch: 20) { done, _ in
                seen = done
                if done >= 60 { throw Stop() }
            }
        }
        #expect(seen >= 60)
        #expect(try archive.verify(record: false).isClean)
        let report = try archive.repack(batch: 20)
        #expect(report.resumedFrom > 0)
        #expect(try archive.verify(record: false).isClean)
        #expect(try archive.repack().restored == 0)
    }

    /// Gives the archive 16 KiB pages, as archives had before 8 KiB was chosen.
    func withOldPages(_ archive: Archive) throws {
        #expect(try archive.db.text("PRAGMA journal_mode = DELETE") == "delete")
        try archive.db.execute("PRAGMA page_size = 16384; VACUUM")
        #expect(try archive.db.enableWriteAheadLog() == "wal")
        #expect(try archive.db.int("PRAGMA page_size") == 16384)
    }

    @Test("a new archive has 8 KiB pages; repack --compact gives an older archive's 16 KiB pages the same, every byte kept")
    func compactTakesCurrentPageSize() throws {
        let fresh = try Scratch("pages")
        #expect(try fresh.archive.db.int("PRAGMA page_size") == 8192)
        let scratch = try plainArchive()
        let archive = scratch.archive
        try withOldPages(archive)
        let digest = try archive.digest(), state = try archive.state()
        let bytes = try archive.db.rows("SELECT hash FROM blobs", []) { $0.text(0) }.map { try archive.blobBytes(hash: $0) }
        let report = try archive.repack(compact: true)
        #expect(report.pageSize == 8192)
        #expect(try archive.db.int("PRAGMA page_size") == 8192)
        #expect(try archive.db.journalMode == "wal")
        #expect(try archive.digest() == digest && archive.state() == state)
        #expect(try archive.db.rows("SELECT hash FROM blobs", []) { $0.text(0) }.map { try archive.blobBytes(hash: $0) } == bytes)
        #expect(try archive.verify(record: false).isClean)
        // Reopened, the file is still a WAL archive with the new pages.
        let reopened = try Archive.open(at: archive.path)
        #expect(try reopened.db.int("PRAGMA page_size") == 8192 && reopened.db.journalMode == "wal")
        #expect(try reopened.verify(record: false).isClean)
    }

    @Test("with another connection open, compact keeps the old page size and WAL, and still rewrites the file")
    func compactWithAnotherReader() throws {
        let scratch = try Scratch("pages-busy")
        let root = scratch.dir.file("corpus")
        try NewsCorpus(articles: 20, seed: 4).write(to: root)
        _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        try withOldPages(scratch.archive)
        // Free pages for the rewrite to give back.
        try scratch.archive.db.execute("CREATE TABLE junk AS SELECT * FROM blob_chunks; DROP TABLE junk")
        #expect(try scratch.archive.db.int("PRAGMA freelist_count") ?? 0 > 0)
        let other = try Archive.open(at: scratch.path, readOnly: true)
        _ = try other.state()
        try scratch.archive.compact()
        #expect(try scratch.archive.db.int("PRAGMA freelist_count") == 0)
        #expect(try scratch.archive.db.int("PRAGMA page_size") == 16384)
        #expect(try scratch.archive.db.journalMode == "wal")
        #expect(try scratch.archive.verify(record: false).isClean)
        #expect(try other.state() == scratch.archive.state())
    }
}
