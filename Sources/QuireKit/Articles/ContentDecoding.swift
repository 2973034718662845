import Deflate

/// A web page sent with `Content-Encoding: gzip` or `deflate` is archived as sent: those are the
/// bytes a WARC payload digest covers and a replay must serve. Its metadata, text and search
/// entry come from the decoded bytes. The decision is made from the bytes alone (a gzip or zlib
/// header), so every copy of an archive, and every later re-reading of the blob, reads it the same.
/// Raw deflate without a zlib header cannot be told from other bytes and is read as it is.
enum ContentDecoding {
    /// Whether a `Content-Encoding` value is one this reads (`gzip`, `x-gzip`, `deflate`).
    static func decodes(_ encoding: String) -> Bool {
        ["gzip", "x-gzip", "deflate"].contains(encoding.lowercased().trimmedWhitespace)
    }

    /// The decoded bytes when `bytes` starts with a gzip or zlib header and decodes (as far as it
    /// goes: a stream cut short gives what it holds), at most `limit` bytes; nil otherwise.
    static func decoded(_ bytes: [UInt8], limit: Int) -> [UInt8]? {
        guard bytes.count >= 2 else { return nil }
        let format: DeflateFormat
        if bytes[0] == 0x1F && bytes[1] == 0x8B {
            format = .gzip
        } else if bytes[0] & 0x0F == 8, bytes[0] >> 4 <= 7, (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0, bytes[1] & 0x20 == 0 {
            format = .zlib
        } else {
            return nil
        }
        guard let inflater = try? Inflater(format: format, outputLimit: limit) else { return nil }
        var out: [UInt8] = []
        do {
            _ = try inflater.decompress(bytes) { out.append(contentsOf: $0) }
        } catch {
            // Damaged or over the limit: what came out before is still the page's start.
        }
        return out.isEmpty ? nil : out
    }
}
