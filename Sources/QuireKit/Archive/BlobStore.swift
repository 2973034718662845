import Deflate
import Hashing
import SQLite

/// How a blob's bytes are kept: raw, or as a zlib stream, optionally compressed with another
/// blob's first 32 KiB as the preset dictionary (its `base`). Bases chain at most
/// `BlobEncoding.maxDepth` deep, so reading any blob costs at most 16 decompressions.
public enum BlobEncoding {
    /// How many bytes of the base blob form the preset dictionary.
    public static let dictionarySize = 32 * 1024
    /// The longest chain of bases: a blob whose base is at this depth is stored self-contained.
    public static let maxDepth = 15
    /// Stored bytes are split into rows of at most this size in `blob_chunks`.
    public static let chunkSize = 1024 * 1024
    /// zlib's compression level for stored blobs.
    public static let defaultLevel: Int32 = 6

    /// The stored form of `bytes`: a zlib stream (with `dictionary` when given) if that is smaller,
    /// else the raw bytes. `usedDictionary` says whether the result depends on the dictionary.
    public static func encode(_ bytes: [UInt8], dictionary: [UInt8]?, level: Int32 = defaultLevel) throws -> (encoding: String, data: [UInt8], usedDictionary: Bool) {
        if bytes.isEmpty { return ("raw", [], false) }
        let compressed = try Deflater.compress(bytes, level: level, dictionary: dictionary)
        if compressed.count < bytes.count { return ("zlib", compressed, dictionary != nil && !(dictionary!.isEmpty)) }
        return ("raw", bytes, false)
    }
}

/// A blob row's storage facts.
struct BlobRecord {
    let id: Int
    let hash: String
    let size: Int
    let encoding: String
    let base: Int?
    let depth: Int
    let storedSize: Int
}

extension Archive {
    func blobRecord(hash: String) throws -> BlobRecord? {
        try db.firstRow("SELECT id, hash, size, encoding, base, depth, stored_size FROM blobs WHERE hash = ?", [hash], Self.blobRecord)
    }

    func blobRecord(id: Int) throws -> BlobRecord? {
        try db.firstRow("SELECT id, hash, size, encoding, base, depth, stored_size FROM blobs WHERE id = ?", [id], Self.blobRecord)
    }

    private static func blobRecord(_ s: Statement) -> BlobRecord {
        BlobRecord(id: s.int(0), hash: s.text(1), size: s.int(2), encoding: s.text(3), base: s.optionalInt(4), depth: s.int(5), storedSize: s.int(6))
    }

    /// Inserts a blob whose stored form is already in memory. Returns its id.
    func insertBlob(hash: String, size: Int, encoding: String, base: Int?, depth: Int, data: [UInt8]) throws -> Int {
        try db.run("INSERT INTO blobs (hash, size, encoding, base, depth, stored_size) VALUES (?, ?, ?, ?, ?, ?)",
                   hash, size, encoding, base, depth, data.count)
        let id = db.lastInsertRowID
        var n = 0
        var offset = 0
        while offset < data.count {
            let end = min(offset + BlobEncoding.chunkSize, data.count)
            try db.run("INSERT INTO blob_chunks (blob, n, data) VALUES (?, ?, ?)", id, n, Array(data[offset..<end]))
            n += 1
            offset = end
        }
        return id
    }

    /// A blob writer that takes the stored form piece by piece, for files too large for memory.
    func insertBlobStreaming(hash: String, size: Int, encoding: String, base: Int?, depth: Int,
                             produce: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> Int {
        try db.run("INSERT INTO blobs (hash, size, encoding, base, depth, stored_size) VALUES (?, ?, ?, ?, ?, 0)",
                   hash, size, encoding, base, depth)
        let id = db.lastInsertRowID
        var pending = [UInt8]()
        pending.reserveCapacity(BlobEncoding.chunkSize)
        var n = 0
        var total = 0
        func flush() throws {
            try db.run("INSERT INTO blob_chunks (blob, n, data) VALUES (?, ?, ?)", id, n, pending)
            total += pending.count
            n += 1
            pending.removeAll(keepingCapacity: true)
        }
        try produce { piece in
            var rest = piece[...]
            while !rest.isEmpty {
                let take = min(BlobEncoding.chunkSize - pending.count, rest.count)
                pending.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                if pending.count == BlobEncoding.chunkSize { try flush() }
            }
        }
        if !pending.isEmpty { try flush() }
        try db.run("UPDATE blobs SET stored_size = ? WHERE id = ?", total, id)
        return id
    }

    /// Streams a blob's original bytes to `output`, at most `limit` of them (the rest is not
    /// decompressed). Returns the number of bytes produced.
    @discardableResult
    func readBlob(_ blob: BlobRecord, limit: Int = .max, output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
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
            let dictionary = try blob.base.map { try dictionaryBytes(baseID: $0) }
            let inflater = try Inflater(format: .zlib, dictionary: dictionary, outputLimit: blob.size)
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
        default:
            throw QuireError(.corrupt, "blob \(blob.hash) has an unknown encoding '\(blob.encoding)'")
        }
        if produced < min(limit, blob.size) {
            throw QuireError(.corrupt, "blob \(blob.hash) holds \(produced) bytes but should hold \(blob.size)")
        }
        return produced
    }

    /// Calls `body` with each stored chunk of a blob in order; stops when `body` returns false.
    private func forEachChunk(_ blobID: Int, _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        // A fresh statement: reading a base's dictionary may run this query again while this one is open.
        let statement = try db.prepare("SELECT data FROM blob_chunks WHERE blob = ? ORDER BY n")
        try statement.bind(blobID)
        while try statement.step() {
            if try !statement.withBlob(0, body) { break }
        }
    }

    /// The preset dictionary a blob with this base was compressed with: the base's first 32 KiB.
    func dictionaryBytes(baseID: Int) throws -> [UInt8] {
        guard let base = try blobRecord(id: baseID) else {
            throw QuireError(.corrupt, "blob \(baseID), the base of another blob, is missing")
        }
        return try blobPrefix(base)
    }

    /// The first 32 KiB of a blob's original bytes (all of them when it is smaller).
    func blobPrefix(_ blob: BlobRecord) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(min(blob.size, BlobEncoding.dictionarySize))
        try readBlob(blob, limit: BlobEncoding.dictionarySize) { out.append(contentsOf: $0) }
        return out
    }

    /// Reads a whole blob into memory and checks its hash. For small blobs (tests, dictionaries, diffs).
    func blobBytes(_ blob: BlobRecord) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(blob.size)
        try readBlob(blob) { out.append(contentsOf: $0) }
        let actual = SHA256.hash(out).hex
        if actual != blob.hash {
            throw QuireError(.corrupt, "blob \(blob.hash) reads back as bytes with hash \(actual)")
        }
        return out
    }
}
