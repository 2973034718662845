import Foundation
import Hashing

/// `quire export warc`: the archive's sightings as a WARC 1.1 file (ISO 28500), one gzip member
/// per record, that replay tools (pywb, ReplayWeb.page) and indexers (cdxj-indexer) read as they
/// read a crawler's file (docs/export.md#warc):
///
/// - a `warcinfo` record first (software, operator, archive id);
/// - each sighting whose bytes are written for the first time: a `response` record with the
///   capture's own HTTP status line and headers when it had them (as ingest recorded them; a
///   header name HTTP does not allow, with spaces say, gets `-` for them), its `WARC-Date`, its
///   original target URI (`http:`, `dns:`, `metadata:`... as captured); a `response` of a
///   non-HTTP scheme (`dns:`) keeps its own Content-Type; else a `resource` record with the
///   file's media type;
/// - every later sighting of the same (non-empty) bytes: a `revisit` record
///   (identical-payload-digest profile) with that capture's HTTP header, naming the first with
///   `WARC-Refers-To`, `WARC-Refers-To-Target-URI` and `WARC-Refers-To-Date`;
/// - digests are SHA-256: `WARC-Payload-Digest` is the blob hash, `WARC-Block-Digest` covers the
///   HTTP header and payload as written.
///
/// The payload is written as stored. A payload ingest de-chunked is written without its
/// `Transfer-Encoding: chunked` (and with a Content-Length), and the Content-Length of a payload
/// says its size (a payload cut short also gets `WARC-Truncated`), so the HTTP message says what
/// it carries; the capture's own header values stay in the archive.
/// Content this copy does not serve is left out and reported.
public struct WARCExportReport: Sendable {
    public internal(set) var responses = 0
    public internal(set) var resources = 0
    public internal(set) var revisits = 0
    public internal(set) var bytes = 0
    public internal(set) var skipped: [(path: String, reason: String)] = []
    /// Which of the skipped paths this copy does not serve (redacted, or in quarantine): expected, not a failure.
    public internal(set) var redacted: [String] = []

    public var json: JSON {
        ["records": .int(Int64(1 + responses + resources + revisits)), "responses": .int(Int64(responses)), "resources": .int(Int64(resources)),
         "revisits": .int(Int64(revisits)), "bytes": .int(Int64(bytes)),
         "skipped": .array(skipped.map { ["path": .string($0.path), "reason": .string($0.reason)] }),
         "redacted": .array(redacted.map { .string($0) })]
    }
}

/// A page of a web archive collection (for a WACZ's `pages/pages.jsonl`): an HTML capture.
struct WARCExportPage {
    let url: String
    let date: String
    let title: String?
}

/// What writing the records gave, beyond the report: the index entries and the pages.
struct WARCExportResult {
    var report = WARCExportReport()
    var index: [CDXJEntry] = []
    var pages: [WARCExportPage] = []
}

extension Archive {
    /// Writes the sightings of `batch` (or all), recorded at or after `since`, to `path` as WARC,
    /// and its CDXJ index to `cdxj` when given. Each file appears complete or not at all.
    /// An existing file at `path` (or `cdxj`) is refused unless `replace`, an SQLite file always.
    /// `progress` gets the captures written and their number.
    public func exportWARC(to path: String, batch: String? = nil, since: String? = nil, cdxj: String? = nil,
                           operator agent: String = Identity.defaultAgent, replace: Bool = false,
                           progress: ((Int, Int) -> Void)? = nil) throws -> WARCExportReport {
        try checkOutputPath(path, replace: replace)
        if let cdxj { try checkOutputPath(cdxj, replace: replace) }
        let captures = try warcCaptures(batch: batch, since: since)
        let fileName = (path as NSString).lastPathComponent
        let result = try writeFileAtomically(path, replace: true) { write in
            try writeWARC(captures, fileName: fileName, agent: agent, progress: progress, to: write)
        }
        if let cdxj {
            let index = CDXJEntry.index(result.index, filename: fileName)
            try writeFileAtomically(cdxj, replace: true) { write in try index.withUnsafeBytes { try write($0) } }
        }
        return result.report
    }

