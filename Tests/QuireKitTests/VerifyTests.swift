import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// An archive with a few documents, versions (so some blobs are compressed against others), a
/// duplicate and a raw (incompressible) blob; closed, so tests can damage the file.
private func damagedArchiveFixture() throws -> (dir: TemporaryDirectory, path: String, raw: String, zlib: String) {
    let c = try Copies(1)
    var random = SeededRandom(seed: 7)
    let noise = random.bytes(6000)
    _ = try c.dir.write("in1/noise.bin", noise)
    _ = try c.dir.write("in1/a.txt", String(repeating: "The council met on Tuesday to discuss the budget. ", count: 40))
    _ = try c.dir.write("in1/b.txt", String(repeating: "Rain is expected over the weekend in the north. ", count: 40))
    _ = try c[0].ingest(paths: [c.dir.file("in1")], options: quietOptions(label: "one"))
    _ = try c.dir.write("in2/a.txt", String(repeating: "The council met on Tuesday to discuss the budget. ", count: 40) + "Update: the vote passed.\n")
    _ = try c[0].ingest(paths: [c.dir.file("in2")], options: quietOptions(label: "two"))
    let raw = try c[0].resolve("noise.bin").blobHash
    let zlib = try c[0].resolve("a.txt").blobHash
    #expect(try c[0].blobInfo(hash: raw)?.encoding == "raw")
    #expect(try c[0].blobInfo(hash: zlib)?.base != nil)
    let path = c[0].path
    c.archives.removeAll()   // closes the connection; the WAL is checkpointed into the file
    return (c.dir, path, raw, zlib)
}

/// Opens the file with a plain SQLite connection (foreign keys off) to damage it.
private func tamper(_ path: String, _ sql: String) throws {
    let db = try Database(path: path)
    try db.execute("PRAGMA foreign_keys = OFF")
    try db.execute(sql)
}

