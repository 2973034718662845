import Foundation
import Testing
import TestSupport
@testable import SQLite

@Suite("SQLite wrapper")
struct SQLiteTests {
    func database(_ dir: TemporaryDirectory, _ name: String = "t.db", busyTimeout: Int32 = 30_000) throws -> Database {
        try Database(path: dir.file(name), mode: .create, busyTimeout: busyTimeout)
    }

    @Test("values of every type round-trip through bind and columns")
    func values() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        try db.execute("CREATE TABLE t (a, b, c, d, e, f)")
        try db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", 42, 2.5, "héllo", [UInt8]([0, 1, 255]), [UInt8](), Optional<String>.none)
        let row = try #require(try db.firstRow("SELECT a, b, c, d, e, f, typeof(e) FROM t") { s in
            (s.int(0), s.double(1), s.text(2), s.blob(3), s.blob(4), s.isNull(5), s.text(6))
        })
        #expect(row.0 == 42)
        #expect(row.1 == 2.5)
        #expect(row.2 == "héllo")
        #expect(row.3 == [0, 1, 255])
        #expect(row.4 == [])
        #expect(row.5)
        #expect(row.6 == "blob")
    }

    @Test("errors carry the result code, the message and the SQL")
    func errors() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        do {
            try db.execute("SELEC 1")
            Issue.record("bad SQL was accepted")
        } catch let error as DatabaseError {
            #expect(error.code == DatabaseError.error)
            #expect(error.message.contains("syntax error"))
            #expect(error.sql == "SELEC 1")
        }
        try db.execute("CREATE TABLE u (x UNIQUE)")
        try db.run("INSERT INTO u VALUES (1)")
        do {
            try db.run("INSERT INTO u VALUES (1)")
            Issue.record("a duplicate was accepted")
        } catch let error as DatabaseError {
            #expect(error.code == DatabaseError.constraint)
            #expect(error.extendedCode == 2067) // SQLITE_CONSTRAINT_UNIQUE
            #expect(error.sql == "INSERT INTO u VALUES (1)")
            #expect(error.description.contains("UNIQUE"))
        }
    }

    @Test("foreign keys are enforced")
    func foreignKeys() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        try db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))")
        #expect(throws: DatabaseError.self) { try db.run("INSERT INTO c VALUES (7)") }
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactions() throws {
        struct Stop: Error {}
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        try db.execute("CREATE TABLE t (x)")
        try db.inTransaction { try db.run("INSERT INTO t VALUES (1)") }
        #expect(throws: Stop.self) {
            try db.inTransaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw Stop()
            }
        }
        #expect(try db.int("SELECT count(*) FROM t") == 1)
        #expect(!db.isInTransaction)

        // Inside a transaction a savepoint's failure undoes only itself.
        try db.inTransaction {
            try db.run("INSERT INTO t VALUES (3)")
            try? db.inSavepoint {
                try db.run("INSERT INTO t VALUES (4)")
                throw Stop()
            }
        }
        #expect(try db.rows("SELECT x FROM t ORDER BY x") { $0.int(0) } == [1, 3])

        // A transaction cannot be nested (it would silently become part of the outer one), and a
        // savepoint needs a transaction.
        let nested = #expect(throws: DatabaseError.self) {
            try db.inTransaction { try db.inTransaction(.deferred) { try db.run("INSERT INTO t VALUES (5)") } }
        }
        #expect(nested?.code == DatabaseError.misuse)
        #expect(throws: DatabaseError.self) { try db.inSavepoint { try db.run("INSERT INTO t VALUES (6)") } }
        #expect(try db.rows("SELECT x FROM t ORDER BY x") { $0.int(0) } == [1, 3])
        #expect(!db.isInTransaction)
    }

    @Test("text holding a NUL is stored and read back whole, not cut at the NUL")
    func textWithNUL() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        try db.execute("CREATE TABLE t (k TEXT UNIQUE)")
        try db.run("INSERT INTO t VALUES (?)", "key\u{0}one")
        try db.run("INSERT INTO t VALUES (?)", "key\u{0}two")
        try db.run("INSERT INTO t VALUES (?)", "")
        #expect(try db.rows("SELECT k FROM t ORDER BY k") { $0.text(0) } == ["", "key\u{0}one", "key\u{0}two"])
        #expect(try db.int("SELECT length(CAST(k AS BLOB)) FROM t WHERE k = ?", "key\u{0}one") == 7)
    }

    @Test("cached statements are reused and reset")
    func cache() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        let a = try db.cached("SELECT 1")
        #expect(try a.step())
        let b = try db.cached("SELECT 1")
        #expect(a === b)
        #expect(try b.step()) // reset by cached(_:), so it yields its row again
        #expect(b.int(0) == 1)
    }

    @Test("an IMMEDIATE transaction holds off a second writer until the busy timeout")
    func writeLock() throws {
        let dir = TemporaryDirectory("sqlite")
        let first = try database(dir)
        #expect(try first.enableWriteAheadLog() == "wal")
        try first.execute("CREATE TABLE t (x)")
        let second = try database(dir, busyTimeout: 100)
        try first.execute("BEGIN IMMEDIATE")
        let start = Date()
        do {
            try second.inTransaction { try second.run("INSERT INTO t VALUES (1)") }
            Issue.record("the second writer was not blocked")
        } catch let error as DatabaseError {
            #expect(error.isBusy)
        }
        #expect(Date().timeIntervalSince(start) >= 0.09)
        // Readers are not blocked in WAL mode.
        #expect(try second.int("SELECT count(*) FROM t") == 0)
        try first.execute("COMMIT")
        try second.inTransaction { try second.run("INSERT INTO t VALUES (1)") }
        #expect(try first.int("SELECT count(*) FROM t") == 1)
    }

    @Test("migrations run once, in order, and a failing one changes nothing")
    func migrations() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        let steps = [
            Migration(version: 1, name: "one", sql: "CREATE TABLE a (x)"),
            Migration(version: 2, name: "two", sql: "CREATE TABLE b (y)"),
        ]
        #expect(try db.migrate(steps) == (0, 2))
        #expect(try db.userVersion == 2)
        #expect(try db.migrate(steps) == (2, 2))
        let broken = steps + [Migration(version: 3, name: "three", sql: "CREATE TABLE c (z); CREATE TABLE a (x)")]
        do {
            try db.migrate(broken)
            Issue.record("a failing migration was accepted")
        } catch let error as DatabaseError {
            #expect(error.message.contains("migration 3"))
        }
        #expect(try db.userVersion == 2)
        #expect(try db.int("SELECT count(*) FROM sqlite_master WHERE name = 'c'") == 0)
    }

    @Test("a migration may rebuild a table others refer to, but must not leave a broken reference; foreign keys are enforced again after")
    func migrationsRebuildTables() throws {
        let dir = TemporaryDirectory("sqlite")
        let db = try database(dir)
        let first = Migration(version: 1, name: "one", sql: """
            CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE c (p INTEGER NOT NULL REFERENCES p(id));
            INSERT INTO p VALUES (1, 'one'); INSERT INTO c VALUES (1);
            """)
        // SQLite's way to change a column: a new table, the rows copied, the old one dropped.
        let rebuild = Migration(version: 2, name: "rebuild", sql: """
            CREATE TABLE p2 (id INTEGER PRIMARY KEY, name BLOB); INSERT INTO p2 SELECT id, CAST(name AS BLOB) FROM p;
            DROP TABLE p; ALTER TABLE p2 RENAME TO p;
            """)
        #expect(try db.migrate([first, rebuild]) == (0, 2))
        #expect(try db.int("SELECT count(*) FROM c JOIN p ON p.id = c.p") == 1)
        #expect(throws: DatabaseError.self) { try db.run("INSERT INTO c VALUES (7)") }

        let orphan = Migration(version: 3, name: "orphan", sql: "CREATE TABLE d (x); DELETE FROM p")
        do {
            try db.migrate([first, rebuild, orphan])
            Issue.record("a migration that left a broken reference was accepted")
        } catch let error as DatabaseError {
            #expect(error.code == DatabaseError.constraint && error.message.contains("c row 1 refers to a missing p row"), "\(error)")
        }
        #expect(try db.userVersion == 2)
        #expect(try db.int("SELECT count(*) FROM p") == 1)
        #expect(try db.int("SELECT count(*) FROM sqlite_master WHERE name = 'd'") == 0)
        #expect(try db.int("PRAGMA foreign_keys") == 1)
    }

    @Test("opening a missing file without create fails with CANTOPEN")
    func missing() throws {
        let dir = TemporaryDirectory("sqlite")
        do {
            _ = try Database(path: dir.file("nope.db"), mode: .readWrite)
            Issue.record("a missing file was opened")
        } catch let error as DatabaseError {
            #expect(error.code == DatabaseError.cantOpen)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("nope.db")))
    }
}