    /// Writes `captures` as WARC records to `emit`.
    func writeWARC(_ captures: [WARCCapture], fileName: String, agent: String, progress: ((Int, Int) -> Void)? = nil,
                   to emit: (UnsafeRawBufferPointer) throws -> Void) throws -> WARCExportResult {
        var writer = WARCWriter()
        let info = Array(("software: \(Identity.tool)\r\noperator: \(agent)\r\nquire-archive-id: \(id)\r\nformat: WARC File Format 1.1\r\n"
            + "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n").utf8)
        _ = try writer.write([("WARC-Type", "warcinfo"), ("WARC-Record-ID", Self.newRecordID()), ("WARC-Date", WARCDate.normalized(Timestamp.now())!),
                              ("WARC-Filename", fileName), ("WARC-Block-Digest", "sha256:" + SHA256.hash(info).hex),
                              ("Content-Type", "application/warc-fields")], block: info, to: emit)

        var result = WARCExportResult()
        var first: [String: (uri: String, date: String, id: String)] = [:]
        progress?(0, captures.count)
        for (done, capture) in captures.enumerated() {
            defer { progress?(done + 1, captures.count) }
            let uri = capture.targetURI
            let date = capture.date
            let recordID = Self.newRecordID()
            let http = capture.http
            let head = http.map { Self.httpHead($0, payloadSize: capture.size, truncated: capture.value("warc_truncated") != nil) }
            let status = http.flatMap { Self.statusCode($0) }
            let payloadDigest = "sha256:" + capture.blob
            // The key, when the target URI does not give it (a document keyed by its path).
            let keyField: [(String, String)] = WARCEntry.documentKey(uri) == capture.key ? [] : [(WARCEntry.keyField, capture.key)]

            // An empty payload is written each time: a revisit of nothing would point a replay at
            // another URL's headers.
            if capture.size > 0, let original = first[capture.blob] {
                let block = head ?? []
                var headers: [(String, String)] = [
                    ("WARC-Type", "revisit"), ("WARC-Record-ID", recordID), ("WARC-Date", date), ("WARC-Target-URI", uri),
                    ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
                    ("WARC-Refers-To", original.id), ("WARC-Refers-To-Target-URI", original.uri), ("WARC-Refers-To-Date", original.date),
                    ("WARC-Payload-Digest", payloadDigest), ("WARC-Block-Digest", "sha256:" + SHA256.hash(block).hex)]
                headers += keyField
                if head != nil { headers.append(("Content-Type", "application/http; msgtype=response")) }
                let at = try writer.write(headers, block: block, to: emit)
                result.index.append(CDXJEntry(url: uri, date: date, mime: "warc/revisit", status: status, digest: payloadDigest,
                                              length: at.length, offset: at.offset))
                result.report.revisits += 1
                continue
            }
            guard let blob = try read({ try blobs.record(hash: capture.blob) }), try read({ try custody(blob) }) == .held else {
                result.report.skipped.append((capture.path, "the content of blob \(capture.blob) is redacted or hidden in this copy"))
                result.report.redacted.append(capture.path)
                continue
            }
            // A capture of an http(s) URI without an HTTP message (an ARC record of one line) has
            // nothing a replay could serve as a response: it is a resource.
            let httpURI = uri.hasPrefix("http:") || uri.hasPrefix("https:")
            let isResponse = head != nil || !httpURI && (capture.warcType == "response" || capture.warcType == "revisit")
            let contentType = head != nil ? "application/http; msgtype=response" : capture.mediaType
            // The block digest covers the HTTP header and the payload: one pass to hash, one to write.
            var hasher = SHA256()
            if let head { hasher.update(head) }
            try writeBlob(hash: capture.blob) { hasher.update($0) }
            var headers: [(String, String)] = [("WARC-Type", isResponse ? "response" : "resource"), ("WARC-Record-ID", recordID),
                                               ("WARC-Date", date), ("WARC-Target-URI", uri)] + keyField
            if let truncated = capture.value("warc_truncated") {
                headers.append(("WARC-Truncated", ["length", "time", "disconnect", "unspecified"].contains(truncated) ? truncated : "unspecified"))
            }
            headers += [("WARC-Payload-Digest", payloadDigest), ("WARC-Block-Digest", "sha256:" + hasher.finalize().hex), ("Content-Type", contentType)]
            let at = try writer.write(headers, length: (head?.count ?? 0) + capture.size, to: emit) { body in
                if let head { try head.withUnsafeBytes { try body($0) } }
                try writeBlob(hash: capture.blob) { try body($0) }
            }
            first[capture.blob] = (uri, date, recordID)
            if isResponse { result.report.responses += 1 } else { result.report.resources += 1 }
            result.report.bytes += capture.size

            // Indexed as cdxj-indexer indexes it (it leaves out warc-fields resources).
            let mime: String?
            if isResponse {
                mime = http?.headers.first { $0.name.lowercased() == "content-type" }.map { CDXJEntry.mimeType($0.value) }
            } else {
                mime = CDXJEntry.mimeType(contentType)
            }
            if isResponse || contentType != "application/warc-fields" {
                result.index.append(CDXJEntry(url: uri, date: date, mime: mime, status: status, digest: payloadDigest, length: at.length, offset: at.offset))
            }
            if mime == "text/html" && (capture.status.map { (200..<300).contains($0) } ?? true) {
                result.pages.append(WARCExportPage(url: uri, date: date, title: try articleTitle(blob: capture.blob)))
            }
        }
        return result
    }

