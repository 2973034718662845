import CorpusGenerator
import Foundation
import Hashing
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// Copies of one archive, each in its own file.
final class Copies {
    let dir = TemporaryDirectory("sync")
    var archives: [Archive] = []
    init(_ count: Int) throws {
        for i in 0..<count { archives.append(try Archive.create(at: dir.file("copy\(i).quire"))) }
    }
    subscript(_ i: Int) -> Archive { archives[i] }

    /// Writes a bundle from `a` for what `b` holds and imports it into `b`.
    @discardableResult
    func send(_ a: Int, _ b: Int, all: Bool = false, thin: Bool = false) throws -> ImportReport {
        let path = dir.file("b-\(UUID().uuidString).bundle")
        _ = try archives[a].writeBundle(base: all ? ArchiveState() : archives[b].state(), thin: thin, to: path)
        return try archives[b].importBundle(at: path)
    }

    /// Ingests text files into copy `i` (key -> text).
    func ingest(_ i: Int, _ files: [String: String], label: String = "batch") throws -> IngestReport {
        let root = dir.file("in-\(UUID().uuidString)")
        for (key, text) in files { try dir.write(String(root.dropFirst(dir.path.count + 1)) + "/" + key, text) }
        var options = IngestOptions()
        options.label = label
        return try archives[i].ingest(paths: [root], options: options)
    }
}

