import Deflate

/// How a blob's bytes are encoded for storage: raw, or as a zlib stream, optionally compressed
/// with another blob's first 32 KiB as the preset dictionary (its base). Bases chain at most
/// `maxDepth` deep, so reading any blob costs at most 16 decompressions. Pure functions, run on
/// the preparing threads; `BlobStore.put` writes the result.
public enum BlobEncoding {
    /// How many bytes of the base blob form the preset dictionary.
    public static let dictionarySize = 32 * 1024
    /// The longest chain of bases: a blob whose base is at this depth is stored self-contained.
    public static let maxDepth = 15
    /// Stored bytes are split into rows of at most this size in `blob_chunks`.
    public static let chunkSize = 1024 * 1024
    /// zlib's compression level for stored blobs.
    public static let defaultLevel: Int32 = 6

    /// The stored form of `bytes`: a zlib stream (against `base`'s dictionary when given) if that
    /// is smaller, else the raw bytes.
    static func encode(_ bytes: [UInt8], base: (hash: String, dictionary: [UInt8])?, level: Int32 = defaultLevel) throws -> EncodedBlob {
        if bytes.isEmpty { return EncodedBlob(data: [], compressed: false, base: nil) }
        let dictionary = base.flatMap { $0.dictionary.isEmpty ? nil : $0.dictionary }
        let compressed = try Deflater.compress(bytes, level: level, dictionary: dictionary)
        if compressed.count < bytes.count {
            return EncodedBlob(data: compressed, compressed: true, base: dictionary == nil ? nil : base?.hash)
        }
        return EncodedBlob(data: bytes, compressed: false, base: nil)
    }

    /// The smaller of the encodings of `bytes` against each candidate base (and none when
    /// `candidates` is empty). A false candidate costs time, never space.
    static func encodeBest(_ bytes: [UInt8], candidates: [(hash: String, dictionary: [UInt8])], level: Int32 = defaultLevel) throws -> EncodedBlob {
        guard let first = candidates.first else { return try encode(bytes, base: nil, level: level) }
        var best = try encode(bytes, base: first, level: level)
        for candidate in candidates.dropFirst() {
            let other = try encode(bytes, base: candidate, level: level)
            if other.data.count < best.data.count { best = other }
        }
        return best
    }
}

/// A blob's stored form, computed off the writer thread: what `BlobStore.put` writes.
struct EncodedBlob: Sendable {
    /// The bytes for `blob_chunks`.
    let data: [UInt8]
    /// Whether `data` is a zlib stream (else the original bytes).
    let compressed: Bool
    /// The blob (by hash) whose prefix was the preset dictionary; nil when self-contained.
    let base: String?
}
