import Dispatch
import Foundation
import Hashing
import SQLite

// Keeps the derived `articles` table (and its view `article_fields`), the near-duplicate keys and,
// once a search has turned it on, the search index in step with the blobs: rows are written when a
// blob is stored (ingest) or arrives (import), and `indexMissingArticles` fills in any blob still
// without them (archives from before migration 4).

/// Articles larger than this are not read for metadata (their `articles.kind` is `none`).
let articleExtractionLimit = 8 * 1024 * 1024

extension Archive {
    /// Records what was extracted from blob `blobID`, and indexes it for search when the index is
    /// kept, from the same metadata (the bytes are not read again). Inside a write transaction.
    /// With `replacing`, a row the blob already has (a redacted blob's "nothing to read") goes first.
    func insertArticle(blob blobID: Int, _ metadata: ArticleMetadata?, replacing: Bool = false) throws {
        if replacing {
            try db.run("DELETE FROM articles WHERE blob = ?", blobID)
            try db.run("DELETE FROM article_near_keys WHERE blob = ?", blobID)
        }
        guard let metadata else {
            try db.run("INSERT OR IGNORE INTO articles (blob, kind, encoding) VALUES (?, 'none', '')", blobID)
            return
        }
        let fields = JSON.array(metadata.fields.map { [.string($0.name), .string($0.value), .string($0.extractor)] }).canonical
        try db.run("INSERT OR IGNORE INTO articles (blob, kind, encoding, fingerprint, url, fields) VALUES (?, ?, ?, ?, ?, ?)",
                   blobID, metadata.kind, metadata.encoding, metadata.fingerprint, metadata.value("url").flatMap(URLKey.normalize), fields)
        // A blob that had its row already has its keys and, when the index is kept, its index entry.
        guard db.changes > 0 else { return }
        for key in metadata.nearKeys {
            try db.run("INSERT OR IGNORE INTO article_near_keys (key, blob) VALUES (?, ?)", Int64(bitPattern: key), blobID)
        }
        if searchIndexEnabled { try addToSearchIndex(blob: blobID, metadata) }
    }

    /// Extracts and records metadata for every held blob that has none yet. Inside a write
    /// transaction; returns how many blobs were read.
    ///
    /// Only blobs above the `articles_through` mark in the `archive` table are looked at: every
    /// blob up to it has its row (blob rows are never deleted, so new ones get higher ids, and a
    /// redaction replaces a row in the same transaction). Without the mark (an archive from
    /// before it) every blob is looked at once. This keeps a small ingest or import into a large
    /// archive from reading the whole `articles` table.
    @discardableResult
    func indexMissingArticles() throws -> Int {
        let mark = try db.text("SELECT value FROM archive WHERE key = 'articles_through'").flatMap { Int($0) } ?? 0
        let missing = try db.rows("""
            SELECT b.id FROM blobs b WHERE b.id > ? AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.blob = b.id) ORDER BY b.id
            """, [mark]) { $0.int(0) }
        // The bytes are read here, one batch at a time, and their metadata extracted on all cores.
        var store = blobs
        store.cache = BlobBytesCache(budget: 16 << 20)
        var batch = ArticleBatch(archive: self)
        for id in missing {
            guard let blob = try store.record(id: id) else { continue }
            let readable = blob.size <= articleExtractionLimit && blob.form.holdsBytes
            try batch.add(id, readable ? try store.bytes(blob) : nil)
        }
        try batch.flush()
        if let last = try blobs.lastID(), last > mark {
            try db.run("INSERT OR REPLACE INTO archive (key, value) VALUES ('articles_through', ?)", String(last))
        }
        return missing.count
    }

    /// Forgets what was read out of a blob whose bytes were deleted: its metadata and
    /// near-duplicate keys go with the bytes, and its row says there is nothing to read.
    func forgetArticle(blob id: Int) throws {
        try db.run("DELETE FROM articles WHERE blob = ?", id)
        try db.run("DELETE FROM article_near_keys WHERE blob = ?", id)
        try db.run("INSERT INTO articles (blob, kind, encoding) VALUES (?, 'none', '')", id)
    }

    /// The metadata of a held blob (nil when too large or without bytes).
    func extractArticle(_ blob: BlobRecord) throws -> ArticleMetadata? {
        guard blob.size <= articleExtractionLimit, blob.form.holdsBytes else { return nil }
        return MetadataExtractor.extract(try blobs.bytes(blob))
    }


