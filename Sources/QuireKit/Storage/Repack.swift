import Foundation
import SQLite

/// What `repack` did.
public struct RepackReport: Sendable {
    /// Held blobs looked at, and those stored again in a smaller form.
    public let blobs: Int
    public let restored: Int
    /// Bytes the blobs' stored forms took before and after.
    public let storedBefore: Int
    public let storedAfter: Int
    /// The archive file's size before and after (with its write-ahead log).
    public let fileBefore: Int
    public let fileAfter: Int
    /// The row id an interrupted repack went on from (0: from the start).
    public let resumedFrom: Int
    /// The file's page size afterwards (`compact` gives an older archive the current one).
    public let pageSize: Int
    public let seconds: Double

    public var json: JSON {
        ["blobs": .int(Int64(blobs)), "restored": .int(Int64(restored)), "stored_before": .int(Int64(storedBefore)),
         "stored_after": .int(Int64(storedAfter)), "file_before": .int(Int64(fileBefore)), "file_after": .int(Int64(fileAfter)),
         "resumed_from": .int(Int64(resumedFrom)), "page_size": .int(Int64(pageSize)), "seconds": .double((seconds * 1000).rounded() / 1000)]
    }
}

extension Archive {
    /// `git gc`'s counterpart: chooses again, for every held blob, what it is stored against —
    /// its versions' parents, its near-duplicates, its current base, or nothing — and stores it
    /// again when a smaller form is found (the bytes never change, so neither do the digest and
    /// the events). Blobs are visited in row order and only older blobs serve as bases, so bases
    /// never form a cycle and each base is final before the blobs built on it; depths stay within
    /// the limit. Works in transactions of `batch` blobs, each recording how far it got: a kill
    /// loses at most one batch, and running it again goes on from there. Frees the space gained
    /// at the end; with `compact`, rewrites the whole file (`compact()`, which also gives an
    /// archive made with 16 KiB pages the current 8 KiB), telling `compacting` first.
    /// `progress` gets blobs done and the total.
    public func repack(batch: Int = 256, compact: Bool = false, progress: ((Int, Int) throws -> Void)? = nil,
                       compacting: (() -> Void)? = nil) throws -> RepackReport {
        let started = Date()
        let markKey = "repack_through", beforeKey = "repack_stored_before", fileKey = "repack_file_before"
        let (resumedFrom, total, storedBefore, fileBefore) = try write { () -> (Int, Int, Int, Int) in
            let mark = try db.text("SELECT value FROM archive WHERE key = ?", markKey).flatMap { Int($0) } ?? 0
            if mark == 0 {
                try db.run("INSERT OR REPLACE INTO archive (key, value) VALUES (?, ?)", beforeKey,
                           String(try db.int("SELECT coalesce(sum(stored_size), 0) FROM blobs") ?? 0))
                try db.run("INSERT OR REPLACE INTO archive (key, value) VALUES (?, ?)", fileKey, String(fileSize()))
            }
            let before = try db.text("SELECT value FROM archive WHERE key = ?", beforeKey).flatMap { Int($0) } ?? 0
            let file = try db.text("SELECT value FROM archive WHERE key = ?", fileKey).flatMap { Int($0) } ?? fileSize()
            let count = try db.int("SELECT count(*) FROM blobs b WHERE \(StoredForm.holdsBytesSQL("b"))") ?? 0
            return (mark, count, before, file)
        }
        var mark = resumedFrom
        var done = try read { try db.int("SELECT count(*) FROM blobs b WHERE b.id <= ? AND \(StoredForm.holdsBytesSQL("b"))", mark) ?? 0 }
        var restored = 0
        try progress?(done, total)
        let cache = BlobBytesCache()
        while true {
            let more = try write { () -> Bool in
                var store = blobs
                store.cache = cache
                let records = try store.held(after: mark, limit: batch)
                guard !records.isEmpty else { return false }
                for blob in records {
                    if try repackOne(blob, store: store) { restored += 1 }
                    mark = blob.id
                    done += 1
                }
                try db.run("INSERT OR REPLACE INTO archive (key, value) VALUES (?, ?)", markKey, String(mark))
                return true
            }
            try progress?(done, total)
            if !more { break }
        }
        let storedAfter = try write { () -> Int in
            try db.run("DELETE FROM archive WHERE key IN (?, ?, ?)", markKey, beforeKey, fileKey)
            return try db.int("SELECT coalesce(sum(stored_size), 0) FROM blobs") ?? 0
        }
        do {
            try db.execute("PRAGMA incremental_vacuum")
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        } catch let error as DatabaseError {
            throw QuireError(.database, "freeing the space repack gained in \(path) failed", underlying: error)
        }
        if compact {
            compacting?()
            try self.compact()
        }
        return RepackReport(blobs: total, restored: restored, storedBefore: storedBefore, storedAfter: storedAfter,
                            fileBefore: fileBefore, fileAfter: fileSize(), resumedFrom: resumedFrom,
                            pageSize: try db.int("PRAGMA page_size") ?? Self.pageSize,
                            seconds: Date().timeIntervalSince(started))
    }

