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
        if bytes.isEmpty || isCompressed(bytes) { return EncodedBlob(data: bytes, kind: .raw) }
        let compressed = try Deflater.compress(bytes, level: level)
        return compressed.count < bytes.count ? EncodedBlob(data: compressed, kind: .zlib) : EncodedBlob(data: bytes, kind: .raw)
    }

    /// The smallest stored form of `bytes`: on its own, or as a delta against one of `bases`
    /// (each a blob's hash and whole bytes). A false candidate costs time, never space.
    static func best(_ bytes: [UInt8], bases: [(hash: String, bytes: [UInt8])], level: Int32 = defaultLevel) throws -> EncodedBlob {
        var best = try plain(bytes, level: level)
        guard bytes.count <= largestDelta, bytes.count >= 64, !isCompressed(bytes) else { return best }
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

extension BlobEncoding {
    /// Whether the bytes are in a format that is compressed already (PNG, JPEG, GIF, ZIP, gzip,
    /// WOFF, WOFF2, WebP, xz, bzip2, 7z): deflate, and a delta against another blob, would cost
    /// time and win next to nothing, so they are stored raw. (PDF is not among them: its text
    /// parts compress.)
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
        case (0x89, 0x50, 0x4E, 0x47),                  // PNG
             (0xFF, 0xD8, 0xFF, _),                     // JPEG
             (0x47, 0x49, 0x46, 0x38),                  // GIF8
             (0x50, 0x4B, 0x03, 0x04),                  // ZIP (also docx, epub, jar)
             (0x1F, 0x8B, _, _),                        // gzip
             (0x77, 0x4F, 0x46, 0x46), (0x77, 0x4F, 0x46, 0x32), // wOFF, wOF2
             (0xFD, 0x37, 0x7A, 0x58),                  // xz
             (0x42, 0x5A, 0x68, _),                     // bzip2
             (0x37, 0x7A, 0xBC, 0xAF):                  // 7z
            return true
        case (0x52, 0x49, 0x46, 0x46):                  // RIFF: WebP is compressed, WAV is not
            return bytes.count >= 12 && bytes[8...11].elementsEqual("WEBP".utf8)
        default:
            return false
        }
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
