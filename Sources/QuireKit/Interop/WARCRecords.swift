import Foundation

/// What a WARC record becomes in a batch (docs/warc.md): a `response` or `resource` record is a
/// sighting of its payload, a `revisit` a sighting of the payload it refers to, anything else
/// (`request`, `metadata`, `warcinfo`) is passed over.
enum WARCEntry {
    /// A payload: the document key (the target URI), the bytes, the capture time and the
    /// provenance and HTTP facts to record with the sighting.
    case payload(key: String, bytes: [UInt8], capturedAt: String?, meta: [[String]])
    /// A revisit: the record it refers to (by id) and the payload digest it names.
    case revisit(key: String, refersTo: String?, payloadDigest: String?, capturedAt: String?, meta: [[String]])
    case skip
    case damaged(String)

    static func interpret(_ record: WARCRecord, file: String) -> WARCEntry {
        let type = record.type
        guard type == "response" || type == "resource" || type == "revisit" else { return .skip }
        guard let rawURI = record.field("WARC-Target-URI"), !rawURI.isEmpty else {
            return .damaged("a \(type) record without a WARC-Target-URI")
        }
        let uri = targetURI(rawURI)
        var meta: [[String]] = [["warc_file", file], ["warc_offset", String(record.offset)], ["warc_type", type]]
        if let id = record.field("WARC-Record-ID") { meta.append(["warc_record_id", id]) }
        if let date = record.field("WARC-Date") { meta.append(["warc_date", date]) }
        meta.append(["url", uri])
        let captured = record.field("WARC-Date")
        if type == "revisit" {
            if let status = HTTPMessage(record.block)?.status { meta.append(["http_status", String(status)]) }
            return .revisit(key: URLKey.normalize(uri) ?? uri, refersTo: record.field("WARC-Refers-To"), payloadDigest: record.field("WARC-Payload-Digest"),
                            capturedAt: captured, meta: meta)
        }
        var payload = record.block
        let contentType = record.field("Content-Type")?.lowercased() ?? ""
        if type == "response" && (contentType.hasPrefix("application/http") || payload.starts(with: Array("HTTP/".utf8))) {
            guard let message = HTTPMessage(record.block) else { return .damaged("a response record whose HTTP header cannot be read") }
            payload = message.body
            meta.append(["http_status", String(message.status)])
            for (name, value) in message.headers { meta.append(["http:" + name.lowercased(), value]) }
            if message.chunked {
                guard let decoded = HTTPMessage.dechunk(message.body) else { return .damaged("a chunked HTTP body whose chunks do not add up") }
                payload = decoded
            }
        } else if !contentType.isEmpty {
            meta.append(["content_type", contentType])
        }
        return .payload(key: URLKey.normalize(uri) ?? uri, bytes: payload, capturedAt: captured, meta: meta)
    }

    /// A target URI as a key: angle brackets (WARC 1.0) dropped, spaces percent-encoded.
    static func targetURI(_ raw: String) -> String {
        var uri = raw.trimmedWhitespace
        if uri.hasPrefix("<") && uri.hasSuffix(">") { uri = String(uri.dropFirst().dropLast()) }
        return uri.replacingOccurrences(of: " ", with: "%20")
    }
}

/// An HTTP response as archived in a WARC `response` record: status, headers, body.
struct HTTPMessage {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    var chunked: Bool {
        headers.contains { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }
    }

    init?(_ block: [UInt8]) {
        guard block.starts(with: Array("HTTP/".utf8)), let end = WARCReader.headerEnd(block) else { return nil }
        let head = String(decoding: block[0..<end.headerLength], as: UTF8.self)
        let lines = head.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r\n" || $0 == "\n" })
        guard let statusLine = lines.first else { return nil }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        self.status = status
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]).trimmedWhitespace, String(line[line.index(after: colon)...]).trimmedWhitespace)
        }
        body = Array(block[end.bodyStart...])
    }

    /// Decodes a chunked transfer encoding (RFC 9112 §7.1), or nil when the chunks are malformed.
    static func dechunk(_ body: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < body.count {
            guard let lineEnd = (i..<body.count).first(where: { body[$0] == 0x0A }) else { return nil }
            let sizeText = String(decoding: body[i..<lineEnd], as: UTF8.self).split(separator: ";").first.map { String($0).trimmedWhitespace } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { return nil }
            i = lineEnd + 1
            if size == 0 { return out }
            guard i + size <= body.count else { return nil }
            out += body[i..<i + size]
            i += size
            if i < body.count && body[i] == 0x0D { i += 1 }
            if i < body.count && body[i] == 0x0A { i += 1 }
        }
        return out
    }
}
