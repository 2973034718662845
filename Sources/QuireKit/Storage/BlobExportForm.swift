import Deflate

/// How one blob goes into a bundle, given what the receiver holds.
enum BlobExportForm: Equatable {
    /// Its stored chunks are the original bytes: a "B" record from the chunks.
    case rawChunks
    /// Compressed against a base the receiver will not have: recompressed on its own into a "Z"
    /// record (compressed twice: once to learn the size for the header, once to write).
    case recompressed(size: Int)
    /// Its stored zlib stream as is: a "Z" record (against the base with this hash, or none).
    /// `thin`: the base is one the receiver already holds, not one sent in the bundle.
    case zlib(base: String?, thin: Bool)
    /// Its stored delta (zlib-compressed) as is: a "D" record against the base with this hash,
    /// which is in the bundle or, `thin`, one the receiver already holds.
    case delta(base: String, thin: Bool)
    /// Not served here (redacted, or quarantined): an "R" record with its hash and size only.
    case redacted

    /// The bytes of the record's body after its fixed prefix (the stored or recompressed bytes).
    func storedBytes(_ blob: BlobRecord) -> Int {
        switch self {
        case .rawChunks: return blob.size
        case .recompressed(let size): return size
        case .zlib, .delta: return blob.storedSize
        case .redacted: return 0
        }
    }
}

extension BlobStore {
    /// How `blob` goes into a bundle. `served`: this copy serves its bytes (not redacted, not in
    /// quarantine). `sends`: whether the bundle carries the bytes of a blob (by row id). With `thin`,
    /// a blob may go against a base the receiver holds (`receiverHas`); otherwise a blob whose
    /// base is not in the bundle is recompressed on its own, so the bundle is self-contained.
    func exportForm(for blob: BlobRecord, served: Bool, sends: (Int) -> Bool, thin: Bool,
                    isServed: (BlobRecord) throws -> Bool, receiverHas: (Int) throws -> Bool) throws -> BlobExportForm {
        guard served else { return .redacted }
        switch blob.form {
        case .raw:
            return .rawChunks
        case .zlib(base: nil):
            return .zlib(base: nil, thin: false)
        case .zlib(base: let baseID?):
            let base = try record(id: baseID)
            if sends(baseID) { return .zlib(base: base?.hash, thin: false) }
            if thin, let base, try isServed(base), try receiverHas(baseID) { return .zlib(base: base.hash, thin: true) }
            return .recompressed(size: try Deflater.compress(try bytes(blob)).count)
        case .delta(let baseID):
            let base = try record(id: baseID)
            if sends(baseID), let base { return .delta(base: base.hash, thin: false) }
            if thin, let base, try isServed(base), try receiverHas(baseID) { return .delta(base: base.hash, thin: true) }
            return .recompressed(size: try Deflater.compress(try bytes(blob)).count)
        case .redacted, .unknown:
            throw QuireError(.corrupt, "blob \(blob.hash) has encoding '\(blob.encoding)' and cannot be sent")
        }
    }

    /// Streams the part of a blob's bundle record that follows its fixed prefix, in `form`.
    func writeExportBytes(_ blob: BlobRecord, form: BlobExportForm, to body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch form {
        case .rawChunks, .zlib, .delta:
            try forEachChunk(blob.id) { try body($0); return true }
        case .recompressed(let size):
            let data = try Deflater.compress(try bytes(blob))
            precondition(data.count == size, "recompressing blob \(blob.hash) gave a different size")
            try data.withUnsafeBytes { try body($0) }
        case .redacted:
            break
        }
    }
}
