/// A CDXJ index of a WARC file, in the form pywb reads and cdxj-indexer writes: one line per
/// `response`, `resource` and `revisit` record, `SURT TIMESTAMP {json}`, sorted, where the JSON
/// object holds `url`, `mime`, `status`, `digest`, `length`, `offset` and `filename` (those that
/// apply, in that order, as Python's `json.dumps` spells them), so that `cdxj-indexer --sort` of
/// the same WARC gives the same bytes.
struct CDXJEntry: Sendable {
    let url: String
    /// The record's WARC-Date.
    let date: String
    /// `warc/revisit` for a revisit; else the HTTP Content-Type's type (a response) or the
    /// record's Content-Type (a resource), up to the first `;` or space; nil when there is none.
    let mime: String?
    /// The HTTP status code text, for a response or revisit holding an HTTP message.
    let status: String?
    let digest: String
    /// The record's gzip member: its length and offset in the WARC file.
    let length: Int
    let offset: Int

    /// The index line for a WARC file called `filename`.
    func line(filename: String) -> String {
        var json = "{"
        func add(_ name: String, _ value: String) {
            if json.count > 1 { json += ", " }
            json += "\"\(name)\": " + Self.pythonJSON(value)
        }
        add("url", url)
        if let mime { add("mime", mime) }
        if let status { add("status", status) }
        add("digest", digest)
        add("length", String(length))
        add("offset", String(offset))
        add("filename", filename)
        return SURT.key(url) + " " + WARCDate.timestamp(date) + " " + json + "}"
    }

    /// The first part of a media type (before `;` or white space), as cdxj-indexer keeps it.
    static func mimeType(_ contentType: String) -> String {
        let first = contentType.split(maxSplits: 1, omittingEmptySubsequences: false) { $0 == ";" || $0.isWhitespace }.first.map(String.init) ?? ""
        return first.trimmedWhitespace
    }

    /// A JSON string as Python's `json.dumps` writes it by default: ASCII only, `\uXXXX` for the
    /// rest (surrogate pairs beyond the BMP), short escapes for `"`, `\`, `\n`, `\r`, `\t`, `\b`, `\f`.
    static func pythonJSON(_ s: String) -> String {
        var out = "\""
        for u in s.utf16 {
            switch u {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(u)))
            default:
                let hex = String(u, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// The index file: every entry's line, sorted as text (what `cdxj-indexer --sort` does), each
    /// ending in a newline.
    static func index(_ entries: [CDXJEntry], filename: String) -> [UInt8] {
        let lines = entries.map { Array($0.line(filename: filename).utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        var out: [UInt8] = []
        for line in lines { out += line + [0x0A] }
        return out
    }
}