@Suite("Verify")
struct VerifyTests {
    @Test("a sound archive verifies clean, and the run is recorded as an event that syncs")
    func clean() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n", "b.txt": "beta\n"])
        _ = try c.ingest(0, ["a.txt": "alpha, edited\n"])
        let before = try c[0].stats().events
        let report = try c[0].verify()
        #expect(report.isClean, "\(report.problems)")
        #expect(report.blobsChecked == 3)
        #expect(report.bytesChecked == "alpha\n".utf8.count + "beta\n".utf8.count + "alpha, edited\n".utf8.count)
        #expect(report.eventsChecked == before)
        #expect(report.recorded)
        #expect(try c[0].stats().events == before + 1)
        let quick = try c[0].verify(quick: true)
        #expect(quick.isClean && quick.blobsChecked == 0 && quick.mode == "quick")
        // The record travels: the other copy can show when this one was last checked.
        try c.send(0, 1)
        let seen = try c[1].verifications()
        #expect(seen.map(\.archive) == [c[0].id, c[0].id])
        #expect(seen.map(\.mode) == ["full", "quick"])
        #expect(seen.allSatisfy { $0.result == "clean" })
        // Not recording leaves the log as it was.
        let events = try c[0].stats().events
        _ = try c[0].verify(record: false)
        #expect(try c[0].stats().events == events)
    }

    @Test("a changed byte in a stored blob is named, raw or compressed; quick mode does not read bytes")
    func changedByte() throws {
        for which in ["raw", "zlib"] {
            let f = try damagedArchiveFixture()
            let hash = which == "raw" ? f.raw : f.zlib
            let db = try Database(path: f.path)
            let id = try #require(try db.int("SELECT id FROM blobs WHERE hash = ?", hash))
            var data = try #require(try db.firstRow("SELECT data FROM blob_chunks WHERE blob = ? AND n = 0", [id]) { $0.blob(0) })
            data[data.count / 2] ^= 0x40
            try db.run("UPDATE blob_chunks SET data = ? WHERE blob = ? AND n = 0", data, id)
            let report = try Archive.open(at: f.path).verify(record: false)
            #expect(report.problems.contains { $0.area == "blob" && $0.subject == hash }, "\(which): \(report.problems)")
            #expect(report.problems.allSatisfy { $0.area == "blob" }, "\(report.problems)")
            if which == "raw" { #expect(report.problems.count == 1 && report.problems[0].message.contains("hash to")) }
            let quick = try Archive.open(at: f.path).verify(quick: true, record: false)
            #expect(quick.isClean)
        }
    }

    @Test("a deleted blob is named: its chunks gone, or its row gone")
    func deletedBlob() throws {
        let f = try damagedArchiveFixture()
        try tamper(f.path, "DELETE FROM blob_chunks WHERE blob = (SELECT id FROM blobs WHERE hash = '\(f.raw)')")
        let report = try Archive.open(at: f.path).verify(record: false)
        #expect(report.problems.contains { $0.area == "blob" && $0.subject == f.raw && $0.message.contains("stored bytes") })

        let g = try damagedArchiveFixture()
        try tamper(g.path, "DELETE FROM blobs WHERE hash = '\(g.raw)'")
        let second = try Archive.open(at: g.path).verify(record: false)
        #expect(second.problems.contains { $0.area == "reference" && $0.subject.hasPrefix("versions row") && $0.message.contains("blob") })
        #expect(second.problems.contains { $0.area == "reference" && $0.subject.hasPrefix("sightings row") })
    }

    @Test("an altered event is named by origin and seq")
    func alteredEvent() throws {
        let f = try damagedArchiveFixture()
        let archiveID = try Archive.open(at: f.path).id
        try tamper(f.path, "UPDATE events SET payload = replace(payload, '\"one\"', '\"uno\"') WHERE kind = 'batch.open' AND seq = 1")
        let report = try Archive.open(at: f.path).verify(quick: true, record: false)
        #expect(report.problems.contains { $0.area == "event" && $0.subject == "\(archiveID):1" && $0.message.contains("hash") })
        // A missing event breaks the numbering.
        let g = try damagedArchiveFixture()
        try tamper(g.path, "DELETE FROM events WHERE seq = 3 AND kind = 'batch.close'")
        let second = try Archive.open(at: g.path).verify(quick: true, record: false)
        #expect(second.problems.contains { $0.area == "event" && $0.message.contains("missing") })
    }

    @Test("a compressed event payload that is cut short, or altered and recompressed, is named")
    func damagedCompressedPayload() throws {
        let f = try damagedArchiveFixture()
        let archiveID = try Archive.open(at: f.path).id
        let seq = try #require(try Database(path: f.path).int("SELECT min(seq) FROM events WHERE payload_size IS NOT NULL"))
        try tamper(f.path, "UPDATE events SET payload = substr(payload, 1, length(payload) - 4) WHERE seq = \(seq)")
        let report = try Archive.open(at: f.path).verify(quick: true, record: false)
        #expect(report.problems.contains { $0.area == "event" && $0.subject == "\(archiveID):\(seq)" && $0.message.contains("compressed payload is damaged") })
        // Altered, then compressed again with its size kept: the chain hash catches it.
        let g = try damagedArchiveFixture()
        let gID = try Archive.open(at: g.path).id
        let altered = try runProcess("sqlite3", [g.path, """
            UPDATE events SET payload = sqlar_compress(CAST(replace(CAST(sqlar_uncompress(payload, payload_size) AS TEXT), '"new"', '"wen"') AS BLOB))
            WHERE seq = \(seq)
            """])
        #expect(altered.status == 0, "\(altered.stderr)")
        let second = try Archive.open(at: g.path).verify(quick: true, record: false)
        #expect(second.problems.map(\.subject) == ["\(gID):\(seq)"])
        #expect(second.problems.first?.message.contains("hash does not match") == true)
    }

    @Test("a broken reference is named by table and row")
    func brokenReference() throws {
        let f = try damagedArchiveFixture()
        try tamper(f.path, "UPDATE sightings SET batch = 9999 WHERE id = 2")
        let report = try Archive.open(at: f.path).verify(quick: true, record: false)
        #expect(report.problems.contains { $0.area == "reference" && $0.subject == "sightings row 2" && $0.message.contains("batch") })
        // A version pointing at another blob no longer matches its hash.
        let g = try damagedArchiveFixture()
        try tamper(g.path, "UPDATE versions SET blob = (SELECT id FROM blobs WHERE hash = '\(g.raw)') WHERE id = (SELECT max(id) FROM versions)")
        let second = try Archive.open(at: g.path).verify(quick: true, record: false)
        #expect(second.problems.contains { $0.area == "version" })
    }

    @Test("a corrupt database page is named, and verify still reports the rest")
    func corruptPage() throws {
        let f = try damagedArchiveFixture()
        // Out of WAL mode, so every page is in the main file where the damage goes.
        let root: Int, pageSize: Int
        do {
            let db = try Database(path: f.path)
            _ = try db.text("PRAGMA journal_mode = DELETE")
            root = try #require(try db.int("SELECT rootpage FROM sqlite_schema WHERE name = 'blob_chunks'"))
            pageSize = try #require(try db.int("PRAGMA page_size"))
        }
        let handle = try #require(FileHandle(forUpdatingAtPath: f.path))
        try handle.seek(toOffset: UInt64((root - 1) * pageSize))
        handle.write(Data(repeating: 0xA5, count: pageSize))
        try handle.close()
        let report = try Archive.open(at: f.path).verify(record: false)
        #expect(!report.isClean)
        #expect(report.problems.contains { $0.area == "database" })
        // The event chains were still checked.
        #expect(report.eventsChecked > 0)
    }

    @Test("verify handles chains of bases, and a damaged base names the blobs built on it")
    func baseChains() throws {
        let c = try Copies(1)
        var text = "Opening paragraph of a long-running story about the harbour.\n"
        for round in 0..<6 {
            text += "Update \(round): more detail was added to the story today.\n"
            _ = try c.ingest(0, ["story.txt": text], label: "r\(round)")
        }
        let depths = try c[0].db.rows("SELECT depth FROM blobs ORDER BY id") { $0.int(0) }
        #expect(depths.max()! >= 3)
        #expect(try c[0].verify(record: false).isClean)
        let first = try c[0].log(key: "story.txt")[0].blob
        try c[0].db.execute("PRAGMA foreign_keys = OFF")
        try c[0].db.run("UPDATE blob_chunks SET data = zeroblob(length(data)) WHERE blob = (SELECT id FROM blobs WHERE hash = ?)", first)
        let report = try c[0].verify(record: false)
        #expect(report.problems.contains { $0.subject == first })
        #expect(report.problems.filter { $0.area == "blob" }.count == 6)
    }

    @Test("a cycle of bases and a base whose row is gone are named; every other blob is still checked")
    func baseCycleAndMissingBase() throws {
        func chain() throws -> Copies {
            let c = try Copies(1)
            var text = "Opening paragraph of a long-running story about the harbour.\n"
            for round in 0..<4 {
                text += "Update \(round): more detail was added to the story today.\n"
                _ = try c.ingest(0, ["story.txt": text], label: "r\(round)")
            }
            _ = try c.ingest(0, ["other.txt": "A story of its own, stored whole.\n"])
            try c[0].db.execute("PRAGMA foreign_keys = OFF")
            return c
        }
        // The first capture stored against the last: the four form a cycle and no tree reaches them.
        let cyclic = try chain()
        let ids = try cyclic[0].db.rows("SELECT id FROM blobs WHERE base IS NOT NULL ORDER BY id") { $0.int(0) }
        #expect(ids.count == 3)
        try cyclic[0].db.run("UPDATE blobs SET encoding = 'zlib', base = ? WHERE id = (SELECT base FROM blobs WHERE id = ?)", ids.last!, ids.first!)
        let report = try cyclic[0].verify(record: false)
        #expect(report.problems.contains { $0.subject == "4 blobs" && $0.message.contains("form a cycle") }, "\(report.problems)")
        #expect(report.blobsChecked == 1, "only the other story is reachable")
        // A delta whose base row is gone is read as if it had none, and named.
        let orphan = try chain()
        let last = try #require(try orphan[0].db.firstRow("SELECT id, hash FROM blobs WHERE encoding = 'delta' ORDER BY id DESC LIMIT 1") { ($0.int(0), $0.text(1)) })
        try orphan[0].db.run("UPDATE blobs SET base = 999999 WHERE id = ?", last.0)
        let second = try orphan[0].verify(record: false)
        #expect(second.problems.contains { $0.subject == last.1 && $0.message.contains("its base is missing") }, "\(second.problems)")
        #expect(second.blobsChecked == 5)
    }
}
