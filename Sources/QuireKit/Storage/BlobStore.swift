#if canImport(Glibc)
import Glibc
#endif
import Deflate
import Hashing
import SQLite

/// The only code that reads or writes the `blobs` and `blob_chunks` tables (Fossil's `content.c`
/// is the model): finds blobs by hash or id, streams their original bytes through any chain of
/// preset dictionaries, stores new ones, keeps a row without bytes for a redacted blob, and
/// removes bytes while keeping every blob built on them readable.
///
/// Receiving blobs from a bundle (`BlobReception`), choosing how a blob goes into a bundle
/// (`BlobStore.exportForm`) and checking every stored byte (`BlobVerification`) are its other
/// parts, each in its own file. A value over a connection, so a background thread can read with
/// its own connection while the archive writes with another.
struct BlobStore {
    let db: Database
    /// Recently read or stored blobs' bytes, for the deltas read or received after them
    /// against them (nil: none kept).
    var cache: BlobBytesCache? = nil
    /// The columns `record(_:)` reads, in order.
    static let columns = "id, hash, size, encoding, base, depth, stored_size"

    // MARK: Finding blobs

    func record(hash: String) throws -> BlobRecord? {
        try db.firstRow("SELECT \(Self.columns) FROM blobs WHERE hash = ?", [hash], Self.record)
    }

    func record(id: Int) throws -> BlobRecord? {
        try db.firstRow("SELECT \(Self.columns) FROM blobs WHERE id = ?", [id], Self.record)
    }

    /// The row id of the blob with `hash`, or nil when the archive has no row for it.
    func id(hash: String) throws -> Int? {
        try db.int("SELECT id FROM blobs WHERE hash = ?", hash)
    }

    /// The hash of blob `id`.
    func hash(id: Int) throws -> String? {
        try db.text("SELECT hash FROM blobs WHERE id = ?", id)
    }

    /// Whether the archive has a row for `hash` (with or without its bytes).
    func contains(hash: String) throws -> Bool { try id(hash: hash) != nil }

    /// A blob's storage facts from a row of `columns`.
    static func record(_ s: Statement) -> BlobRecord {
        BlobRecord(id: s.int(0), hash: s.text(1), size: s.int(2), form: StoredForm(encoding: s.text(3), base: s.optionalInt(4)),
                   depth: s.int(5), storedSize: s.int(6))
    }

    /// The blobs stored against `blob` as their base.
    func dependents(of blob: Int) throws -> [Int] {
        try db.rows("SELECT id FROM blobs WHERE base = ?", [blob]) { $0.int(0) }
    }

    /// The highest blob row id (rows are never deleted, so a new blob's id is higher).
    func lastID() throws -> Int? { try db.int("SELECT max(id) FROM blobs") }

    // MARK: Reading