    /// Stores one blob again when a smaller form exists; keeps its depth right either way.
    /// Returns whether it was stored again.
    /// A new base is kept only where the blob and every blob built on it stay within the depth
    /// limit; depths are kept right at every commit (`BlobStore.restore` fixes the blobs built on
    /// the one it stores again).
    private func repackOne(_ blob: BlobRecord, store: BlobStore) throws -> Bool {
        guard blob.size <= BlobEncoding.largestDelta, blob.size >= 64 else { return false }
        let height = try store.heightOfDependents(blob.id)
        let bytes = try store.whole(blob)
        var candidates: [(hash: String, bytes: [UInt8])] = []
        for id in try baseCandidates(for: blob) {
            guard let record = try store.record(id: id), record.form.holdsBytes, record.size <= BlobEncoding.largestDelta,
                  record.depth + 1 + height <= BlobEncoding.maxDepth else { continue }
            candidates.append((record.hash, try store.whole(record)))
        }
        let best = try BlobEncoding.best(bytes, bases: candidates)
        guard best.data.count < blob.storedSize else { return false }
        try store.restore(blob, as: best)
        return true
    }

    /// Older blobs worth trying as `blob`'s base: its current base, the blobs of its versions'
    /// parents, and its near-duplicates (sharing most near-duplicate keys, the shallowest first).
    private func baseCandidates(for blob: BlobRecord) throws -> [Int] {
        var out: [Int] = []
        if let base = blob.base { out.append(base) }
        try db.forEach("""
            SELECT DISTINCT p.blob FROM versions v JOIN version_parents vp ON vp.version = v.id JOIN versions p ON p.id = vp.parent
            WHERE v.blob = ?1 AND p.blob < ?1 LIMIT 4
            """, [blob.id]) { if !out.contains($0.int(0)) { out.append($0.int(0)) } }
        // Each key's oldest blob and its most recent ones before this blob (index ranges, so a
        // key thousands of blobs share costs what any key costs).
        var shared: [Int: (count: Int, depth: Int)] = [:]
        let keys = try db.rows("SELECT key FROM article_near_keys WHERE blob = ?", [blob.id]) { $0.int(0) }
        for key in keys {
            var seen = Set<Int>()
            for order in ["ASC LIMIT 1", "DESC LIMIT 4"] {
                try db.forEach("""
                    SELECT k.blob, b.depth FROM article_near_keys k JOIN blobs b ON b.id = k.blob
                    WHERE k.key = ? AND k.blob < ? ORDER BY k.blob \(order)
                    """, [key, blob.id]) { s in
                    guard seen.insert(s.int(0)).inserted else { return }
                    let entry = shared[s.int(0)] ?? (0, s.int(1))
                    shared[s.int(0)] = (entry.count + 1, entry.depth)
                }
            }
        }
        for (id, _) in shared.sorted(by: { ($0.value.count, -$0.value.depth, $0.key) > ($1.value.count, -$1.value.depth, $1.key) }).prefix(3)
        where !out.contains(id) {
            out.append(id)
        }
        return out
    }

    /// The archive file's size with its write-ahead log.
    func fileSize() -> Int {
        var total = 0
        for suffix in ["", "-wal"] {
            var st = stat()
            if stat(path + suffix, &st) == 0 { total += Int(st.st_size) }
        }
        return total
    }
}
