import Foundation
import Hashing

/// One metadata value and what produced it.
public struct MetadataField: Sendable, Equatable {
    /// `title`, `author`, `publication`, `published`, `modified`, `url`, `language`.
    public let name: String
    public let value: String
    /// The extractor and its version (`html-jsonld/1`, `html-meta/1`, `html-title/1`, `text/1`,
    /// `json/1`), or `supplied` for metadata the scraper gave with `ingest --meta`.
    public let extractor: String

    public var json: JSON { ["name": .string(name), "value": .string(value), "extractor": .string(extractor)] }
}

/// What Quire reads out of one article's bytes.
public struct ArticleMetadata: Sendable, Equatable {
    /// `html`, `json` or `text`.
    public let kind: String
    /// How the bytes were read: `utf-8` or `windows-1252`.
    public let encoding: String
    /// At most one value per field (several `author`s), best source first.
    public let fields: [MetadataField]
    /// The article's text (HTML reduced to text), for search, fingerprints and diff; white space
    /// as it came (`MetadataExtractor.tidy` makes it readable).
    public let text: String
    /// SHA-256 of the text in Unicode NFC with every run of white space folded to one space:
    /// two versions with equal fingerprints say the same thing in different bytes.
    public let fingerprint: String
    /// Keys to find near-duplicates of this text by (see `ShingleSketch.nearKeys`).
    let nearKeys: [UInt64]