    /// Streams a blob's original bytes to `output`, at most `limit` of them (the rest is not
    /// decompressed). Returns the number of bytes produced.
    @discardableResult
    func read(_ blob: BlobRecord, limit: Int = .max, output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var produced = 0
        func emit(_ piece: UnsafeRawBufferPointer) throws -> Bool {
            let take = min(piece.count, limit - produced)
            if take > 0 { try output(UnsafeRawBufferPointer(rebasing: piece[0..<take])) }
            produced += take
            return produced < limit
        }
        switch blob.form {
        case .raw:
            try forEachChunk(blob.id, emit)
        case .zlib(let base):
            let preset = try base.map { try self.dictionary(baseID: $0) }
            let inflater = try Inflater(format: .zlib, dictionary: preset, outputLimit: blob.size)
            var wanted = true
            do {
                try forEachChunk(blob.id) { chunk in
                    try inflater.decompress(chunk) { piece in
                        if wanted { wanted = try emit(piece) }
                    }
                    return wanted
                }
                if wanted { try inflater.finish() }
            } catch let error as ZlibError {
                throw QuireError(.corrupt, "blob \(blob.hash) cannot be decompressed", underlying: error)
            }
        case .delta(let baseID):
            let bytes = try applyDelta(blob, baseID: baseID)
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = min(BlobEncoding.chunkSize, raw.count - offset)
                    if try !emit(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + n])) { break }
                    offset += n
                }
            }
        case .redacted:
            throw QuireError(.redacted, "the bytes of blob \(blob.hash) were redacted from this archive")
        case .unknown(let name):
            throw QuireError(.corrupt, "blob \(blob.hash) has an unknown encoding '\(name)'")
        }
        if produced < min(limit, blob.size) {
            throw QuireError(.corrupt, "blob \(blob.hash) holds \(produced) bytes but should hold \(blob.size)")
        }
        return produced
    }

    /// The original bytes of a delta blob: its base's whole bytes (read through the base's own
    /// chain, at most `maxDepth` deep) with the inflated delta applied.
    private func applyDelta(_ blob: BlobRecord, baseID: Int) throws -> [UInt8] {
        guard let base = try record(id: baseID) else {
            throw QuireError(.corrupt, "blob \(baseID), the base of blob \(blob.hash), is missing")
        }
        let source = try whole(base)
        let bytes = try Self.applyDelta(storedBytes(blob), to: source, for: blob)
        cache?.put(blob.hash, bytes)
        return bytes
    }

    /// The stored form's bytes (the chunks, concatenated).
    func storedBytes(_ blob: BlobRecord) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(blob.storedSize)
        try forEachChunk(blob.id) { out.append(contentsOf: $0); return true }
        return out
    }

    /// A blob's original bytes from a zlib-compressed delta and its base's bytes; any damage is
    /// an error naming the blob.
    static func applyDelta(_ stored: [UInt8], to source: [UInt8], for blob: BlobRecord) throws -> [UInt8] {
        let delta: [UInt8]
        do {
            delta = try Inflater.decompress(stored, limit: 2 * blob.size + 1024)
        } catch {
            throw QuireError(.corrupt, "blob \(blob.hash) cannot be decompressed", underlying: error as? ZlibError)
        }
        do {
            let bytes = try Delta.apply(delta, to: source, limit: blob.size)
            guard bytes.count == blob.size else { throw Delta.Malformed("it makes \(bytes.count) bytes, not \(blob.size)") }
            return bytes
        } catch let error as Delta.Malformed {
            throw QuireError(.corrupt, "blob \(blob.hash) is a delta that does not apply to its base: \(error)")
        }
    }

    /// A blob's whole original bytes, without checking the hash (for a base being read through).
    func whole(_ blob: BlobRecord) throws -> [UInt8] {
        if let hit = cache?.get(blob.hash) { return hit }
        var out = [UInt8]()
        out.reserveCapacity(blob.size)
        try read(blob) { out.append(contentsOf: $0) }
        cache?.put(blob.hash, out)
        return out
    }

    /// Calls `body` with each stored chunk of a blob in order (its stored form, not its original
    /// bytes); stops when `body` returns false.
    func forEachChunk(_ blobID: Int, _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        // A statement of its own: reading a base's dictionary may run this query again while this one is open.
        try db.withStatement("SELECT data FROM blob_chunks WHERE blob = ? ORDER BY n") { statement in
            _ = try statement.bind(blobID)
            while try statement.step() {
                if try !statement.withBlob(0, body) { break }
            }
        }
    }

    /// The preset dictionary a blob with this base was compressed with: the base's first 32 KiB.
    func dictionary(baseID: Int) throws -> [UInt8] {
        guard let base = try record(id: baseID) else {
            throw QuireError(.corrupt, "blob \(baseID), the base of another blob, is missing")
        }
        return try prefix(base)
    }

    /// The first 32 KiB of a blob's original bytes (all of them when it is smaller).
    func prefix(_ blob: BlobRecord) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(min(blob.size, BlobEncoding.dictionarySize))
        try read(blob, limit: BlobEncoding.dictionarySize) { out.append(contentsOf: $0) }
        return out
    }

    /// Reads a whole blob into memory and checks its hash. For small blobs (tests, dictionaries, diffs).
    func bytes(_ blob: BlobRecord) throws -> [UInt8] {
        let out = try whole(blob)
        let actual = SHA256.hash(out).hex
        if actual != blob.hash {
            throw QuireError(.corrupt, "blob \(blob.hash) reads back as bytes with hash \(actual)")
        }
        return out
    }

    /// Whether `blob` can serve as a preset dictionary for a new blob: it holds bytes and a blob
    /// built on it stays within the depth limit.
    static func canServeAsBase(_ blob: BlobRecord) -> Bool {
        blob.form.holdsBytes && blob.depth < BlobEncoding.maxDepth
    }

    // MARK: Writing

    /// A writer for a new blob whose stored form arrives in pieces; with `filling`, for the
    /// redacted row of that blob instead (see `fill`).
    func writer(hash: String, size: Int, form: StoredForm, depth: Int, filling stub: BlobRecord? = nil) throws -> BlobChunkWriter {
        if let stub { return try BlobChunkWriter(db: db, filling: stub, form: form, depth: depth) }
        return try BlobChunkWriter(db: db, hash: hash, size: size, form: form, depth: depth)
    }

    /// Stores a new blob from its encoded form. The base it was encoded against is checked here,
    /// inside the write transaction: when it is no longer usable (gone, redacted, too deep), the
    /// original `bytes` are encoded again self-contained. With `filling`, the bytes go into that
    /// redacted row of the same blob. Returns the row id and the stored size.
    func put(hash: String, bytes: [UInt8], encoded: EncodedBlob, level: Int32 = BlobEncoding.defaultLevel,
             filling stub: BlobRecord? = nil) throws -> (id: Int, stored: Int) {
        var encoded = encoded
        var base: BlobRecord? = nil
        if let baseHash = encoded.base {
            base = try record(hash: baseHash)
            if base == nil || !Self.canServeAsBase(base!) {
                base = nil
                encoded = try BlobEncoding.plain(bytes, level: level)
            }
        }
        let form: StoredForm
        switch encoded.kind {
        case .raw: form = .raw
        case .zlib: form = .zlib(base: nil)
        case .delta: form = .delta(base: base!.id)
        }
        let writer = try writer(hash: hash, size: bytes.count, form: form, depth: base.map { $0.depth + 1 } ?? 0, filling: stub)
        try encoded.data.withUnsafeBytes { try writer.append($0) }
        try writer.finish()
        return (writer.id, encoded.data.count)
    }

    /// Stores a new blob from a file holding its stored form (self-contained: a zlib stream when
    /// `compressed`, else the original bytes), streaming. Returns the row id and the stored size.
    func put(hash: String, size: Int, storedFormFile path: String, compressed: Bool, filling stub: BlobRecord? = nil) throws -> (id: Int, stored: Int) {
        guard let input = fopen(path, "rb") else {
            throw QuireError(.io, "cannot read temporary file \(path)")
        }
        defer { fclose(input) }
        let writer = try writer(hash: hash, size: size, form: compressed ? .zlib(base: nil) : .raw, depth: 0, filling: stub)
        var buffer = [UInt8](repeating: 0, count: BlobEncoding.chunkSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        if ferror(input) != 0 { throw QuireError(.io, "cannot read temporary file \(path)") }
        try writer.finish()
        return (writer.id, writer.storedSize)
    }

    /// Stores a new blob whose original bytes are in memory, self-contained.
    func put(hash: String, bytes: [UInt8], filling stub: BlobRecord? = nil) throws -> Int {
        try put(hash: hash, bytes: bytes, encoded: BlobEncoding.plain(bytes), filling: stub).id
    }

    /// A row for a blob whose bytes this copy will never hold (a redaction of bytes it never had):
    /// its hash and size, so a sighting can name it and the bytes never arrive.
    func putRedacted(hash: String, size: Int) throws {
        try db.run("INSERT INTO blobs (hash, size, encoding, depth, stored_size) VALUES (?, ?, ?, 0, 0)",
                   hash, size, StoredForm.Name.redacted)
    }

    // MARK: Removing bytes

    /// Deletes a blob's stored bytes, keeping its row (hash and size) as redacted. Each blob
    /// compressed against it is first re-encoded against its own base instead, so its chain gets
    /// one shorter and it stays readable. The caller turns on `secure_delete` first when the
    /// freed pages must be zeroed.
    func remove(_ blob: BlobRecord) throws {
        guard blob.form.holdsBytes else { return }
        let newBase = try blob.base.flatMap { try record(id: $0) }
        for dependent in try dependents(of: blob.id) {
            guard let record = try record(id: dependent) else { continue }
            try reencode(record, against: newBase)
        }
        try db.run("DELETE FROM blob_chunks WHERE blob = ?", blob.id)
        try db.run("UPDATE blobs SET encoding = ?, base = NULL, depth = 0, stored_size = 0 WHERE id = ?",
                   StoredForm.Name.redacted, blob.id)
    }

    /// Replaces a held blob's stored form with `encoded` (its bytes are the same; only how they
    /// are kept changes), at the depth its base gives it. The base must be usable and have a
    /// smaller row id than the blob (so bases never form a cycle). Returns the new stored size.
    @discardableResult
    func restore(_ blob: BlobRecord, as encoded: EncodedBlob) throws -> Int {
        precondition(blob.form.holdsBytes, "only a held blob is stored again")
        var form: StoredForm
        var depth = 0
        switch encoded.kind {
        case .raw: form = .raw
        case .zlib: form = .zlib(base: nil)
        case .delta(let baseHash):
            guard let base = try record(hash: baseHash), Self.canServeAsBase(base), base.id < blob.id else {
                throw QuireError(.corrupt, "blob \(blob.hash) cannot be stored against \(baseHash)")
            }
            form = .delta(base: base.id)
            depth = base.depth + 1
        }
        try db.run("DELETE FROM blob_chunks WHERE blob = ?", blob.id)
        var n = 0, offset = 0
        while offset < encoded.data.count {
            let end = min(offset + BlobEncoding.chunkSize, encoded.data.count)
            try db.run("INSERT INTO blob_chunks (blob, n, data) VALUES (?, ?, ?)", blob.id, n, Array(encoded.data[offset..<end]))
            n += 1
            offset = end
        }
        try db.run("UPDATE blobs SET encoding = ?, base = ?, depth = ?, stored_size = ? WHERE id = ?",
                   form.encoding, form.base, depth, encoded.data.count, blob.id)
        if depth != blob.depth { try fixDepths(below: blob.id) }
        return encoded.data.count
    }

    /// How many levels of blobs are built on `blob` (0: none).
    func heightOfDependents(_ blob: Int) throws -> Int {
        try db.int("""
            WITH RECURSIVE tree(id, level) AS (
                SELECT id, 1 FROM blobs WHERE base = ?1
                UNION ALL SELECT b.id, tree.level + 1 FROM blobs b JOIN tree ON b.base = tree.id)
            SELECT coalesce(max(level), 0) FROM tree
            """, blob) ?? 0
    }

    /// Sets the depth of every blob built on `blob`, directly or not, to its base's depth plus one.
    private func fixDepths(below blob: Int) throws {
        try db.run("""
            WITH RECURSIVE tree(id, depth) AS (
                SELECT id, depth FROM blobs WHERE id = ?1
                UNION ALL SELECT b.id, tree.depth + 1 FROM blobs b JOIN tree ON b.base = tree.id)
            UPDATE blobs SET depth = (SELECT depth FROM tree WHERE tree.id = blobs.id)
            WHERE id IN (SELECT id FROM tree) AND id <> ?1
            """, blob)
    }

    /// Held blobs by row id, from `after` on, `limit` at a time.
    func held(after: Int, limit: Int) throws -> [BlobRecord] {
        try db.rows("SELECT \(Self.columns) FROM blobs b WHERE b.id > ? AND \(StoredForm.holdsBytesSQL("b")) ORDER BY b.id LIMIT ?",
                    [after, limit], Self.record)
    }

    /// Re-encodes a blob against `base` (none: self-contained) in the form its kind takes (a
    /// delta, or zlib with the base's preset dictionary), and fixes the depths of the blobs that
    /// build on it.
    private func reencode(_ blob: BlobRecord, against base: BlobRecord?) throws {
        let bytes = try whole(blob)
        var form: StoredForm
        var data: [UInt8]
        if let base, Self.canServeAsBase(base), case .delta = blob.form {
            data = try Deflater.compress(Delta.create(from: try whole(base), to: bytes), level: BlobEncoding.defaultLevel)
            form = .delta(base: base.id)
        } else if let base, Self.canServeAsBase(base), case .zlib = blob.form {
            data = try Deflater.compress(bytes, level: BlobEncoding.defaultLevel, dictionary: try prefix(base))
            form = .zlib(base: base.id)
        } else {
            let plain = try BlobEncoding.plain(bytes)
            data = plain.data
            form = plain.kind == .raw ? .raw : .zlib(base: nil)
        }
        try db.run("DELETE FROM blob_chunks WHERE blob = ?", blob.id)
        var n = 0, offset = 0
        while offset < data.count {
            let end = min(offset + BlobEncoding.chunkSize, data.count)
            try db.run("INSERT INTO blob_chunks (blob, n, data) VALUES (?, ?, ?)", blob.id, n, Array(data[offset..<end]))
            n += 1
            offset = end
        }
        try db.run("UPDATE blobs SET encoding = ?, base = ?, depth = ?, stored_size = ? WHERE id = ?",
                   form.encoding, form.base, form.base == nil ? 0 : base!.depth + 1, data.count, blob.id)
        try db.run("""
            WITH RECURSIVE tree(id, depth) AS (
                SELECT id, depth FROM blobs WHERE id = ?1
                UNION ALL SELECT b.id, tree.depth + 1 FROM blobs b JOIN tree ON b.base = tree.id)
            UPDATE blobs SET depth = (SELECT depth FROM tree WHERE tree.id = blobs.id)
            WHERE id IN (SELECT id FROM tree) AND id <> ?1
            """, blob.id)
    }
}

extension Archive {
    /// The blob store over this archive's connection.
    var blobs: BlobStore { BlobStore(db: db) }
}

/// The bytes of recently read or stored blobs, by hash, up to a budget (the least recently used
/// dropped first): a blob's base is usually read or stored just before it. A class so the
/// stores and receptions of one import share it.
final class BlobBytesCache {
    private var recent: RecentBlobs

    init(budget: Int = 64 << 20) { recent = RecentBlobs(budget: budget) }

    func get(_ hash: String) -> [UInt8]? { recent.get(hash)?.bytes ?? nil }

    func put(_ hash: String, _ bytes: [UInt8]) {
        guard bytes.count <= BlobEncoding.largestDelta else { return }
        recent.put(hash, bytes, depth: 0)
    }
}
