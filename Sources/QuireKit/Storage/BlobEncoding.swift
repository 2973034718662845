import Deflate

/// How a blob's bytes are encoded for storage: raw, zlib, or a zlib-compressed delta against
/// another blob's whole bytes (its base), whichever is smallest. Bases chain at most `maxDepth`
/// deep, so reading any blob reads a bounded number of records. Pure functions, run on the
/// preparing threads; `BlobStore.put` writes the result.
public enum BlobEncoding {
    /// How many bytes of the base blob form the preset dictionary (the older 'zlib' blobs with a base).
    public static let dictionarySize = 32 * 1024
    /// The longest chain of bases: a blob whose base is at this depth is stored self-contained.
    public static let maxDepth = 15
    /// Stored bytes are split into rows of at most this size in `blob_chunks`.
    public static let chunkSize = 1024 * 1024
    /// zlib's compression level for stored blobs.
    public static let defaultLevel: Int32 = 6
    /// Blobs larger than this are never stored as deltas (a delta is made and applied in memory).
    public static let largestDelta = 16 * 1024 * 1024

    /// The stored form of `bytes` on its own: a zlib stream if that is smaller, else the raw bytes.
    static func plain(_ bytes: [UInt8], level: Int32 = defaultLevel) throws -> EncodedBlob {
        if bytes.isEmpty { return EncodedBlob(data: [], kind: .raw) }
        let compressed = try Deflater.compress(bytes, level: level)
        return compressed.count < bytes.count ? EncodedBlob(data: compressed, kind: .zlib) : EncodedBlob(data: bytes, kind: .raw)
    }

    /// The smallest stored form of `bytes`: on its own, or as a delta against one of `bases`
    /// (each a blob's hash and whole bytes). A false candidate costs time, never space.
    static func best(_ bytes: [UInt8], bases: [(hash: String, bytes: [UInt8])], level: Int32 = defaultLevel) throws -> EncodedBlob {
        var best = try plain(bytes, level: level)
        guard bytes.count <= largestDelta, bytes.count >= 64 else { return best }
        for base in bases where base.bytes.count <= largestDelta && !base.bytes.isEmpty {
            let delta = Delta.create(from: base.bytes, to: bytes)
            // A delta that copies little is no better than the bytes themselves.
            guard delta.count < best.data.count else { continue }
            let compressed = try Deflater.compress(delta, level: level)
            if compressed.count < best.data.count { best = EncodedBlob(data: compressed, kind: .delta(base: base.hash)) }
        }
        return best
    }
}

/// A blob's stored form, computed off the writer thread: what `BlobStore.put` writes.
struct EncodedBlob: Sendable {
    /// The bytes for `blob_chunks`.
    let data: [UInt8]
    let kind: Kind

    enum Kind: Sendable, Equatable {
        /// The original bytes.
        case raw
        /// A zlib stream of the original bytes.
        case zlib
        /// A zlib stream of a delta against the whole bytes of the blob with this hash.
        case delta(base: String)
    }

    /// The blob (by hash) the stored form depends on; nil when self-contained.
    var base: String? {
        if case .delta(let base) = kind { return base }
        return nil
    }
}
