/// The container around a deflate stream.
public enum DeflateFormat: Sendable {
    /// RFC 1950: a two-byte header (with the preset dictionary's Adler-32 when one is used) and an Adler-32 trailer.
    case zlib
    /// RFC 1952: a gzip member with its header and CRC-32 trailer.
    case gzip
    /// RFC 1951: bare deflate data.
    case raw

    /// The `windowBits` argument for `deflateInit2`/`inflateInit2`.
    var windowBits: Int32 {
        switch self {
        case .zlib: return 15
        case .gzip: return 15 + 16
        case .raw: return -15
        }
    }
}