    init(kind: String, encoding: String, fields: [MetadataField], text: String) {
        self.kind = kind
        self.encoding = encoding
        self.fields = fields
        self.text = text
        fingerprint = Self.fingerprint(of: text)
        nearKeys = ShingleSketch.nearKeys(text)
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

/// Extracts metadata from HTML, JSON and plain-text articles. Pure functions of the bytes, so
/// every copy derives the same fields from the same blob.
public enum MetadataExtractor {
    /// Bump a version when its output changes, so stored fields can be recomputed.
    static let htmlJSONLD = "html-jsonld/1"
    static let htmlMeta = "html-meta/1"
    static let htmlTitle = "html-title/1"
    static let jsonExtractor = "json/1"
    static let textExtractor = "text/1"

    /// Reads the bytes as HTML (when it looks like markup), JSON (an object, or JSON Lines whose
    /// first line is one) or plain text; gzip or zlib bytes decoded first (see `ContentDecoding`).
    public static func extract(_ stored: [UInt8]) -> ArticleMetadata {
        // A page stored gzip- or deflate-encoded, as its server sent it, is read decoded.
        let bytes = ContentDecoding.decoded(stored, limit: articleExtractionLimit) ?? stored
        // Images, PDFs, fonts: no text to read (read as Windows-1252 they gave noise, slowly).
        if ArticleMetadata.isBinary(bytes) { return ArticleMetadata(binary: stored) }
        let (text, encoding) = TextDecoding.decode(bytes)
        if looksLikeHTML(bytes.prefix(2048)) { return fromHTML(text, encoding: encoding) }
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{", let parsed = fromJSON(String(trimmed), encoding: encoding) { return parsed }
        return fromText(text, encoding: encoding)
    }

    // MARK: HTML

    /// Whether the start of a file has the tags a web page starts with.
    static func looksLikeHTML(_ head: ArraySlice<UInt8>) -> Bool {
        let markers = ["<html", "<!doctype html", "<head", "<meta ", "<title"].map { Array($0.utf8) }
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == UInt8(ascii: "<") {
                for m in markers where i + m.count <= head.endIndex {
                    var k = 1
                    while k < m.count, (head[i + k] >= 65 && head[i + k] <= 90 ? head[i + k] + 32 : head[i + k]) == m[k] { k += 1 }
                    if k == m.count { return true }
                }
            }
            i += 1
        }
        return false
    }

    static func fromHTML(_ html: String, encoding: String) -> ArticleMetadata {
        var fields = FieldSet()
        var title: String? = nil
        var inTitle = false
        var skipDepth = 0
        var body: [String] = []
        var articleBody: [String] = []
        var inArticle = 0
        var scanner = HTMLScanner(html)
        while let token = scanner.next() {
            switch token {
            case .start(let tag):
                switch tag.name {
                case "html":
                    if let lang = tag.attributes["lang"], !lang.isEmpty { fields.add("language", lang, htmlMeta, rank: 2) }
                case "title": inTitle = true
                case "meta": meta(tag.attributes, into: &fields)
                case "link":
                    if tag.attributes["rel"]?.lowercased().split(separator: " ").contains("canonical") == true, let href = tag.attributes["href"] {
                        fields.add("url", href, htmlMeta, rank: 1)
                    }
                case "article": inArticle += 1
                case "nav", "footer", "header", "aside", "noscript", "form", "svg", "button", "figcaption": skipDepth += 1
                case "p", "br", "div", "h1", "h2", "h3", "h4", "li", "tr", "section", "blockquote":
                    body.append("\n")
                    if inArticle > 0 { articleBody.append("\n") }
                default: break
                }
            case .end(let name):
                switch name {
                case "title": inTitle = false
                case "article": inArticle = max(0, inArticle - 1)
                case "nav", "footer", "header", "aside", "noscript", "form", "svg", "button", "figcaption": skipDepth = max(0, skipDepth - 1)
                case "p", "div", "h1", "h2", "h3", "h4", "li", "section", "blockquote":
                    body.append("\n")
                    if inArticle > 0 { articleBody.append("\n") }
                default: break
                }
            case .text(let t):
                if inTitle { title = (title ?? "") + t } else if skipDepth == 0 {
                    body.append(t)
                    if inArticle > 0 { articleBody.append(t) }
                }
            case .script(let tag, let content):
                if tag.attributes["type"]?.lowercased().contains("ld+json") == true { jsonLD(content, into: &fields) }
            }
        }
        if let title { fields.add("title", collapse(title), htmlTitle, rank: 3) }
        let article = articleBody.joined()
        let text = article.utf8.count > 200 ? article : body.joined()
        return ArticleMetadata(kind: "html", encoding: encoding, fields: fields.resolved(), text: text)
    }

    private static func meta(_ a: [String: String], into fields: inout FieldSet) {
        guard let content = a["content"], !content.isEmpty else { return }
        let key = (a["property"] ?? a["name"] ?? a["itemprop"] ?? "").lowercased()
        switch key {
        case "og:title", "twitter:title": fields.add("title", content, htmlMeta, rank: 1)
        case "og:url": fields.add("url", content, htmlMeta, rank: 2)
        case "og:site_name", "application-name": fields.add("publication", content, htmlMeta, rank: 1)
        case "author", "article:author", "byl", "sailthru.author", "parsely-author", "dc.creator":
            if !content.hasPrefix("http") { fields.add("author", content.hasPrefix("By ") ? String(content.dropFirst(3)) : content, htmlMeta, rank: 1) }
        case "article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date", "parsely-pub-date", "sailthru.date":
            fields.add("published", NewsDate.find(in: content) ?? content, htmlMeta, rank: 1)
        case "article:modified_time", "og:updated_time", "datemodified", "last-modified":
            fields.add("modified", NewsDate.find(in: content) ?? content, htmlMeta, rank: 1)
        case "og:locale", "language", "content-language": fields.add("language", content, htmlMeta, rank: 3)
        default: break
        }
    }

    /// Schema.org `NewsArticle` (or `Article`, `ReportageNewsArticle`, ...) in JSON-LD, also inside
    /// arrays and `@graph`.
    private static func jsonLD(_ content: String, into fields: inout FieldSet) {
        guard let value = try? JSON.parse(Array(content.utf8)) else { return }
        var stack = [value]
        while let node = stack.popLast() {
            if let array = node.arrayValue { stack += array; continue }
            guard let object = node.objectValue else { continue }
            if let graph = object["@graph"] { stack.append(graph) }
            let types = object["@type"]?.stringValue.map { [$0] } ?? object["@type"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard types.contains(where: { $0.hasSuffix("Article") || $0 == "BlogPosting" || $0 == "Report" }) else { continue }
            let tag = htmlJSONLD
            if let headline = object["headline"]?.stringValue ?? object["name"]?.stringValue { fields.add("title", collapse(headline), tag, rank: 0) }
            if let published = object["datePublished"]?.stringValue { fields.add("published", NewsDate.find(in: published) ?? published, tag, rank: 0) }
            if let modified = object["dateModified"]?.stringValue { fields.add("modified", NewsDate.find(in: modified) ?? modified, tag, rank: 0) }
            if let url = object["url"]?.stringValue ?? object["mainEntityOfPage"]?.stringValue ?? object["mainEntityOfPage"]?["@id"]?.stringValue {
                fields.add("url", url, tag, rank: 3)
            }
            for author in names(object["author"]) { fields.add("author", author, tag, rank: 0) }
            if let publisher = names(object["publisher"]).first { fields.add("publication", publisher, tag, rank: 0) }
            if let language = object["inLanguage"]?.stringValue { fields.add("language", language, tag, rank: 0) }
        }
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
        var fields = FieldSet()
        if let url = object["url"]?.stringValue { fields.add("url", url, jsonExtractor, rank: 0) }
        if let title = object["title"]?.stringValue ?? object["headline"]?.stringValue { fields.add("title", title, jsonExtractor, rank: 0) }
        if let date = object["date"]?.stringValue ?? object["published"]?.stringValue ?? object["datePublished"]?.stringValue {
            fields.add("published", NewsDate.find(in: date) ?? date, jsonExtractor, rank: 0)
        }
        if let modified = object["modified"]?.stringValue ?? object["dateModified"]?.stringValue { fields.add("modified", NewsDate.find(in: modified) ?? modified, jsonExtractor, rank: 0) }
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
        var fields = FieldSet()
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

    private static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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

/// Candidate values per field with a rank (lower wins; ties go to the first found).
private struct FieldSet {
    private var candidates: [(name: String, value: String, extractor: String, rank: Int, order: Int)] = []

    mutating func add(_ name: String, _ value: String, _ extractor: String, rank: Int) {
        let v = value.trimmedWhitespace
        guard !v.isEmpty, v.count < 2000 else { return }
        candidates.append((name, v, extractor, rank, candidates.count))
    }

    func value(_ name: String) -> String? { candidates.first { $0.name == name }?.value }

    /// One value per field (every author of the best-ranked source), in a fixed field order.
    func resolved() -> [MetadataField] {
        var out: [MetadataField] = []
        for name in ["title", "author", "publication", "published", "modified", "url", "language"] {
            let mine = candidates.filter { $0.name == name }.sorted { ($0.rank, $0.order) < ($1.rank, $1.order) }
            guard let best = mine.first else { continue }
            if name == "author" {
                var seen = Set<String>()
                for c in mine where c.rank == best.rank && c.extractor == best.extractor && seen.insert(c.value).inserted {
                    out.append(MetadataField(name: name, value: c.value, extractor: c.extractor))
                }
            } else {
                out.append(MetadataField(name: name, value: best.value, extractor: best.extractor))
            }
        }
        return out
    }
}
