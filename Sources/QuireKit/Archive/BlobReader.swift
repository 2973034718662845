import Deflate
import Hashing
import SQLite

/// Reads blobs from an archive's database: their storage facts and their original bytes, through
/// any chain of preset dictionaries. A value over a connection, so a background thread can read
/// with its own connection while the archive writes with another.
struct BlobReader {
    let db: Database
    /// The columns `record(_:)` reads, in order.
    static let columns = "id, hash, size, encoding, base, depth, stored_size"

    func record(hash: String) throws -> BlobRecord? {
        try db.firstRow("SELECT \(Self.columns) FROM blobs WHERE hash = ?", [hash], Self.record)
    }

    func record(id: Int) throws -> BlobRecord? {
        try db.firstRow("SELECT \(Self.columns) FROM blobs WHERE id = ?", [id], Self.record)
    }

    /// A blob's storage facts from a row of `columns`.
    static func record(_ s: Statement) -> BlobRecord {
        BlobRecord(id: s.int(0), hash: s.text(1), size: s.int(2), encoding: s.text(3), base: s.optionalInt(4), depth: s.int(5), storedSize: s.int(6))
    }

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
        switch blob.encoding {
        case "raw":
            try forEachChunk(blob.id, emit)
        case "zlib":
            let preset = try blob.base.map { try self.dictionary(baseID: $0) }
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
        case "redacted":
            throw QuireError(.redacted, "the bytes of blob \(blob.hash) were redacted from this archive")
        default:
            throw QuireError(.corrupt, "blob \(blob.hash) has an unknown encoding '\(blob.encoding)'")
        }
        if produced < min(limit, blob.size) {
            throw QuireError(.corrupt, "blob \(blob.hash) holds \(produced) bytes but should hold \(blob.size)")
        }
        return produced
    }

    /// Calls `body` with each stored chunk of a blob in order (its stored form, not its original
    /// bytes); stops when `body` returns false.
    func forEachChunk(_ blobID: Int, _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        // A fresh statement: reading a base's dictionary may run this query again while this one is open.
        let statement = try db.prepare("SELECT data FROM blob_chunks WHERE blob = ? ORDER BY n")
        try statement.bind(blobID)
        while try statement.step() {
            if try !statement.withBlob(0, body) { break }
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
        var out = [UInt8]()
        out.reserveCapacity(blob.size)
        try read(blob) { out.append(contentsOf: $0) }
        let actual = SHA256.hash(out).hex
        if actual != blob.hash {
            throw QuireError(.corrupt, "blob \(blob.hash) reads back as bytes with hash \(actual)")
        }
        return out
    }
}

extension Archive {
    /// A reader over this archive's connection.
    var blobs: BlobReader { BlobReader(db: db) }
}
