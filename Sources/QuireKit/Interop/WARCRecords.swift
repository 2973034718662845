import Hashing

/// What a WARC record becomes in a batch (docs/warc.md): a `response` or `resource` record is a
/// sighting of its payload, a `revisit` a sighting of the payload it refers to, anything else
/// (`request`, `metadata`, `warcinfo`, `conversion`) is passed over. The record's facts and
/// quirks go with the sighting as its supplied metadata.
enum WARCEntry {
    /// A payload: the document key (from the target URI), the bytes and their SHA-256 (the
    /// blob's hash, also what a declared `sha256:` digest is checked against), the capture time,
    /// the facts to record with the sighting, and why the capture is not whole (`partial`), if so.
    case payload(key: String, bytes: [UInt8], hash: SHA256Digest, capturedAt: String?, meta: [[String]], partial: String?)
    /// A revisit: what it refers to, the facts to record, and why it is not whole, if so.
    case revisit(key: String, reference: WARCRevisitIndex.Reference, capturedAt: String?, meta: [[String]], partial: String?)
    case skip
    case damaged(String)

    /// `exportedByQuire`: the file's warcinfo names Quire as its software (then its records'
    /// `Quire-Document-Key` fields are read).
    static func interpret(_ record: WARCRecord, file: String, exportedByQuire: Bool = false) -> WARCEntry {
        let type = record.type
        guard type == "response" || type == "resource" || type == "revisit" else { return .skip }
        guard let rawURI = record.field("WARC-Target-URI"), !rawURI.trimmedWhitespace.isEmpty else {
            return .damaged("a \(type) record without a WARC-Target-URI")
        }
        var quirks = record.quirks
        let uri = targetURI(rawURI, quirks: &quirks)
        var meta: [[String]] = [["warc_file", file], ["warc_offset", String(record.offset)], ["warc_type", type], ["warc_version", record.version]]
        func add(_ name: String, _ field: String) {
            if let value = record.field(field) { meta.append([name, value]) }
        }
        add("warc_record_id", "WARC-Record-ID")
        add("warc_date", "WARC-Date")
        meta.append(["url", uri])
        add("warc_payload_digest", "WARC-Payload-Digest")
        var truncation: String? = nil
        if let truncated = record.field("WARC-Truncated") {
            meta.append(["warc_truncated", truncated])
            truncation = "truncated: " + truncated
        } else if record.cutShort {
            meta.append(["warc_truncated", "cut short in this file"])
            truncation = "truncated: cut short in this file"
        }
        if let segment = record.field("WARC-Segment-Number") {
            quirks.append("segment \(segment) of a segmented record: only this segment is archived")
        }
        let captured = record.field("WARC-Date")
        // A file Quire exported names a key that its URI does not give (a path) in a field of its own.
        let key = exportedByQuire ? record.field(WARCEntry.keyField) ?? documentKey(uri) : documentKey(uri)

        // warcio reads an HTTP message in response and revisit records whose target is http(s).
        let http = (type == "response" || type == "revisit") && (uri.hasPrefix("http:") || uri.hasPrefix("https:")) && !record.block.isEmpty
        var message: HTTPMessage? = nil
        if http {
            let m = HTTPMessage(record.block)
            message = m
            if !m.statusLine.isEmpty { meta.append(["http_status_line", m.statusLine]) }
            if let status = m.status { meta.append(["http_status", String(status)]) }
            if !m.statusLine.isEmpty && !m.statusLine.hasPrefix("HTTP/") { quirks.append("HTTP status line that is not HTTP: '\(m.statusLine.prefix(80))'") }
            for (name, value) in m.headers { meta.append(["http:" + name.lowercased(), value]) }
            if !m.headerEnded && type == "response" { quirks.append("HTTP header without the blank line that ends it: no body") }
        } else if let contentType = record.field("Content-Type"), !contentType.isEmpty {
            meta.append(["content_type", contentType.lowercased()])
        }

        // A capture that is not a whole successful response never replaces a whole one as head.
        var partialReasons: [String] = []
        if let status = message?.status, !(200..<300).contains(status) { partialReasons.append("HTTP \(status)") }
        if let truncation { partialReasons.append(truncation) }
        let partial = partialReasons.isEmpty ? nil : partialReasons.joined(separator: "; ")

        if type == "revisit" {
            add("warc_refers_to", "WARC-Refers-To")
            add("warc_refers_to_target_uri", "WARC-Refers-To-Target-URI")
            add("warc_refers_to_date", "WARC-Refers-To-Date")
            add("warc_profile", "WARC-Profile")
            for quirk in quirks { meta.append(["warc_quirk", quirk]) }
            let reference = WARCRevisitIndex.Reference(
                refersTo: record.field("WARC-Refers-To"), digest: record.field("WARC-Payload-Digest").flatMap(WARCDigest.init),
                digestText: record.field("WARC-Payload-Digest"), targetURI: record.field("WARC-Refers-To-Target-URI").map { targetURI($0) }, date: record.field("WARC-Refers-To-Date"))
            return .revisit(key: key, reference: reference, capturedAt: captured, meta: meta, partial: partial)
        }

        var payload = record.block
        var chunkedBody: ArraySlice<UInt8>? = nil
        if let message {
            let body = record.block[message.bodyStart...]
            if message.chunked {
                chunkedBody = body
                let (decoded, quirk) = HTTPMessage.dechunk(body)
                payload = decoded
                if let quirk { quirks.append(quirk) }
            } else {
                payload = Array(body)
                if let te = message.header("Transfer-Encoding"), te.lowercased().contains("chunked") {
                    quirks.append("Transfer-Encoding '\(te)' not decoded (warcio decodes only 'chunked')")
                }
            }
            if let encoding = message.header("Content-Encoding")?.lowercased(), !encoding.isEmpty, encoding != "identity",
               !ContentDecoding.decodes(encoding) {
                quirks.append("Content-Encoding '\(encoding)' kept as sent and not read for text")
            }
        }
        let hash = SHA256.hash(payload)
        if let text = record.field("WARC-Payload-Digest"),
           let quirk = digestQuirk(declared: text, payload: payload, sha256: hash, chunkedBody: chunkedBody) {
            quirks.append(quirk)
        }
        for quirk in quirks { meta.append(["warc_quirk", quirk]) }
        return .payload(key: key, bytes: payload, hash: hash, capturedAt: captured, meta: meta, partial: partial)
    }

