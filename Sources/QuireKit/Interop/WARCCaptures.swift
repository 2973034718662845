import SQLite

/// What an export needs to know about one sighting to write it back as a web archive record:
/// the capture's own facts where the archive has them (a sighting read from a WARC or ARC record
/// keeps its target URI, `WARC-Date`, record type, HTTP status line and headers as supplied
/// metadata, see docs/warc.md), and otherwise what Quire knows of the file.
struct WARCCapture {
    let sighting: Int
    let path: String
    let key: String
    let blob: String
    let size: Int
    /// When the sighting was recorded (the batch's time), and the file time it recorded.
    let recordedAt: String
    let mtime: String?
    /// The article kind Quire read the bytes as (`html`, `json`, `text`), if any.
    let kind: String
    /// The supplied fields, in order.
    let fields: [(name: String, value: String)]

    func value(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The WARC record type the capture came from (`response`, `resource`, `revisit`), if any.
    var warcType: String? { value("warc_type") }

    /// The original target URI: the one recorded, else the key when it is a URI, else a `file:` URI of the path.
    var targetURI: String {
        if let url = value("url"), !url.isEmpty { return url }
        if key.hasPrefix("http://") || key.hasPrefix("https://") { return key.replacingOccurrences(of: " ", with: "%20") }
        return "file:///" + WARCCapture.percentEncodedPath(path)
    }

    /// The capture time as a WARC-Date: the recorded `WARC-Date` (made valid if it is not), else
    /// the file time, else when it was recorded.
    var date: String {
        for candidate in [value("warc_date"), mtime, recordedAt] {
            if let candidate, let date = WARCDate.normalized(candidate) { return date }
        }
        return recordedAt
    }

    /// The HTTP status line and header fields the capture had (nil when it was not an HTTP response).
    var http: (statusLine: String, headers: [(name: String, value: String)])? {
        let status = value("http_status")
        guard let line = value("http_status_line") ?? status.map({ "HTTP/1.1 \($0) \(HTTPReason.phrase(Int($0) ?? 0))" }) else { return nil }
        let headers = fields.filter { $0.name.hasPrefix("http:") }.map { (name: HTTPReason.headerName(String($0.name.dropFirst(5))), value: $0.value) }
        return (line, headers)
    }

    /// The status code, when the capture was an HTTP response.
    var status: Int? { value("http_status").flatMap { Int($0) } }

    /// The media type of the payload: the HTTP Content-Type, else the record's Content-Type, else
    /// one from the file's name or kind.
    var mediaType: String {
        if let http = http, let type = http.headers.first(where: { $0.name.lowercased() == "content-type" })?.value { return type }
        if let type = value("content_type"), !type.isEmpty { return type }
        return MediaType.guess(path: path, kind: kind)
    }

    static func percentEncodedPath(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension Archive {
    /// The sightings an export writes (not failed; of `batch`, recorded at or after `since`), in
    /// the order they were recorded, each with its supplied fields.
    func warcCaptures(batch: String?, since: String?) throws -> [WARCCapture] {
        let batchRow = try batch.map { try self.batchRow($0) }
        return try read {
            var sql = """
                SELECT s.id, p.path, d.key, b.hash, b.size, e.at, s.mtime, coalesce(a.kind, '') FROM sightings s
                JOIN paths p ON p.id = s.path JOIN blobs b ON b.id = s.blob JOIN documents d ON d.id = s.document JOIN events e ON e.id = s.event
                LEFT JOIN articles a ON a.blob = b.id
                WHERE s.meaning <> 'failed'
                """
            var values: [any DatabaseValueConvertible] = []
            if let batchRow { sql += " AND s.batch = ?"; values.append(batchRow.id) }
            if let since { sql += " AND e.at >= ?"; values.append(since) }
            let rows = try db.rows(sql + " ORDER BY s.id", values) {
                (id: $0.int(0), path: $0.text(1), key: $0.text(2), hash: $0.text(3), size: $0.int(4), at: $0.text(5), mtime: $0.optionalText(6), kind: $0.text(7))
            }
            return try rows.map { row in
                let fields = try db.rows("SELECT name, value FROM supplied_fields WHERE sighting = ? ORDER BY rowid", [row.id]) { (name: $0.text(0), value: $0.text(1)) }
                return WARCCapture(sighting: row.id, path: row.path, key: row.key, blob: row.hash, size: row.size, recordedAt: row.at,
                                   mtime: row.mtime, kind: row.kind, fields: fields)
            }
        }
    }

    /// The title Quire read from a blob, if any.
    func articleTitle(blob hash: String) throws -> String? {
        try read {
            try db.text("SELECT f.value FROM article_fields f JOIN blobs b ON b.id = f.blob WHERE b.hash = ? AND f.name = 'title' LIMIT 1", hash)
        }
    }
}

/// Reason phrases and header name spellings for HTTP messages written back from what was recorded.
enum HTTPReason {
    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Unknown"
        }
    }

    /// A header name recorded in lower case, written the usual way (`content-type` → `Content-Type`).
    static func headerName(_ lower: String) -> String {
        lower.split(separator: "-", omittingEmptySubsequences: false).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
