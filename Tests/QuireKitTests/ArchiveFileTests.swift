import Foundation
import QuireSchema
import SQLite
import Testing
import TestSupport
@testable import QuireKit

@Suite("Archive file")
struct ArchiveFileTests {
    @Test("a new archive is marked with the application id, the schema version and an archive id")
    func create() throws {
        let scratch = try Scratch()
        let db = try Database(path: scratch.path, mode: .readOnly)
        #expect(try db.applicationID == Archive.applicationID)
        #expect(try db.userVersion == Archive.schemaVersion)
        #expect(try db.journalMode == "wal")
        #expect(UUID(uuidString: scratch.archive.id) != nil)
        let second = try Scratch()
        #expect(second.archive.id != scratch.archive.id)
    }

    @Test("init refuses a path that exists and leaves it alone")
    func createOverExisting() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("taken.quire", "notes\n")
        #expect { try Archive.create(at: path) } throws: { ($0 as? QuireError)?.code == .archiveExists }
        #expect(try readFile(path) == Array("notes\n".utf8))
    }

    @Test("opening a missing archive says it does not exist and creates nothing")
    func missing() throws {
        let dir = TemporaryDirectory()
        #expect { try Archive.open(at: dir.file("none.quire")) } throws: { ($0 as? QuireError)?.code == .archiveMissing }
        #expect(!FileManager.default.fileExists(atPath: dir.file("none.quire")))
    }

    @Test("files that are not archives are refused and left byte-identical",
          arguments: ["text", "empty", "other-sqlite", "binary"])
    func notAnArchive(_ kind: String) throws {
        let dir = TemporaryDirectory()
        let path = dir.file("x.quire")
        switch kind {
        case "text": try dir.write("x.quire", "These are my notes, not an archive.\n")
        case "empty": try dir.write("x.quire", [UInt8]())
        case "binary": var rng = SeededRandom(seed: 3); try dir.write("x.quire", rng.bytes(5000))
        default:
            let other = try Database(path: path, mode: .create)
            try other.execute("CREATE TABLE notes (text); INSERT INTO notes VALUES ('hello')")
        }
        let before = try readFile(path)
        #expect { try Archive.open(at: path) } throws: { ($0 as? QuireError)?.code == .notAnArchive }
        #expect { try Archive.openOrCreate(at: path) } throws: { ($0 as? QuireError)?.code == .notAnArchive }
        #expect(try readFile(path) == before)
    }

    @Test("an archive with a newer schema is refused and left byte-identical")
    func futureSchema() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("future.quire")
        try Archive.create(at: path)
        do {
            let db = try Database(path: path, mode: .readWrite)
            try db.execute("PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let before = try readFile(path)
        do {
            _ = try Archive.open(at: path)
            Issue.record("a newer schema was opened")
        } catch let error as QuireError {
            #expect(error.code == .newerSchema)
            #expect(error.message.contains("99"))
        }
        #expect(try readFile(path) == before)
    }

    @Test("every Schema/*.sql file is embedded, in order, and none is missing")
    func embeddedMigrations() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Schema").filter { $0.hasSuffix(".sql") }.sorted()
        #expect(SchemaMigrations.all.map(\.file) == files)
        #expect(SchemaMigrations.all.map(\.version) == Array(1...files.count))
        for migration in SchemaMigrations.all {
            let onDisk = String(decoding: try readFile(repositoryRoot + "/Schema/" + migration.file), as: UTF8.self)
            #expect(migration.sql == onDisk, "\(migration.file) differs from the embedded copy")
        }
    }

    @Test("the documented views answer the issue's questions with plain SQL")
    func views() throws {
        let scratch = try Scratch()
        let report = try scratch.archive.ingest(paths: [repositoryRoot + "/Archives/samples/day-1"], options: quietOptions(label: "X"))
        let db = try Database(path: scratch.path, mode: .readOnly)
        // Which files in batch X were new?
        let newFiles = try db.rows("SELECT path FROM sighting_list WHERE batch_label = 'X' AND meaning = 'new' ORDER BY path") { $0.text(0) }
        #expect(newFiles.count == report.counts["new"])
        // Every sighting of hash H.
        // (A new document whose bytes were already stored: `held` in `sightings`, since schema 12.)
        let duplicate = try #require(try db.text("SELECT l.blob FROM sighting_list l JOIN sightings s ON s.id = l.id WHERE l.meaning = 'new' AND s.held = 1"))
        #expect(try db.int("SELECT count(*) FROM sighting_list WHERE blob = ?", duplicate) == 2)
        #expect(try db.int("SELECT new FROM batch_list WHERE label = 'X'") == report.counts["new"])
        #expect(try db.int("SELECT count(*) FROM document_list") == 5)
    }
}

