import Foundation
import Hashing

/// One metadata value and what produced it.
public struct MetadataField: Sendable, Equatable {
    /// `title`, `author`, `publication`, `published`, `modified`, `url`, `language`,
    /// `description`, `section`.
    public let name: String
    public let value: String
    /// The extractor and its version, which says where the value came from: `html-jsonld/2`
    /// (JSON-LD), `html-meta/2` (`<meta>` and `<link>` tags), `html-title/2` (the document's
    /// `<title>` or `<h1>`), `html-time/1` (`<time>` and microdata), `html-url/1` (a date in the
    /// URL's path), `html-text/1` (a date in the visible text), `html-byline/1` (the visible
    /// byline), `json/2`, `text/2`; or `supplied` for metadata the scraper gave with `ingest --meta`.
    public let extractor: String

    public var json: JSON { ["name": .string(name), "value": .string(value), "extractor": .string(extractor)] }
}

/// What Quire reads out of one article's bytes.
public struct ArticleMetadata: Sendable, Equatable {
    /// `html`, `json` or `text`.
    public let kind: String
    /// How the bytes were read: `utf-8`, `windows-1252`, or the charset the page or its HTTP
    /// header declared (`gb18030`, `shift_jis`, `iso-8859-2`, ...; see `TextDecoding`).
    public let encoding: String
    /// At most one value per field (several `author`s), best source first.
    public let fields: [MetadataField]
    /// The article's text, for search, fingerprints, near-duplicates and diff: for HTML its main
    /// text (`MainText`: paragraphs separated by a blank line, boilerplate left out); for JSON
    /// its `text`/`body`; for plain text the text itself, white space as it came
    /// (`MetadataExtractor.tidy` makes it readable).
    public private(set) var text: String
    /// SHA-256 of the text in Unicode NFC with every run of white space folded to one space:
    /// two versions with equal fingerprints say the same thing in different bytes.
    public let fingerprint: String
    /// Keys to find near-duplicates of this text by (see `ShingleSketch.nearKeys`).
    let nearKeys: [UInt64]
    /// The text tidied and what the search index holds, with its key (`SearchEntry`). Made with
    /// the rest, on the thread that extracts the article (ingest and import extract on every
    /// core), so the single writer only inserts it.
    let searchEntry: SearchEntry

    init(kind: String, encoding: String, fields: [MetadataField], text: String) {
        self.kind = kind
        self.encoding = encoding
        self.fields = fields
        self.text = text
        fingerprint = Self.fingerprint(of: text)
        nearKeys = ShingleSketch.nearKeys(text)
        searchEntry = SearchEntry(fields: fields, text: text)
    }

    /// The metadata of bytes that are not text (an image, a PDF, a font): kind `none`, encoding
    /// `binary`, no text; the fingerprint is the SHA-256 of the bytes, so two different files never
    /// count as the same text.
    init(binary bytes: [UInt8]) {
        kind = "none"
        encoding = "binary"
        fields = []
        text = ""
        fingerprint = SHA256.hash(bytes).hex
        nearKeys = []
        searchEntry = SearchEntry(fields: [], text: "")
    }

    /// The same metadata without its text, for ingest, which holds the metadata of a few chunks
    /// of files until they are stored and stores only what was made from the text (fingerprint,
    /// near-duplicate keys, search entry): holding the text too cost about 10 MB at a million
    /// articles.
    func droppingText() -> ArticleMetadata {
        var copy = self
        copy.text = ""
        return copy
    }

