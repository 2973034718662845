import SQLite

/// Writes one blob's stored form into `blobs` and `blob_chunks` piece by piece, so a blob of any
/// size passes through bounded memory. `finish()` records the stored size. Made only by
/// `BlobStore`. A class because it holds the partly filled chunk between calls.
final class BlobChunkWriter {
    private let db: Database
    /// The new blob's row id.
    let id: Int
    private var pending: [UInt8] = []
    private var n = 0
    private(set) var storedSize = 0

    init(db: Database, hash: String, size: Int, form: StoredForm, depth: Int) throws {
        self.db = db
        try db.run("INSERT INTO blobs (hash, size, encoding, base, depth, stored_size) VALUES (?, ?, ?, ?, ?, 0)",
                   hash, size, form.encoding, form.base, depth)
        id = db.lastInsertRowID
    }

    /// A writer that gives bytes to the row `stub`, which had none (a blob known only by a
    /// redaction from another copy): its row id, hash and size stay.
    init(db: Database, filling stub: BlobRecord, form: StoredForm, depth: Int) throws {
        self.db = db
        try db.run("UPDATE blobs SET encoding = ?, base = ?, depth = ?, stored_size = 0 WHERE id = ?", form.encoding, form.base, depth, stub.id)
        id = stub.id
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
