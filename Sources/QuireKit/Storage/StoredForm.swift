/// How one blob's bytes are kept in `blob_chunks`: the `encoding` and `base` columns of its row
/// in `blobs`, as one value. A new encoding is one case here and its reading and writing in
/// `BlobStore`.
enum StoredForm: Equatable, Sendable {
    /// The chunks hold the original bytes.
    case raw
    /// The chunks hold a zlib stream (RFC 1950) of the original bytes; with a base, compressed
    /// with the first `BlobEncoding.dictionarySize` bytes of blob `base` (a row id) as the preset
    /// dictionary.
    case zlib(base: Int?)
    /// The chunks hold a zlib stream of a delta (`Delta`, Fossil's format) that turns the whole
    /// original bytes of blob `base` into this blob's.
    case delta(base: Int)
    /// The bytes were deleted (a redaction, here or in the copy that sent the row): no chunks.
    case redacted
    /// An encoding this version of Quire does not know (written by a newer one, or damage).
    case unknown(String)

    /// The `encoding` column's text for each form.
    enum Name {
        static let raw = "raw"
        static let zlib = "zlib"
        static let delta = "delta"
        static let redacted = "redacted"
    }

    /// The form of a row with these `encoding` and `base` columns.
    init(encoding: String, base: Int?) {
        switch encoding {
        case Name.raw: self = .raw
        case Name.zlib: self = .zlib(base: base)
        case Name.delta: self = base.map { .delta(base: $0) } ?? .unknown("delta without a base")
        case Name.redacted: self = .redacted
        default: self = .unknown(encoding)
        }
    }

    /// The `encoding` column.
    var encoding: String {
        switch self {
        case .raw: return Name.raw
        case .zlib: return Name.zlib
        case .delta: return Name.delta
        case .redacted: return Name.redacted
        case .unknown(let name): return name
        }
    }

    /// The `base` column: the blob whose prefix is the preset dictionary.
    var base: Int? {
        switch self {
        case .zlib(let base): return base
        case .delta(let base): return base
        default: return nil
        }
    }

    /// Whether the chunks hold the bytes (raw or compressed), so the blob can be read.
    var holdsBytes: Bool {
        switch self {
        case .raw, .zlib, .delta: return true
        case .redacted, .unknown: return false
        }
    }

    /// SQL that is true for rows whose form holds bytes (for queries that join `blobs` as `alias`).
    static func holdsBytesSQL(_ alias: String) -> String {
        "\(alias).encoding IN ('\(Name.raw)', '\(Name.zlib)', '\(Name.delta)')"
    }
}