    /// Whether bytes are a binary format rather than text: a known file signature, or a NUL byte
    /// among the first 1,024.
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        let signatures: [[UInt8]] = [
            [0x89, 0x50, 0x4E, 0x47], [0xFF, 0xD8, 0xFF], Array("GIF8".utf8), Array("%PDF-".utf8), [0x50, 0x4B, 0x03, 0x04],
            Array("wOFF".utf8), Array("wOF2".utf8), Array("FWS".utf8), Array("CWS".utf8), Array("ZWS".utf8), Array("RIFF".utf8),
            Array("OggS".utf8), Array("fLaC".utf8), Array("ID3".utf8), Array("Rar!".utf8), Array("BZh".utf8), [0xFD, 0x37, 0x7A, 0x58, 0x5A],
        ]
        if signatures.contains(where: { bytes.starts(with: $0) }) { return true }
        if bytes.count >= 8, bytes[4...7].elementsEqual("ftyp".utf8) { return true }
        return bytes.prefix(1024).contains(0)
    }

    /// Whether the text has no scalar from U+0300 up, other than general punctuation and symbols
    /// (U+2000-U+2BFF): such text is unchanged by NFC. Checked on the UTF-8 lead bytes.
    static func isStableUnderNFC(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0xCC {
                guard b == 0xE2, i + 1 < bytes.count, bytes[i + 1] <= 0xAF else { return false }
            }
            i += 1
        }
        return true
    }

    static func fingerprint(of text: String) -> String {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { raw -> String in
            // Text without combining marks or scripts that compose is already in NFC; only other
            // text pays for normalization.
            if !isStableUnderNFC(raw) { return fingerprintFolded(Array(text.precomposedStringWithCanonicalMapping.utf8)) }
            return fingerprintFolded(Array(raw))
        } ?? fingerprintFolded(Array(text.utf8))
    }

    /// SHA-256 of the bytes with every run of ASCII white space folded to one space and none at the ends.
    private static func fingerprintFolded(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: bytes.count)
        var n = 0
        var pendingSpace = false
        for b in bytes {
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C {
                pendingSpace = n > 0
            } else {
                if pendingSpace { out[n] = 0x20; n += 1; pendingSpace = false }
                out[n] = b
                n += 1
            }
        }
        return SHA256.hash(out[0..<n]).hex
    }

    public func value(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
}

/// Extracts metadata and the main text from HTML, JSON and plain-text articles. Pure functions
/// of the bytes (and of what the capture says about them: a WARC record's HTTP `Content-Type` and
/// target URI), so every copy derives the same fields from the same blob.
///
/// For HTML (docs/articles.md): the bytes are decoded (`TextDecoding`), parsed into a tree
/// (`HTMLDocument`), and read by `HTMLMetadata` (title, URL, site, description, section,
/// language), `MainText` (the article's text), `PublishedDate` and `Byline`.
public enum MetadataExtractor {
    /// Bump a version when its output changes, so stored fields can be recomputed.
    static let htmlJSONLD = HTMLMetadata.jsonLD
    static let htmlMeta = HTMLMetadata.meta
    static let htmlTitle = HTMLMetadata.title
    static let jsonExtractor = "json/2"
    static let textExtractor = "text/2"

    /// Reads `bytes` as HTML (when it looks like markup), JSON (an object, or JSON Lines whose
    /// first line is one) or plain text.
    public static func extract(_ bytes: [UInt8]) -> ArticleMetadata {
        extract(bytes, contentType: nil, url: nil)
    }