    /// The metadata of a blob as `show` prints it: the extracted fields, then any fields supplied
    /// for its sightings (`ingest --meta`), which take precedence.
    public func articleFields(blob hash: String) throws -> (kind: String?, encoding: String?, fingerprint: String?, fields: [MetadataField]) {
        try read {
            guard let id = try blobs.id(hash: hash) else { return (nil, nil, nil, []) }
            let row = try db.firstRow("SELECT kind, encoding, fingerprint FROM articles WHERE blob = ?", [id]) {
                (kind: $0.text(0), encoding: $0.text(1), fingerprint: $0.optionalText(2))
            }
            var seen = Set<String>()
            var fields = try db.rows("SELECT name, value FROM supplied_fields f JOIN sightings s ON s.id = f.sighting WHERE s.blob = ? ORDER BY f.rowid", [id]) {
                MetadataField(name: $0.text(0), value: $0.text(1), extractor: "supplied")
            }.filter { seen.insert($0.name + "\u{0}" + $0.value).inserted }
            let supplied = Set(fields.map(\.name))
            let stored = try db.text("SELECT fields FROM articles WHERE blob = ?", id) ?? "[]"
            let extracted = (try? JSON.parse(Array(stored.utf8)))?.arrayValue ?? []
            fields += extracted.compactMap { item -> MetadataField? in
                guard let parts = item.arrayValue, parts.count == 3, let name = parts[0].stringValue, let value = parts[1].stringValue,
                      let extractor = parts[2].stringValue, !supplied.contains(name) else { return nil }
                return MetadataField(name: name, value: value, extractor: extractor)
            }
            return (row?.kind, row?.encoding, row?.fingerprint, fields)
        }
    }
}

/// Blobs whose metadata is to be read: collected until the batch holds 256 of them or 8 MiB,
/// then extracted on all cores in the background while the caller goes on, and recorded
/// (`insertArticle`) in order when the next batch is handed over or at `flush`. Inside a write
/// transaction.
///
/// An import spends most of its time on this thread writing rows (the search index above all);
/// extracting one batch while the rows of the one before are written keeps the other cores busy
/// instead of waiting (`docs/benchmarks.md`, "Import with metadata read in the background").
/// At most two batches are held at a time, so memory stays bounded.
struct ArticleBatch {
    let archive: Archive
    private var items: [(id: Int, bytes: [UInt8]?)] = []
    private var bytes = 0
    /// The batch being extracted in the background, written at the next hand-over or `flush`.
    private var inFlight: MetadataExtraction?
    /// How many blobs or bytes make a batch.
    static let maxItems = 256, maxBytes = 8 << 20

    init(archive: Archive) { self.archive = archive }

    mutating func add(_ id: Int, _ blobBytes: [UInt8]?) throws {
        items.append((id, blobBytes))
        bytes += blobBytes?.count ?? 0
        if items.count >= Self.maxItems || bytes >= Self.maxBytes { try handOver() }
    }

    /// Records every blob added so far: their metadata extracted and their rows written.
    mutating func flush() throws {
        try handOver()
        try writeInFlight()
    }

    /// Starts extracting the collected blobs, then writes the batch extracted before them.
    private mutating func handOver() throws {
        guard !items.isEmpty else { return }
        let started = MetadataExtraction(items)
        items.removeAll(keepingCapacity: true)
        bytes = 0
        try writeInFlight()
        inFlight = started
    }

    /// Waits for the batch in the background, then writes its rows in order.
    private mutating func writeInFlight() throws {
        guard let batch = inFlight else { return }
        inFlight = nil
        let results = batch.wait()
        try archive.deferringSearchIndex {
            for (id, metadata) in results { try archive.insertArticle(blob: id, metadata) }
        }
    }
}

/// The metadata of a batch of blobs, extracted on a background thread with each blob on
/// whichever core is free; `wait()` gives it, in the order of the inputs. An import's
/// `ArticleBatch` goes on while it runs; the search index build waits at once.
final class MetadataExtraction: @unchecked Sendable {
    private let ids: [Int]
    private let slots: SharedSlots<ArticleMetadata?>
    private let done = DispatchGroup()

    /// Starts on `inputs`: a caller's id and the blob's bytes each (nil: nothing to read).
    init(_ inputs: [(id: Int, bytes: [UInt8]?)]) {
        ids = inputs.map(\.id)
        let slots = SharedSlots(inputs.map { _ in ArticleMetadata?.none })
        self.slots = slots
        let all = inputs.map(\.bytes)
        done.enter()
        DispatchQueue.global().async { [done] in
            DispatchQueue.concurrentPerform(iterations: all.count) { i in
                if let b = all[i] { slots.pointer[i] = MetadataExtractor.extract(b) }
            }
            done.leave()
        }
    }

    /// The ids and metadata, in the order of the inputs, once extracted.
    func wait() -> [(id: Int, metadata: ArticleMetadata?)] {
        done.wait()
        return zip(ids, slots.array).map { ($0, $1) }
    }
}
