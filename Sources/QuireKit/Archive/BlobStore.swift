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

/// Writes one blob's stored form into `blobs` and `blob_chunks` piece by piece, so a blob of any
/// size passes through bounded memory. `finish()` records the stored size. A class because it
/// holds the partly filled chunk between calls.
final class BlobChunkWriter {
    private let db: Database
    /// The new blob's row id.
    let id: Int
    private var pending: [UInt8] = []
    private var n = 0
    private(set) var storedSize = 0

    init(db: Database, hash: String, size: Int, encoding: String, base: Int?, depth: Int) throws {
        self.db = db
        try db.run("INSERT INTO blobs (hash, size, encoding, base, depth, stored_size) VALUES (?, ?, ?, ?, ?, 0)",
                   hash, size, encoding, base, depth)
        id = db.lastInsertRowID
    }

    /// Appends stored bytes.
    func append(_ piece: UnsafeRawBufferPointer) throws {
        var rest = piece[...]
        while !rest.isEmpty {
            if pending.isEmpty { pending.reserveCapacity(min(BlobEncoding.chunkSize, rest.count)) }
            let take = min(BlobEncoding.chunkSize - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            if pending.count == BlobEncoding.chunkSize { try flush() }
        }
    }

    /// Writes what is pending and the stored size.
    func finish() throws {
        if !pending.isEmpty { try flush() }
        try db.run("UPDATE blobs SET stored_size = ? WHERE id = ?", storedSize, id)
    }

    private func flush() throws {
        try db.run("INSERT INTO blob_chunks (blob, n, data) VALUES (?, ?, ?)", id, n, pending)
        storedSize += pending.count
        n += 1
        pending.removeAll(keepingCapacity: true)
    }
}

extension Archive {
    /// Inserts a blob whose stored form is already in memory. Returns its id.
    func insertBlob(hash: String, size: Int, encoding: String, base: Int?, depth: Int, data: [UInt8]) throws -> Int {
        let writer = try BlobChunkWriter(db: db, hash: hash, size: size, encoding: encoding, base: base, depth: depth)
        try data.withUnsafeBytes { try writer.append($0) }
        try writer.finish()
        return writer.id
    }
}