    static func newRecordID() -> String { "<urn:uuid:\(Identity.newUUID())>" }

    /// The HTTP header as written: the recorded status line and fields, except that a
    /// `Transfer-Encoding: chunked` over a payload stored de-chunked is left out, and the
    /// Content-Length says the payload's size (when there is a payload).
    static func httpHead(_ http: (statusLine: String, headers: [(name: String, value: String)]), payloadSize: Int, truncated: Bool) -> [UInt8] {
        var headers = http.headers
        // warcio de-chunks (and ingest stored de-chunked) exactly when the first Transfer-Encoding is `chunked`.
        let chunkedAt = headers.firstIndex { $0.name.lowercased() == "transfer-encoding" }.flatMap { headers[$0].value == "chunked" ? $0 : nil }
        if let chunkedAt { headers.remove(at: chunkedAt) }
        if let length = headers.firstIndex(where: { $0.name.lowercased() == "content-length" }) {
            // Browser-based crawlers (ArchiveWeb.page) store the decoded body under the encoded
            // length; a replay serving that length cuts the body. An empty payload keeps its
            // length (a HEAD or 304 response says the size of a body it does not carry).
            if chunkedAt != nil || truncated || payloadSize > 0 && headers[length].value.trimmedWhitespace != String(payloadSize) {
                headers[length].value = String(payloadSize)
            }
        } else if let chunkedAt {
            headers.insert((name: "Content-Length", value: String(payloadSize)), at: chunkedAt)
        }
        var text = WARCWriter.fieldValue(http.statusLine) + "\r\n"
        for (name, value) in headers { text += "\(Self.fieldName(name)): \(WARCWriter.fieldValue(value))\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// A header name as HTTP allows it (a token): other characters, such as the spaces node-warc
    /// writes (`X-Content type options`), become `-`, so that every HTTP client can read the header.
    static func fieldName(_ name: String) -> String {
        let token = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        let fixed = String(String.UnicodeScalarView(name.unicodeScalars.map { c in
            (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c))) || token.contains(c) ? c : "-"
        }))
        return fixed.isEmpty ? "-" : fixed
    }

    /// The status code as warcio reads it (and cdxj-indexer indexes it): the first word after the
    /// protocol in the status line; nil when warcio sees no HTTP message (no status text, no fields).
    static func statusCode(_ http: (statusLine: String, headers: [(name: String, value: String)])) -> String? {
        let parts = http.statusLine.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let rest = parts.count > 1 ? String(parts[1]).trimmedWhitespace : ""
        if rest.isEmpty && http.headers.isEmpty { return nil }
        return rest.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }
}
