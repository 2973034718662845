import CorpusGenerator
import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// docs/schema.md promises that an archive can be read with only SQLite and zlib. These tests
/// read archives with Python's sqlite3, zlib and hashlib, following the documented rules, and
/// with the sqlite3 shell.
@Suite("Readable without Quire")
struct ReadableWithoutQuireTests {
    /// The reader from docs/schema.md, plus checks: every blob's bytes hash to its address, and
    /// every event's chain hash recomputes.
    static let reader = #"""
    import hashlib, sqlite3, sys, zlib
    db = sqlite3.connect(sys.argv[1])
    \#(PythonDeltaReader.applyDelta)
    def read(blob_id):
        enc, base = db.execute("SELECT encoding, base FROM blobs WHERE id=?", (blob_id,)).fetchone()
        data = b"".join(r[0] for r in db.execute("SELECT data FROM blob_chunks WHERE blob=? ORDER BY n", (blob_id,)))
        if enc == "raw":
            return data
        if enc == "delta":
            return apply_delta(read(base), zlib.decompress(data))
        d = zlib.decompressobj(zdict=read(base)[:32768]) if base else zlib.decompressobj()
        return d.decompress(data) + d.flush()
    blobs = 0
    for blob_id, h, size in db.execute("SELECT id, hash, size FROM blobs").fetchall():
        data = read(blob_id)
        assert hashlib.sha256(data).hexdigest() == h, h
        assert len(data) == size
        blobs += 1
    events = 0
    tips = {}
    compressed = 0
    for origin, seq, kind, at, payload, size, h in db.execute(
            "SELECT o.archive, e.seq, e.kind, e.at, e.payload, e.payload_size, e.hash FROM events e JOIN origins o ON o.id = e.origin ORDER BY o.archive, e.seq"):
        if size is not None:
            payload = zlib.decompress(payload).decode()
            assert len(payload.encode()) == size
            compressed += 1
        prev = tips.get(origin, "0" * 64)
        text = "\n".join([prev, origin, str(seq), kind, at, payload])
        assert hashlib.sha256(text.encode()).hexdigest() == h, (origin, seq)
        tips[origin] = h
        events += 1
    assert compressed > 0
    assert db.execute("SELECT count(*) FROM blobs WHERE encoding = 'delta'").fetchone()[0] > 0, "no delta was read"
    print(blobs, events)
    """#

    @Test("Python's sqlite3 and zlib read every blob and recompute every event hash, as documented")
    func pythonReader() throws {
        let scratch = try Scratch()
        let root = scratch.dir.file("corpus")
        let corpus = NewsCorpus(articles: 150, seed: 12)
        try corpus.write(to: root)
        _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        // Versions stored against their parents, some long chains.
        for v in 2...5 { try corpus.write(to: root) { $0 % 4 == 0 ? v : 1 }; _ = try scratch.archive.ingest(paths: [root], options: quietOptions()) }
        _ = try scratch.archive.ingest(paths: [sharedDirectory + "/samples/seed-batch"], options: quietOptions())
        let stats = try scratch.archive.stats()
        let script = try scratch.dir.write("reader.py", Self.reader)
        let result = try runProcess("python3", [script, scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == "\(stats.blobs) \(stats.events)\n")
        let db = try SQLiteShell(scratch.path)
        #expect(try db.query("SELECT count(*) FROM blobs WHERE base IS NOT NULL") != "0")
    }

    @Test("the sqlite3 shell answers the questions in docs/schema.md")
    func sqliteShell() throws {
        let scratch = try Scratch()
        var options = quietOptions(label: "morning scrape")
        options.agent = "ana@newsroom"
        let samples = repositoryRoot + "/Archives/samples"
        _ = try scratch.archive.ingest(paths: [samples + "/day-1", samples + "/day-2"], options: options)
        let db = try SQLiteShell(scratch.path)
        #expect(try db.query("PRAGMA application_id") == "1364543826")
        let newFiles = try db.query("SELECT path FROM sighting_list WHERE batch_label = 'morning scrape' AND meaning = 'new' ORDER BY path")
        #expect(newFiles.split(separator: "\n").count == 6)
        let hash = try db.query("SELECT l.blob FROM sighting_list l JOIN sightings s ON s.id = l.id WHERE l.meaning = 'new' AND s.held = 1")
        let everySighting = try db.query("SELECT l.meaning, s.held, l.agent FROM sighting_list l JOIN sightings s ON s.id = l.id WHERE l.blob = '\(hash)' ORDER BY l.seen_at, l.path")
        #expect(everySighting == "new|0|ana@newsroom\nnew|1|ana@newsroom")
        #expect(try db.query("SELECT label, files, new, version, duplicate, unchanged, failed FROM batch_list") == "morning scrape|8|6|1|0|1|0")
        // Where each file was read from: its root and the full path (schema 12).
        #expect(try db.query("SELECT count(DISTINCT root) FROM sighting_reads") == "2")
        #expect(try db.query("SELECT full_path FROM sighting_reads WHERE path = 'metro-daily/transit-fares.html'") == samples + "/day-2/metro-daily/transit-fares.html")
        #expect(try db.query("SELECT count(*) FROM events e WHERE seq > 1 AND NOT EXISTS (SELECT 1 FROM events p WHERE p.origin = e.origin AND p.seq = e.seq - 1)") == "0")
    }

    @Test("the sqlite3 shell inflates compressed event payloads with sqlar_uncompress, as documented, to the text the chain hash covers")
    func compressedPayloadsInTheShell() throws {
        let scratch = try Scratch()
        let root = scratch.dir.file("corpus")
        try NewsCorpus(articles: 40, seed: 3).write(to: root)
        _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        let db = try SQLiteShell(scratch.path)
        #expect(try db.query("SELECT count(*) FROM events WHERE kind = 'sightings' AND typeof(payload) = 'blob' AND payload_size > length(payload)") != "0")
        // A short payload stays text anyone can read.
        #expect(try db.query("SELECT typeof(payload) FROM events WHERE kind = 'batch.open'") == "text")
        let rows = try db.query("""
            SELECT o.archive || '|' || e.seq || '|' || e.kind || '|' || e.at || '|' || e.hash || '|' ||
                   CASE WHEN e.payload_size IS NULL THEN e.payload ELSE CAST(sqlar_uncompress(e.payload, e.payload_size) AS TEXT) END
            FROM events e JOIN origins o ON o.id = e.origin ORDER BY e.seq
            """).split(separator: "\n")
        var previous = Event.genesis
        for row in rows {
            let f = row.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            #expect(Event.chainHash(previous: previous, origin: f[0], seq: Int(f[1])!, kind: f[2], at: f[3], payload: f[5]) == f[4], "event \(f[1])")
            #expect((try? JSON.parse(Array(f[5].utf8))) != nil)
            previous = f[4]
        }
        #expect(rows.count == (try scratch.archive.stats()).events)
    }
}

/// The sqlite3 command-line shell on one file.
struct SQLiteShell {
    let path: String
    init(_ path: String) throws { self.path = path }
    func query(_ sql: String) throws -> String {
        let r = try runProcess("sqlite3", [path, sql])
        guard r.status == 0 else { throw QuireError(.database, r.stderr) }
        return r.stdoutText.trimmingCharacters(in: .newlines)
    }
}