    /// What is wrong with a record's `WARC-Payload-Digest`, if anything: a SHA-1 or SHA-256
    /// that is neither the archived payload's nor, for a chunked HTTP body, that of the body as
    /// stored before it was decoded (what warcio checks); or an algorithm Quire does not compute.
    /// The record is archived either way, and a revisit that names the declared digest still
    /// finds it. `sha256` is the payload's, already computed for its blob.
    static func digestQuirk(declared text: String, payload: [UInt8], sha256: SHA256Digest, chunkedBody: ArraySlice<UInt8>?) -> String? {
        guard let declared = WARCDigest(text) else { return "WARC-Payload-Digest '\(text.prefix(80))' has no algorithm label: not checked" }
        let actual: WARCDigest
        switch declared.algorithm {
        case "sha1": actual = WARCDigest(algorithm: "sha1", bytes: SHA1.hash(payload))
        case "sha256": actual = WARCDigest(algorithm: "sha256", bytes: sha256.bytes)
        default: return "WARC-Payload-Digest in \(declared.algorithm): not checked (Quire checks sha1 and sha256)"
        }
        if actual == declared { return nil }
        if let chunkedBody {
            let asSent = declared.algorithm == "sha1" ? SHA1.hash(chunkedBody) : SHA256.hash(chunkedBody).bytes
            if WARCDigest(algorithm: declared.algorithm, bytes: asSent) == declared { return nil }
        }
        let shown = declared.algorithm == "sha1" ? actual.base32Text : actual.text
        return "WARC-Payload-Digest \(text.trimmedWhitespace.prefix(100)) is not the payload's (\(shown))"
    }

    /// The document key of a target URI: the URI as a URL key.
    static func documentKey(_ uri: String) -> String { URLKey.normalize(uri) ?? uri }

    /// The WARC field in which `export warc` names a document key its target URI does not give
    /// (a document keyed by its path, exported with a `file:` URI).
    static let keyField = "Quire-Document-Key"

    /// A target URI as recorded: angle brackets (WARC 1.0, wget 1.19) dropped, spaces
    /// percent-encoded, as warcio does.
    static func targetURI(_ raw: String) -> String {
        var ignored: [String] = []
        return targetURI(raw, quirks: &ignored)
    }

    static func targetURI(_ raw: String, quirks: inout [String]) -> String {
        var uri = raw.trimmedWhitespace
        if uri.hasPrefix("<") && uri.hasSuffix(">") {
            uri = String(uri.dropFirst().dropLast())
            quirks.append("target URI in angle brackets")
        }
        if uri.contains(" ") {
            uri = uri.replacingOccurrences(of: " ", with: "%20")
            quirks.append("spaces in the target URI, percent-encoded")
        }
        return uri
    }
}
