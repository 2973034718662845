import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// Two copies whose derived tables hold a row of every kind: batches with supplied metadata,
/// versions with parents, a fork resolved by a merge, imports and their ranges, a redaction and
/// the quarantine it causes in the other copy, a WARC batch, a repack, recorded verifications and
/// peers. Closed, so tests can forge the files.
private func richFixture() throws -> (copies: Copies, paths: [String]) {
    let c = try Copies(2)
    let root = c.dir.file("in1")
    _ = try c.dir.write("in1/a.txt", String(repeating: "The council met on Tuesday to discuss the budget. ", count: 30))
    _ = try c.dir.write("in1/b.txt", "A secret source said the mayor will resign.\n")
    _ = try c.dir.write("in1/caf\u{E9}.txt", "The caf\u{E9} on the square reopens.\n")   // a name with an accent, written precomposed
    _ = try c.dir.write("in1/story.html", """
        <html><head><title>Storm</title><link rel="canonical" href="https://news.example.org/storm"></head>
        <body><p>The storm reached the coast on Monday.</p></body></html>
        """)
    var options = quietOptions(label: "one")
    options.supplied = ["a.txt": [MetadataField(name: "title", value: "Budget talks", extractor: "supplied")]]
    _ = try c[0].ingest(paths: [root], options: options)
    _ = try c.ingest(0, ["a.txt": String(repeating: "The council met on Tuesday to discuss the budget. ", count: 30) + "Update.\n"], label: "two")
    try c.send(0, 1)
    _ = try c.ingest(0, ["story.txt": "v2a\n"])
    try c.send(0, 1)
    _ = try c.ingest(0, ["story.txt": "v3a\n"])
    _ = try c.ingest(1, ["story.txt": "v3b\n"])
    _ = try c[0].sync(with: c[1])
    let log = try c[1].log(key: "story.txt")
    _ = try c[1].resolveFork(key: "story.txt", reference: log[0].hash)
    let secret = try c[0].resolve("b.txt").blobHash
    _ = try c[0].redact(hash: secret, reason: "source protection")
    _ = try c[0].sync(with: c[1])
    #expect(try c[1].custody(blob: secret) == .quarantined)
    let warc = WARCTestFiles.response("https://news.example.org/warc-page", id: 1, body: Array("<html><title>W</title><p>From a crawl.</p></html>".utf8))
    // A revisit whose original is in no file: a pending sighting with its references.
    let revisit = WARCTestFiles.revisit("https://news.example.org/elsewhere", id: 2,
                                        fields: [("WARC-Payload-Digest", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")])
    _ = try c.dir.write("in-warc/crawl.warc", warc + revisit)
    _ = try c[1].ingest(paths: [c.dir.file("in-warc")], options: quietOptions(label: "crawl"))
    _ = try c[1].repack()
    _ = try c[0].verify()
    _ = try c[1].sync(with: c[0])
    let paths = c.archives.map(\.path)
    c.archives.removeAll()
    return (c, paths)
}

/// Runs `sql` on the file with a plain SQLite connection, as `sqlite3 FILE "..."` would.
private func forge(_ path: String, _ sql: String) throws {
    let db = try Database(path: path)
    try db.execute("PRAGMA foreign_keys = OFF")
    try db.execute(sql)
}

/// A copy of `path` to forge, under `dir`.
private func copyOf(_ path: String, in dir: TemporaryDirectory) throws -> String {
    let to = dir.file("forged-\(UUID().uuidString.prefix(8)).quire")
    try FileManager.default.copyItem(atPath: path, toPath: to)
    return to
}

@Suite("Derived state")
struct DerivedStateTests {
    @Test("archives after ingest, --meta, forks, merges, imports, redaction, quarantine, WARC and repack verify clean, full and quick")
    func cleanArchives() throws {
        let (c, paths) = try richFixture()
        for path in paths {
            let archive = try Archive.open(at: path)
            for quick in [false, true] {
                let report = try archive.verify(quick: quick, record: false)
                #expect(report.isClean, "\(path) quick=\(quick): \(report.problems.map(\.description))")
            }
            // The fixture holds a row of every derived table, so the forgeries below touch real rows.
            for table in DerivedStateCheck.tables.map(\.name) where !(path == paths[0] && table == "quarantine") {
                #expect(try archive.db.int("SELECT count(*) FROM \(table)")! > 0, "\(path): \(table) is empty")
            }
        }
        _ = c
    }

    /// One forgery per derived table (and the issue's), each by raw SQL on the file, and the table
    /// the problem must name; `quick` when `verify --quick` must catch it too.
    static let forgeries: [(sql: String, table: String, quick: Bool)] = [
        ("UPDATE batches SET agent = 'mallory@evil', source = 'reuters', started_at = '2020-01-01T00:00:00.000Z' WHERE id = 1", "batches", true),
        ("UPDATE batches SET finished_at = NULL WHERE id = 2", "batches", true),
        ("UPDATE batches SET label = 'other' WHERE id = (SELECT max(id) FROM batches)", "batches", true),
        ("UPDATE paths SET path = 'renamed.txt' WHERE id = 1", "paths", false),
        ("INSERT INTO paths (path) VALUES ('never-seen.txt')", "paths", false),
        ("DELETE FROM sightings WHERE id = 2", "sightings", true),
        ("UPDATE sightings SET mtime = '1999-01-01T00:00:00Z' WHERE id = 1", "sightings", false),
        ("UPDATE sightings SET meaning = 'duplicate' WHERE id = 1", "sightings", true),
        ("UPDATE documents SET key = 'https://elsewhere.example.org/' WHERE id = 1", "documents", false),
        ("UPDATE documents SET head = (SELECT min(id) FROM versions WHERE document = documents.id) WHERE key = 'story.txt'", "documents", false),
        ("UPDATE versions SET created_at = '2000-01-01T00:00:00.000Z' WHERE id = 1", "versions", false),
        ("DELETE FROM version_parents WHERE version = (SELECT max(version) FROM version_parents)", "version_parents", false),
        ("UPDATE supplied_fields SET value = 'Forged title'", "supplied_fields", false),
        ("INSERT INTO supplied_fields (sighting, name, value) VALUES (1, 'title', 'Planted')", "supplied_fields", false),
        ("UPDATE sightings SET path = (SELECT max(id) FROM paths) WHERE id = 1", "sightings", false),
        ("UPDATE roots SET path = '/elsewhere' WHERE id = 1", "roots", false),
        ("INSERT INTO roots (path) VALUES ('/never/seen')", "roots", false),
        // The same name decomposed (e + U+0301): other bytes, though Swift's String == calls them equal.
        ("UPDATE paths SET path = 'cafe' || char(769) || '.txt' WHERE path = 'caf' || char(233) || '.txt'", "paths", false),
        ("UPDATE sightings SET held = 1 - held WHERE held IS NOT NULL AND id = (SELECT max(id) FROM sightings WHERE held IS NOT NULL)", "sightings", false),
        ("UPDATE payload_references SET reference = 'digest:sha1:' || lower(hex(randomblob(20))) WHERE reference = (SELECT min(reference) FROM payload_references)", "payload_references", false),
        ("INSERT INTO pending_references (sighting, reference) SELECT sighting, 'digest:sha1:00' FROM pending_references LIMIT 1", "pending_references", false),
        ("UPDATE imports SET agent = 'mallory@evil' WHERE id = 1", "imports", true),
        ("UPDATE import_ranges SET last = last + 5 WHERE rowid = 1", "import_ranges", true),
        ("DELETE FROM redactions", "redactions", true),
        ("UPDATE redactions SET reason = 'routine' WHERE id = 1", "redactions", true),
        ("INSERT INTO quarantine (blob, event) VALUES ((SELECT min(id) FROM blobs WHERE id NOT IN (SELECT blob FROM quarantine)), 1)", "quarantine", true),
        ("DELETE FROM quarantine", "quarantine", true),
        ("UPDATE verifications SET result = 'problems', problems = 3 WHERE id = 1", "verifications", true),
        ("INSERT INTO verifications (event, archive, at, agent, host, tool, mode, result, problems, blobs, bytes, events) SELECT 1, archive, '2030-01-01T00:00:00.000Z', 'x', 'y', 'z', 'full', 'clean', 0, 0, 0, 0 FROM verifications LIMIT 1", "verifications", true),
        ("UPDATE peers SET known = replace(known, substr(known, instr(known, '\"hash\":\"') + 8, 8), '00000000')", "peers", true),
        ("UPDATE articles SET url = 'https://evil.example.org/' WHERE url IS NOT NULL", "articles", true),
        ("UPDATE articles SET kind = 'html', fields = '[[\"title\",\"Back\",\"supplied\"]]' WHERE blob IN (SELECT id FROM blobs WHERE encoding = 'redacted')", "articles", true),
    ]

    @Test("every forged derived row is caught by verify, naming the table, the row and the event; quick catches the ones it covers; the file is otherwise unchanged",
          arguments: 0..<forgeries.count)
    func forgeryCaught(_ index: Int) throws {
        let (c, paths) = try richFixture()
        let forgery = Self.forgeries[index]
        // Copy 1 holds imports and quarantine; copy 0 the redaction's deleted bytes.
        let source = forgery.sql.contains("encoding = 'redacted'") ? paths[0] : paths[1]
        let path = try copyOf(source, in: c.dir)
        try forge(path, forgery.sql)
        let archive = try Archive.open(at: path)
        let eventsBefore = try archive.db.int("SELECT count(*) FROM events")!
        for quick in forgery.quick ? [false, true] : [false] {
            let report = try archive.verify(quick: quick, record: false)
            let named = report.problems.filter { $0.area == "derived" && $0.subject.hasPrefix(forgery.table + ":") }
            #expect(!named.isEmpty, "\(forgery.sql) quick=\(quick): \(report.problems.map(\.description))")
            // Rows that events make name the event, as origin:seq (kind).
            if !["peers", "articles"].contains(forgery.table), !forgery.sql.hasPrefix("INSERT") {
                #expect(named.contains { $0.message.contains("event ") && $0.message.contains(":") }, "\(named.map(\.description))")
            }
        }
        #expect(try archive.db.int("SELECT count(*) FROM events")! == eventsBefore)
    }

    @Test("past 50 differences in a table, verify names 50 and says how many more: for a compared table and a streamed one")
    func manyDifferencesAreCounted() throws {
        let (c, paths) = try richFixture()
        let path = try copyOf(paths[1], in: c.dir)
        try forge(path, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) INSERT INTO paths (path) SELECT 'fake-' || i FROM n;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
            INSERT INTO verifications (event, archive, at, agent, host, tool, mode, result, problems, blobs, bytes, events)
            SELECT 1000000 + i, (SELECT archive FROM verifications LIMIT 1), '2030-01-01T00:00:' || printf('%02d', i) || '.000Z', 'x', 'y', 'z', 'full', 'clean', 0, 0, 0, 0 FROM n
            """)
        let problems = try Archive.open(at: path).verify(quick: false, record: false).problems.filter { $0.area == "derived" }
        for table in ["paths", "verifications"] {
            #expect(problems.filter { $0.subject.hasPrefix(table + ":") }.count == DerivedStateCheck.namedPerTable, "\(table)")
            #expect(problems.contains { $0.subject == table && $0.message == "10 more rows differ from what the events say" },
                    "\(table): \(problems.filter { !$0.subject.contains(":") }.map(\.description))")
        }
    }

    @Test("when the log cannot be replayed, a full verify still checks every version's hash itself")
    func versionHashesWithoutTheReplay() throws {
        let (c, paths) = try richFixture()
        let path = try copyOf(paths[0], in: c.dir)
        // A blob row gone: the sightings event naming it cannot be applied, so no table is compared.
        try forge(path, """
            DELETE FROM blob_chunks WHERE blob = (SELECT blob FROM versions WHERE id = 1);
            DELETE FROM blobs WHERE id = (SELECT blob FROM versions WHERE id = 1);
            UPDATE versions SET hash = 'ff' || substr(hash, 3) WHERE id = 2
            """)
        let report = try Archive.open(at: path).verify(quick: false, record: false)
        #expect(report.problems.contains { $0.area == "derived" && $0.message.contains("cannot be rebuilt") }, "\(report.problems.map(\.description))")
        #expect(report.problems.contains { $0.area == "version" && $0.subject.hasPrefix("ff") }, "\(report.problems.map(\.description))")
    }

    @Test("an event payload that is not JSON, or does not inflate, stops the replay at that event, named (payloads are read ahead on another thread)",
          arguments: ["not json", "compressed"])
    func unreadablePayloadNamed(_ damage: String) throws {
        let (c, paths) = try richFixture()
        let path = try copyOf(paths[0], in: c.dir)
        // The second sightings event: the replay has applied events before it and read the one after it ahead.
        let target = "(SELECT id FROM events WHERE kind = 'sightings' ORDER BY id LIMIT 1 OFFSET 1)"
        try forge(path, damage == "not json"
                  ? "UPDATE events SET payload = '{\"batch\": oops', payload_size = NULL WHERE id = \(target)"
                  : "UPDATE events SET payload = x'789c0102', payload_size = 40 WHERE id = \(target)")
        let seq = try Database(path: path).int("SELECT seq FROM events WHERE id = \(target)")!
        let report = try Archive.open(at: path).verify(quick: false, record: false)
        let problem = report.problems.first { $0.area == "derived" && $0.message.contains("cannot be rebuilt") }
        #expect(problem?.message.contains(":\(seq) (sightings) has a payload that is not JSON") == true, "\(report.problems.map(\.description))")
    }

    @Test("a forged row reports which column differs, what is stored and what the event says")
    func differenceNamesColumns() throws {
        let (c, paths) = try richFixture()
        let path = try copyOf(paths[0], in: c.dir)
        try forge(path, "UPDATE batches SET agent = 'mallory@evil' WHERE id = 1")
        let archive = try Archive.open(at: path)
        let problem = try #require(try archive.verify(record: false).problems.first { $0.area == "derived" })
        let batch = try archive.db.text("SELECT uuid FROM batches WHERE id = 1")!
        let agent = try archive.db.text("SELECT json_extract(payload, '$.agent') FROM events WHERE kind = 'batch.open' ORDER BY id LIMIT 1")!
        #expect(problem.subject == "batches: batch \(batch)")
        #expect(problem.message.hasPrefix("agent is 'mallory@evil' but the events say '\(agent)'"))
        #expect(problem.message.contains("(event \(archive.id):1 (batch.open))"))
    }

    @Test("the rebuild leaves nothing behind: no temporary table on the archive's connection, the file's tables as they were")
    func leavesNoTrace() throws {
        let (c, paths) = try richFixture()
        let archive = try Archive.open(at: paths[1])
        let schema = try archive.db.rows("SELECT type, name, sql FROM sqlite_master ORDER BY name") { "\($0.text(0)) \($0.text(1)) \($0.optionalText(2) ?? "")" }
        let sightings = try archive.db.int("SELECT count(*) FROM sightings")
        _ = try archive.verify(record: false)
        #expect(try archive.db.rows("SELECT type, name, sql FROM sqlite_master ORDER BY name") { "\($0.text(0)) \($0.text(1)) \($0.optionalText(2) ?? "")" } == schema)
        #expect(try archive.db.int("SELECT count(*) FROM sightings") == sightings)
        #expect(try archive.db.int("SELECT count(*) FROM sqlite_temp_master") == 0)
        _ = c
    }
}