@Suite("Migrations")
struct MigrationTests {
    @Test("an archive made with schema version 1 is migrated forward when opened")
    func migratesForward() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("old.quire")
        do {
            let db = try Database(path: path, mode: .create)
            let first = SchemaMigrations.all[0]
            try db.migrate([Migration(version: 1, name: first.file, sql: first.sql)]) {
                try db.execute("PRAGMA application_id = \(Archive.applicationID)")
            }
            try db.execute("""
                INSERT INTO archive (key, value) VALUES ('archive_id', '00000000-0000-4000-8000-000000000001');
                INSERT INTO origins (archive) VALUES ('00000000-0000-4000-8000-000000000001');
                """)
        }
        let archive = try Archive.open(at: path)
        #expect(try archive.db.userVersion == Archive.schemaVersion)
        #expect(try archive.db.int("SELECT count(*) FROM sqlite_master WHERE name = 'peers'") == 1)
        _ = try archive.ingest(paths: [repositoryRoot + "/Archives/samples/day-1"])
        #expect(try archive.stats().documents == 5)
    }

    @Test("migration 11 starts the search index again, one row per distinct text, and the next search rebuilds it")
    func searchDistinctTextsMigration() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v10.quire")
        do {
            let db = try Database(path: path, mode: .create)
            try db.migrate(SchemaMigrations.all.prefix(7).map { Migration(version: $0.version, name: $0.file, sql: $0.sql) }) {
                try db.execute("PRAGMA application_id = \(Archive.applicationID)")
            }
            try db.execute(String(decoding: try readFile(repositoryRoot + "/Tests/Fixtures/archive-v7.sql"), as: UTF8.self))
            try db.migrate(SchemaMigrations.all.prefix(10).map { Migration(version: $0.version, name: $0.file, sql: $0.sql) }) {}
            // The index as schema 10 kept it: one row per blob, row id = blob id.
            try db.execute("""
                INSERT INTO archive (key, value) VALUES ('search_index', 'on');
                INSERT INTO article_index (blob) SELECT blob FROM articles WHERE kind <> 'none';
                INSERT INTO article_search (rowid, title, body) SELECT blob, 'old', 'oldword' FROM articles WHERE kind <> 'none';
                """)
            #expect(try db.userVersion == 10)
        }
        let archive = try Archive.open(at: path)
        #expect(try archive.db.userVersion == Archive.schemaVersion)
        #expect(try archive.db.int("SELECT count(*) FROM article_index") == 0)
        #expect(try archive.db.text("SELECT value FROM archive WHERE key = 'search_index'") == "rebuild")
        var built = 0
        let hits = try archive.search(SearchQuery("bridge"), indexProgress: { done, _ in built = done })
        #expect(built > 0 && !hits.isEmpty, "the first search rebuilt the index")
        #expect(try archive.search(SearchQuery("oldword")).isEmpty, "nothing of the old index is left")
        #expect(try archive.db.text("SELECT value FROM archive WHERE key = 'search_index'") == "on")
        #expect(try archive.db.int("SELECT count(*) FROM article_index WHERE row IS NULL") == 0)
        #expect(try archive.db.int("SELECT count(*) FROM article_index") == archive.db.int("SELECT count(*) FROM articles WHERE kind <> 'none'"))
        #expect(try archive.verify(record: false).isClean)
    }

    /// A new archive file at schema version `schema` (its migrations only), with an archive id,
    /// its origin and the search index marked as kept, as that version made them.
    static func emptyArchive(at path: String, schema: Int) throws -> Database {
        let db = try Database(path: path, mode: .create)
        try db.execute("PRAGMA page_size = \(Archive.pageSize); PRAGMA auto_vacuum = INCREMENTAL")
        try db.migrate(SchemaMigrations.all.prefix(schema).map { Migration(version: $0.version, name: $0.file, sql: $0.sql) }) {
            try db.execute("PRAGMA application_id = \(Archive.applicationID)")
        }
        let id = String(format: "00000000-0000-4000-8000-%012d", schema)
        try db.execute("""
            INSERT INTO archive (key, value) VALUES ('archive_id', '\(id)'), ('search_index', 'on');
            INSERT INTO origins (archive) VALUES ('\(id)');
            """)
        return db
    }

    @Test("migrations 14 and 15 rebuild an index with positions as one of row ids only (detail=none); phrases and ranking still work")
    func searchColumnDetailMigration() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v13.quire")
        do {
            // An archive made, ingested into and searched with schema 13 (index with positions).
            let db = try Self.emptyArchive(at: path, schema: 13)
            #expect(try db.text("SELECT sql FROM sqlite_master WHERE name = 'article_search'")?.contains("detail") == false)
        }
        try dir.write("in/together.txt", "Toolbar news\n\nA Google toolbar was sold to thousands of users.\n")
        try dir.write("in/apart.txt", "Apart\n\nGoogle said the new toolbar was ready.\n")
        try dir.write("in/ferry.txt", "Ferry\n\nThe ferry sails at noon.\n")
        do {
            // Fill the schema-13 index as schema 13 did (rows = blobs, texts with positions).
            let db = try Database(path: path)
            try db.execute("""
                CREATE TABLE temp.texts (title TEXT, body TEXT);
                INSERT INTO temp.texts VALUES ('Toolbar news', 'A Google toolbar was sold to thousands of users.'),
                    ('Apart', 'Google said the new toolbar was ready.'), ('Ferry', 'The ferry sails at noon.');
                INSERT INTO article_search (rowid, title, body) SELECT rowid, title, body FROM temp.texts;
                """)
            #expect(try db.int("SELECT count(*) FROM article_search WHERE article_search MATCH '\"google toolbar\"'") == 1)
        }
        let archive = try Archive.open(at: path)
        #expect(try archive.db.userVersion == Archive.schemaVersion)
        #expect(try archive.db.text("SELECT sql FROM sqlite_master WHERE name = 'article_search'")?.contains("detail=none") == true)
        #expect(try archive.db.text("SELECT value FROM archive WHERE key = 'search_index'") == "rebuild")
        #expect(try archive.db.int("SELECT count(*) FROM article_search WHERE article_search MATCH 'ferry'") == 0, "the old index is gone")
        #expect(try archive.db.int("SELECT count(*) FROM search_texts") == 0)
        _ = try archive.ingest(paths: [dir.file("in")])
        #expect(try archive.db.int("SELECT count(*) FROM article_index") == 0, "ingest does not add to an index marked for rebuild")
        var built = 0
        let hits = try archive.searchResults(SearchQuery("\"google toolbar\""), indexProgress: { done, _ in built = done })
        #expect(built == 3 && hits.total == 1 && hits.hits.first?.key == "together.txt", "the first search rebuilt the index and confirmed the phrase")
        #expect(try archive.db.text("SELECT value FROM archive WHERE key = 'search_index'") == "on")
        #expect(try archive.search(SearchQuery("google")).count == 2)
        let ferry = try #require(try archive.search(SearchQuery("ferry")).first)
        #expect(ferry.key == "ferry.txt" && ferry.rank < 0, "bm25 still ranks: \(ferry.rank)")
        #expect(try archive.verify(record: false).isClean)
    }

    @Test("migration 15 replaces a detail=column index with row ids only and a titles index; the next search rebuilds both and ranks a title word first")
    func searchRowIDsMigration() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v14.quire")
        // The same length in words: only the title's weight puts title.txt first (a tie goes by key).
        try dir.write("in/title.txt", "Ferry strike\n\nWorkers stopped the boats today.\n")
        try dir.write("in/body.txt", "Harbour strike\n\nWorkers stopped the ferry today.\n")
        do {
            // An archive made and ingested into with schema 14, its index kept (detail=column).
            let db = try Self.emptyArchive(at: path, schema: 14)
            try db.execute("""
                INSERT INTO article_search (rowid, title, body) VALUES (1, 'Old', 'oldword');
                INSERT INTO search_texts (hash, row) VALUES (x'00', 1);
                """)
            #expect(try db.text("SELECT sql FROM sqlite_master WHERE name = 'article_search'")?.contains("detail=column") == true)
        }
        let archive = try Archive.open(at: path)
        #expect(try archive.db.userVersion == Archive.schemaVersion)
        #expect(try archive.db.text("SELECT sql FROM sqlite_master WHERE name = 'article_search'")?.contains("detail=none") == true)
        #expect(try archive.db.text("SELECT sql FROM sqlite_master WHERE name = 'article_titles'")?.contains("detail=none") == true)
        #expect(try archive.db.text("SELECT value FROM archive WHERE key = 'search_index'") == "rebuild")
        #expect(try archive.db.int("SELECT count(*) FROM search_texts") == 0)
        _ = try archive.ingest(paths: [dir.file("in")])
        var built = 0
        let hits = try archive.search(SearchQuery("ferry"), indexProgress: { done, _ in built = done })
        #expect(built == 2 && hits.map(\.key) == ["title.txt", "body.txt"], "rebuilt, and the title word first: \(hits.map(\.rank))")
        #expect(try archive.search(SearchQuery("oldword")).isEmpty, "nothing of the old index is left")
        #expect(try archive.db.int("SELECT count(*) FROM article_titles WHERE article_titles MATCH 'strike'") == 2)
        #expect(try archive.db.int("SELECT count(*) FROM article_titles WHERE article_titles MATCH 'workers'") == 0, "titles only")
        #expect(try archive.verify(record: false).isClean)
    }

    @Test("an archive with data at schema version 7 keeps every sighting's path through migration 8")
    func sightingPathsMigration() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("v7.quire")
        let listing = "SELECT id, batch_label, path, size, mtime, blob, document, version, meaning, seen_at FROM sighting_list ORDER BY id"
        func rows(_ db: Database) throws -> [String] {
            try db.rows(listing) { s in (0..<10).map { s.optionalText($0) ?? "-" }.joined(separator: "|") }
        }
        let before: [String]
        do {
            let db = try Database(path: path, mode: .create)
            try db.migrate(SchemaMigrations.all.prefix(7).map { Migration(version: $0.version, name: $0.file, sql: $0.sql) }) {
                try db.execute("PRAGMA application_id = \(Archive.applicationID)")
            }
            try db.execute(String(decoding: try readFile(repositoryRoot + "/Tests/Fixtures/archive-v7.sql"), as: UTF8.self))
            #expect(try db.userVersion == 7)
            before = try rows(db)
        }
        #expect(before.count == 13 && before.contains { $0.contains("|day one again|valley-times/") })

        let archive = try Archive.open(at: path)
        #expect(try archive.db.userVersion == Archive.schemaVersion)
        #expect(try rows(archive.db) == before, "every sighting keeps its path, batch, bytes and meaning")
        #expect(try archive.db.int("SELECT count(*) FROM paths") == 6, "each distinct path is kept once")
        #expect(try archive.db.int("SELECT typeof(path) = 'integer' FROM sightings LIMIT 1") == 1)
        #expect(try archive.db.int("SELECT sum(files) FROM batch_list") == 13, "the views over sightings read the new table")
        #expect(try archive.db.int("SELECT count(last_seen) FROM document_list") == 6)
        #expect(try archive.verify(record: false).isClean)
        // The near-duplicate keys that version stored are what this one computes from the same bytes.
        let storedKeys = try archive.db.rows("SELECT b.hash, k.key FROM article_near_keys k JOIN blobs b ON b.id = k.blob") {
            (hash: $0.text(0), key: UInt64(bitPattern: Int64($0.int(1))))
        }
        #expect(storedKeys.count == 12)
        for hash in Set(storedKeys.map(\.hash)) {
            let record = try #require(try archive.blobs.record(hash: hash))
            let metadata = try #require(try archive.extractArticle(record))
            #expect(Set(metadata.nearKeys) == Set(storedKeys.filter { $0.hash == hash }.map(\.key)), "\(hash)")
        }
        let trail = try archive.provenance(archive.provenanceSubject("valley-times/bridge-reopens.txt", kind: "path"))
        #expect(trail.sightings.map(\.batch.label) == ["day one", "day one again"], "provenance by path finds both batches")

        // The rebuilt tables match the migrated ones, and new sightings of old paths reuse their rows.
        try archive.rebuildDerivedState()
        #expect(try rows(archive.db) == before)
        _ = try archive.ingest(paths: [repositoryRoot + "/Archives/samples/day-1"])
        #expect(try archive.db.int("SELECT count(*) FROM paths") == 6)
        #expect(try archive.db.int("SELECT count(*) FROM sightings") == 18)
        #expect(try archive.verify(record: false).isClean)
    }
}