    /// Reads `bytes` as `extract(_:)` does, with what the capture says about them: `contentType`
    /// (an HTTP `Content-Type`, whose charset outranks the page's own declaration and whose
    /// `text/html` says the bytes are a page), and `url`, the address they were fetched from,
    /// which relative links resolve against when the page does not say its own.
    /// A page stored gzip- or deflate-encoded, as its server sent it, is read decoded
    /// (`ContentDecoding`); images, PDFs and fonts have no text to read.
    public static func extract(_ stored: [UInt8], contentType: String?, url: String?) -> ArticleMetadata {
        let bytes = ContentDecoding.decoded(stored, limit: articleExtractionLimit) ?? stored
        if Charset.byteOrderMark(bytes) == nil, ArticleMetadata.isBinary(bytes) { return ArticleMetadata(binary: stored) }
        let declared = contentType.flatMap(Charset.parameter(inContentType:))
        // UTF-16 (with its byte-order mark) is decoded before its markup can be seen.
        let wide = Charset.byteOrderMark(bytes).map { $0.name.hasPrefix("utf-16") } ?? false
        let (text, encoding): (String, String)
        let isHTML: Bool
        if wide {
            (text, encoding) = TextDecoding.decode(bytes)
            isHTML = contentType.map { $0.lowercased().contains("html") } == true || looksLikeHTML(Array(text.utf8.prefix(htmlDetectionLength)))
        } else {
            isHTML = contentType.map { $0.lowercased().contains("html") } == true || looksLikeHTML(bytes)
            (text, encoding) = TextDecoding.decode(bytes, declared: declared, html: isHTML)
        }
        if isHTML { return fromHTML(text, encoding: encoding, url: url) }
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{", let parsed = fromJSON(String(trimmed), encoding: encoding) { return parsed }
        return fromText(text, encoding: encoding)
    }

    // MARK: HTML

    /// How far into a file `looksLikeHTML` looks: far enough to pass a long style block, a
    /// byte-order mark and PHP warnings printed before the page.
    static let htmlDetectionLength = 64 * 1024

    /// Whether a file is a web page: it has, in its first `htmlDetectionLength` bytes, a tag a
    /// page is made of (`<html`, `<!doctype html`, `<head`, `<body`, `<meta `, `<title`), or it
    /// starts with `<` and has an `<article`, `<div` or `<p>` there.
    static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(htmlDetectionLength)
        let markers = ["<html", "<!doctype html", "<head", "<body", "<meta ", "<title"].map { Array($0.utf8) }
        let fragmentMarkers = ["<article", "<div", "<p>", "<p "].map { Array($0.utf8) }
        let startsWithTag = head.first { $0 > 0x20 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF } == UInt8(ascii: "<")
        func matches(_ m: [UInt8], at i: Int) -> Bool {
            guard i + m.count <= head.endIndex else { return false }
            var k = 1
            while k < m.count, HTMLScanner.lower(head[i + k]) == m[k] { k += 1 }
            return k == m.count
        }
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == UInt8(ascii: "<") {
                for m in markers where matches(m, at: i) { return true }
                if startsWithTag { for m in fragmentMarkers where matches(m, at: i) { return true } }
            }
            i += 1
        }
        return false
    }

    static func fromHTML(_ html: String, encoding: String, url: String? = nil) -> ArticleMetadata {
        let page = ArticlePage(html, url: url)
        var fields = FieldCandidates()
        HTMLMetadata.read(page, into: &fields)
        let (text, container) = MainText.extract(page)
        PublishedDate.read(page, main: container, into: &fields)
        Byline.read(page, main: container, into: &fields)
        return ArticleMetadata(kind: "html", encoding: encoding, fields: fields.resolved(), text: text)
    }

    /// Names in a schema.org person/organization value: a string, an object with `name`, or a list.
    private static func names(_ value: JSON?) -> [String] {
        guard let value else { return [] }
        if let s = value.stringValue { return s.isEmpty ? [] : [s] }
        if let array = value.arrayValue { return array.flatMap { names($0) } }
        if let name = value["name"]?.stringValue, !name.isEmpty { return [name] }
        return []
    }

    // MARK: JSON

    /// A JSON object with `url`, `title`, `text` or `body`, `date`, `author` (JSON Lines: the first line).
    static func fromJSON(_ text: String, encoding: String) -> ArticleMetadata? {
        let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        guard let object = (try? JSON.parse(Array(text.utf8)))?.objectValue ?? (try? JSON.parse(Array(first.utf8)))?.objectValue else { return nil }
        var fields = FieldCandidates()
        if let url = object["url"]?.stringValue { fields.add("url", url, jsonExtractor, rank: 0) }
        if let title = object["title"]?.stringValue ?? object["headline"]?.stringValue { fields.add("title", title, jsonExtractor, rank: 0) }
        if let date = object["date"]?.stringValue ?? object["published"]?.stringValue ?? object["datePublished"]?.stringValue {
            if let iso = NewsDate.parseValue(date) { fields.add("published", iso, jsonExtractor, rank: 0) }
        }
        if let modified = object["modified"]?.stringValue ?? object["dateModified"]?.stringValue { if let iso = NewsDate.parseValue(modified) { fields.add("modified", iso, jsonExtractor, rank: 0) } }
        for author in names(object["author"] ?? object["authors"]) { fields.add("author", author, jsonExtractor, rank: 0) }
        if let site = object["site"]?.stringValue ?? object["publication"]?.stringValue ?? object["source"]?.stringValue { fields.add("publication", site, jsonExtractor, rank: 0) }
        if let language = object["language"]?.stringValue ?? object["lang"]?.stringValue { fields.add("language", language, jsonExtractor, rank: 0) }
        let body = object["text"]?.stringValue ?? object["body"]?.stringValue ?? object["articleBody"]?.stringValue ?? object["content"]?.stringValue ?? ""
        return ArticleMetadata(kind: "json", encoding: encoding, fields: fields.resolved(), text: body)
    }

    // MARK: Plain text

    /// The title line (the first short line that is not a URL, byline or date), `By NAME`
    /// bylines, dates ("Last update:" / "Updated" lines are the modified time), a line that is a URL.
    static func fromText(_ text: String, encoding: String) -> ArticleMetadata {
        var fields = FieldCandidates()
        var lines = 0
        for line in firstLines(text, count: 60) {
            lines += 1
            let short = line.utf8.count < 240
            if short, line.hasPrefix("http"), !line.utf8.contains(0x20), URLKey.normalize(line) != nil {
                fields.add("url", line, textExtractor, rank: 0)
                continue
            }
            guard short else { continue }
            let lower = line.lowercased()
            if lower.hasPrefix("by ") {
                let names = line.dropFirst(3).replacingOccurrences(of: " and ", with: ",").split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for name in names { fields.add("author", name, textExtractor, rank: 0) }
                continue
            }
            if line.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }), let date = NewsDate.find(in: line) {
                let modified = lower.contains("update") || lower.contains("modified") || lower.contains("edited")
                fields.add(modified ? "modified" : "published", date, textExtractor, rank: 0)
                continue
            }
            if fields.value("title") == nil, lines <= 5 { fields.add("title", line, textExtractor, rank: 0) }
        }
        return ArticleMetadata(kind: "text", encoding: encoding, fields: fields.resolved(), text: text)
    }

    // MARK: Helpers

    /// The first `count` lines that are not blank, each without the spaces, tabs and carriage
    /// returns around it. Reads no further than it needs.
    private static func firstLines(_ text: String, count: Int) -> [String] {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { b -> [String] in
            var lines: [String] = []
            func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
            var start = 0
            while start < b.count && lines.count < count {
                var end = start
                while end < b.count && b[end] != 0x0A { end += 1 }
                var s = start, e = end
                while s < e && space(b[s]) { s += 1 }
                while e > s && space(b[e - 1]) { e -= 1 }
                if e > s { lines.append(String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)) }
                start = end + 1
            }
            return lines
        } ?? []
    }

    /// Text with each line's runs of white space collapsed (a no-break space counts), lines
    /// trimmed, and runs of blank lines made one. Works on UTF-8 bytes: it runs on every article.
    static func tidy(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var line: [UInt8] = []
        var blankRun = true
        func endLine() {
            while line.last == 0x20 { line.removeLast() }
            if line.isEmpty {
                if !blankRun { out.append(0x0A) }
                blankRun = true
            } else {
                if !out.isEmpty && out.last != 0x0A { out.append(0x0A) }
                out += line
                out.append(0x0A)
                blankRun = false
            }
            line.removeAll(keepingCapacity: true)
        }
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b == 0x0A { endLine(); previous = b; continue }
            let space = b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
            if space || (previous == 0xC2 && b == 0xA0) {
                if previous == 0xC2 && b == 0xA0 { line.removeLast() }
                if !line.isEmpty && line.last != 0x20 { line.append(0x20) }
            } else {
                line.append(b)
            }
            previous = b
        }
        endLine()
        while out.last == 0x0A { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