@Suite("Sync")
struct SyncTests {
    @Test("state lists each origin's last event; digest is equal exactly when content is")
    func stateAndDigest() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        let state = try c[0].state()
        #expect(state.archive == c[0].id)
        #expect(state.origins.count == 1)
        let tip = try #require(state.origins[c[0].id])
        #expect(tip.seq == 3) // batch.open, sightings, batch.close
        #expect(try ArchiveState(json: JSON.parse(state.json.canonical)) == state)
        #expect(try c[0].digest() != c[1].digest())
        try c.send(0, 1)
        // Copy 1 recorded the import (an event); once that reaches copy 0 they hold the same.
        #expect(try c[0].digest() != c[1].digest())
        try c.send(1, 0)
        #expect(try c[0].digest() == c[1].digest())
        _ = try c.ingest(1, ["b.txt": "beta\n"])
        #expect(try c[0].digest() != c[1].digest())
    }

    @Test("an incremental bundle holds exactly the events past the state and the blobs the receiver lacks")
    func incremental() throws {
        let c = try Copies(2)
        let corpus = NewsCorpus(articles: 60, seed: 3)
        let root = c.dir.file("corpus")
        try corpus.write(to: root)
        _ = try c[0].ingest(paths: [root])
        try c.send(0, 1)
        // Ten edited articles and a new one.
        try corpus.write(to: root) { $0 < 10 ? 2 : 1 }
        try c.dir.write("corpus/new/fresh.txt", "A brand new article.\n")
        _ = try c[0].ingest(paths: [root])
        let before = try c[1].state()
        let path = c.dir.file("inc.bundle")
        let summary = try c[0].writeBundle(base: before, to: path)
        let edited = (0..<10).filter { corpus.versionCount($0) >= 2 }.count
        #expect(summary.header.blobs == edited + 1)
        #expect(summary.header.events == 3) // one batch: open, one sightings chunk, close
        #expect(summary.header.base.origins == before.origins)
        let report = try c[1].importBundle(at: path)
        #expect(report.eventsAdded == 3 && report.blobsAdded == edited + 1)
        try c.send(1, 0)
        #expect(try c[0].digest() == c[1].digest())
    }

    @Test("every blob gets its article row; ingest and import look only past the articles_through mark")
    func articleRowsPastTheMark() throws {
        let c = try Copies(2)
        func mark(_ i: Int) throws -> Int? { try c[i].db.text("SELECT value FROM archive WHERE key = 'articles_through'").flatMap { Int($0) } }
        func lacking(_ i: Int) throws -> Int? { try c[i].db.int("SELECT count(*) FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.blob = b.id)") }
        try c.ingest(0, ["a.txt": "Alpha\n\nThe first story.", "b.txt": "Beta\n\nThe second story."])
        #expect(try mark(0) == c[0].db.int("SELECT max(id) FROM blobs"))
        #expect(try lacking(0) == 0)

        // Blobs up to the mark are not looked at again: a row removed below it stays missing...
        try c[0].db.run("DELETE FROM articles WHERE blob = (SELECT min(id) FROM blobs)")
        try c.ingest(0, ["c.txt": "Gamma\n\nThe third story."])
        #expect(try lacking(0) == 1)
        #expect(try mark(0) == 3)
        // ...while an archive from before the mark has every blob looked at once.
        try c[0].db.run("DELETE FROM archive WHERE key = 'articles_through'")
        try c.ingest(0, ["d.txt": "Delta\n\nThe fourth story."])
        #expect(try lacking(0) == 0)
        #expect(try mark(0) == 4)

        // Imported blobs land above the receiver's mark and get their rows.
        try c.ingest(1, ["z.txt": "Zeta\n\nA story of the other copy."])
        #expect(try mark(1) == 1)
        try c.send(0, 1)
        #expect(try c[1].db.int("SELECT count(*) FROM blobs") == 5)
        #expect(try lacking(1) == 0)
        #expect(try mark(1) == 5)
        #expect(try c[1].db.int("SELECT count(*) FROM articles WHERE fields LIKE '%Gamma%'") == 1)
    }


    @Test("an import of several metadata batches (read in the background) gives every blob its row and index entry, in order")
    func importAcrossArticleBatches() throws {
        let c = try Copies(2)
        // 2.5 batches of blobs, so one batch is still being read when the next is handed over and
        // the last is written only by the final flush.
        let count = ArticleBatch.maxItems * 5 / 2
        var files: [String: String] = [:]
        for i in 0..<count { files["s\(i).txt"] = "Story number \(i)\n\nThe body of story \(i) mentions word\(i)." }
        try c.ingest(0, files)
        let report = try c.send(0, 1)
        #expect(report.blobsAdded == count)
        #expect(try c[1].db.int("SELECT count(*) FROM blobs b JOIN articles a ON a.blob = b.id WHERE a.kind = 'text'") == count)
        // Each blob's row holds its own title (the results were not shuffled between batches).
        let mismatched = try c[1].db.int("""
            SELECT count(*) FROM sightings s JOIN paths p ON p.id = s.path JOIN articles a ON a.blob = s.blob
            WHERE a.fields NOT LIKE '%"Story number ' || substr(p.path, 2, length(p.path) - 5) || '"%'
            """)
        #expect(mismatched == 0)
        #expect(try c[1].db.int("SELECT count(*) FROM article_index") == count)
        for i in [0, ArticleBatch.maxItems, count - 1] {
            #expect(try c[1].search(SearchQuery("word\(i)")).count == 1, "word\(i)")
        }
        #expect(try c[1].verify(record: false).problems.isEmpty)
    }
    @Test("import is idempotent: the same bundle twice adds nothing the second time")
    func idempotent() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n", "b.txt": "beta\n"])
        let path = c.dir.file("x.bundle")
        _ = try c[0].writeBundle(base: ArchiveState(), to: path)
        let first = try c[1].importBundle(at: path)
        #expect(first.eventsAdded == 3 && first.blobsAdded == 2 && first.changed)
        let digest = try c[1].digest()
        let second = try c[1].importBundle(at: path)
        #expect(second.eventsAdded == 0 && second.blobsAdded == 0 && !second.changed)
        #expect(second.eventsKnown == 3 && second.blobsKnown == 2)
        #expect(try c[1].digest() == digest)
    }

    @Test("a bundle whose base is past this archive's state is refused, naming what is missing")
    func missingPrerequisites() throws {
        let c = try Copies(3)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        try c.send(0, 1)
        _ = try c.ingest(0, ["a.txt": "alpha 2\n"])
        // A bundle for copy 1 (which has the first batch); copy 2 has nothing.
        let path = c.dir.file("inc.bundle")
        _ = try c[0].writeBundle(base: try c[1].state(), to: path)
        let digest = try c[2].digest()
        do {
            _ = try c[2].importBundle(at: path)
            Issue.record("a bundle with missing prerequisites was imported")
        } catch let error as QuireError {
            #expect(error.message.contains("lacks"))
            #expect(error.message.contains("\(c[0].id) events 1-3"))
        }
        #expect(try c[2].digest() == digest)
        #expect(try c[2].state().origins.isEmpty)
    }

    @Test("verify checks a bundle and changes nothing")
    func verifyChangesNothing() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        let path = c.dir.file("x.bundle")
        _ = try c[0].writeBundle(base: ArchiveState(), to: path)
        let digest = try c[1].digest()
        let report = try c[1].verifyBundle(at: path)
        #expect(report.eventsAdded == 3 && !report.changed)
        #expect(try c[1].digest() == digest)
        #expect(try c[1].state().origins.isEmpty)
        #expect(try c[1].peers().isEmpty)
    }

    @Test("sync exchanges both ways and leaves equal digests; peers remember what was exchanged")
    func syncBothWays() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        _ = try c.ingest(1, ["b.txt": "beta\n"])
        let report = try c[0].sync(with: c[1])
        #expect(report.sent > 0 && report.received > 0)
        #expect(try c[0].digest() == c[1].digest())
        #expect(try c[0].documents().map(\.key) == ["a.txt", "b.txt"])
        let peers = try c[0].peers()
        #expect(peers.map(\.archive) == [c[1].id])
        #expect(peers[0].exchanges.contains { $0.direction == "sent" } && peers[0].exchanges.contains { $0.direction == "received" })
        #expect(peers[0].known.covers(try c[1].state()))
        // Nothing new: a second sync exchanges nothing.
        let again = try c[0].sync(with: c[1])
        #expect(again.sent == 0 && again.received == 0)
    }

    @Test("--for PEER makes an incremental bundle from what was last exchanged")
    func forPeer() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        let path = c.dir.file("first.bundle")
        let s1 = try c[0].writeBundle(base: ArchiveState(), to: path)
        try c[0].noteSent(s1, to: c[1].id, file: path)
        _ = try c[1].importBundle(at: path, peerName: "zero")
        _ = try c.ingest(0, ["b.txt": "beta\n"])
        let known = try c[0].peer(c[1].id).known
        let s2 = try c[0].writeBundle(base: known, to: c.dir.file("second.bundle"))
        #expect(s2.header.events == 3 && s2.header.blobs == 1)
        #expect(try c[1].importBundle(at: c.dir.file("second.bundle")).eventsAdded == 3)
        #expect(try c[1].peer("zero").archive == c[0].id)
    }

    @Test("imports are recorded and travel: a third copy sees which bundle brought events into the second")
    func importsTravel() throws {
        let c = try Copies(3)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        let report = try c.send(0, 1)
        try c.send(1, 2)
        let db = try Database(path: c[2].path, mode: .readOnly)
        let route = try db.rows("""
            SELECT i.archive, i.source, i.bundle, r.first, r.last FROM imports i JOIN import_ranges r ON r.import = i.id
            WHERE r.origin = ?
            """, [c[0].id]) { "\($0.text(0)) \($0.text(1)) \($0.text(2)) \($0.int(3)) \($0.int(4))" }
        #expect(route.contains("\(c[1].id) \(c[0].id) \(report.header.bundle) 1 3"))
        #expect(route.contains { $0.hasPrefix(c[2].id + " " + c[1].id) })
    }

    @Test("concurrent edits fork a document; every copy picks the same head; ingest or resolve merges")
    func forks() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["story.txt": "first version\n"])
        try c.send(0, 1)
        _ = try c.ingest(0, ["story.txt": "edited in copy zero\n"])
        _ = try c.ingest(1, ["story.txt": "edited in copy one\n"])
        _ = try c[0].sync(with: c[1])
        for archive in c.archives {
            let forked = try archive.forkedDocuments()
            #expect(forked.map(\.key) == ["story.txt"])
            #expect(forked[0].heads.count == 2)
        }
        let head0 = try c[0].documents()[0].head, head1 = try c[1].documents()[0].head
        #expect(head0 == head1)
        // The log shows both branches off version 1.
        let log = try c[0].log(key: "story.txt")
        #expect(log.count == 3 && log[1].parents == [log[0].hash] && log[2].parents == [log[0].hash])

        // Resolving in copy one records a merge with both heads as parents; it syncs.
        let merge = try c[1].resolveFork(key: "story.txt", reference: log[1].hash, note: "zero's wording")
        #expect(Set(merge.parents) == Set([log[1].hash, log[2].hash]))
        #expect(merge.blob == log[1].blob)
        _ = try c[1].sync(with: c[0])
        for archive in c.archives {
            #expect(try archive.forkedDocuments().isEmpty)
            #expect(try archive.documents()[0].head == merge.hash)
        }
        #expect { try c[0].resolveFork(key: "story.txt", reference: log[1].hash) } throws: { ($0 as? QuireError)?.message.contains("one head") == true }
    }

    @Test("ingesting a newer version of a forked document merges its heads")
    func ingestMerges() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["story.txt": "v1\n"])
        try c.send(0, 1)
        _ = try c.ingest(0, ["story.txt": "v2a\n"])
        _ = try c.ingest(1, ["story.txt": "v2b\n"])
        _ = try c[0].sync(with: c[1])
        _ = try c.ingest(0, ["story.txt": "v3\n"])
        let v3 = try c[0].log(key: "story.txt").last!
        #expect(v3.parents.count == 2)
        #expect(try c[0].forkedDocuments().isEmpty)
    }

    @Test("a thin bundle is smaller, and is refused where its base is missing")
    func thin() throws {
        let c = try Copies(3)
        var text = "Headline\n\n"
        for i in 0..<200 { text += "Sentence number \(i) of a long article about the harbour and its ferries.\n" }
        _ = try c.ingest(0, ["story.txt": text])
        try c.send(0, 1)
        _ = try c.ingest(0, ["story.txt": text + "One more sentence at the end.\n"])
        let state = try c[1].state()
        let thick = try c[0].writeBundle(base: state, to: c.dir.file("thick.bundle"))
        let thinSummary = try c[0].writeBundle(base: state, thin: true, to: c.dir.file("thin.bundle"))
        #expect(thinSummary.header.requires.contains("thin"))
        #expect(thinSummary.bytes < thick.bytes)
        #expect(try c[1].importBundle(at: c.dir.file("thin.bundle")).blobsAdded == 1)
        #expect(try c[1].blobBytes(hash: SHA256.hash(text + "One more sentence at the end.\n").hex).count > 0)
        // Copy 2 has neither the base blob nor the events the bundle builds on.
        let digest = try c[2].digest()
        #expect(throws: QuireError.self) { try c[2].importBundle(at: c.dir.file("thin.bundle")) }
        #expect(try c[2].digest() == digest)
    }

    @Test("a blob compressed against one the bundle leaves out is sent self-contained, not thin")
    func selfContainedByDefault() throws {
        let c = try Copies(2)
        let page = { (i: Int) in "<html><nav>" + String(repeating: "Home Local Politics Business Sport ", count: 30) + "</nav><p>story \(i)</p></html>\n" }
        _ = try c.ingest(0, ["site/a.html": page(0)])
        try c.send(0, 1)
        // A new version of the page: stored against the first, which the receiver holds.
        _ = try c.ingest(0, ["site/a.html": page(1)])
        let info = try #require(try c[0].blobInfo(hash: SHA256.hash(page(1)).hex))
        #expect(info.base == SHA256.hash(page(0)).hex)
        let summary = try c[0].writeBundle(base: try c[1].state(), to: c.dir.file("inc.bundle"))
        #expect(summary.header.requires.isEmpty && summary.header.blobs == 1)
        let inspection = try BundleInspection.inspect(c.dir.file("inc.bundle"))
        #expect(inspection.externalBases == 0 && inspection.zlibBlobRecords == 1)
        #expect(try c[1].importBundle(at: c.dir.file("inc.bundle")).blobsAdded == 1)
        #expect(try c[1].blobBytes(hash: info.hash) == Array(page(1).utf8))
    }

    @Test("the visible state rebuilt from events equals the state after imports, forks and merges")
    func rebuildAfterSync() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["story.txt": "v1\n", "other.txt": "x\n"])
        try c.send(0, 1)
        _ = try c.ingest(0, ["story.txt": "v2a\n"])
        _ = try c.ingest(1, ["story.txt": "v2b\n"])
        _ = try c[0].sync(with: c[1])
        let log = try c[1].log(key: "story.txt")
        try c[1].resolveFork(key: "story.txt", reference: log[1].hash)
        _ = try c[1].sync(with: c[0])
        for archive in c.archives {
            let before = try archive.visibleState()
            let digest = try archive.digest()
            try archive.rebuildDerivedState()
            #expect(try archive.visibleState() == before)
            #expect(try archive.digest() == digest)
            #expect(try archive.chainProblems().isEmpty)
        }
    }
}
