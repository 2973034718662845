import CorpusGenerator
import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

@Suite("Faults")
struct FaultTests {
    @Test("a full disk (SQLite's max_page_count) is a clear error; the archive verifies; the ingest completes once there is room")
    func fullDisk() throws {
        let scratch = try Scratch()
        let corpus = NewsCorpus(articles: 300, seed: 61)
        _ = try corpus.write(to: scratch.dir.file("corpus"))
        let pages = try #require(try scratch.archive.db.int("PRAGMA page_count"))
        _ = try scratch.archive.db.int("PRAGMA max_page_count = \(pages + 20)")
        var options = quietOptions()
        options.chunkFiles = 32
        do {
            _ = try scratch.archive.ingest(paths: [scratch.dir.file("corpus")], options: options)
            Issue.record("the ingest should have run out of room")
        } catch let error as QuireError {
            #expect(error.code == .database && error.message.contains("disk is full"), "\(error)")
        }
        #expect(try scratch.archive.verify(record: false).isClean)
        _ = try scratch.archive.db.int("PRAGMA max_page_count = 1073741823")
        let report = try scratch.archive.ingest(paths: [scratch.dir.file("corpus")], options: options)
        #expect(report.counts["failed"] == 0)
        #expect(try scratch.archive.stats().documents == corpus.articles)
        #expect(try scratch.archive.verify(record: false).isClean)
    }
}
