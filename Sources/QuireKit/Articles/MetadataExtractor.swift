import Foundation

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
    /// The article's text (HTML reduced to text), for search, fingerprints and diff.
    public let text: String

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

    /// Reads `bytes` as HTML (when it looks like markup), JSON (an object, or JSON Lines whose
    /// first line is one) or plain text.
    public static func extract(_ bytes: [UInt8]) -> ArticleMetadata {
        let (text, encoding) = TextDecoding.decode(bytes)
        let head = text.prefix(2048).lowercased()
        if head.contains("<html") || head.contains("<!doctype html") || head.contains("<head") || head.contains("<meta ") || head.contains("<title") {
            return fromHTML(text, encoding: encoding)
        }
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{", let parsed = fromJSON(String(trimmed), encoding: encoding) { return parsed }
        return fromText(text, encoding: encoding)
    }

    // MARK: HTML

    static func fromHTML(_ html: String, encoding: String) -> ArticleMetadata {
        var fields = FieldSet()
        var title: String? = nil
        var inTitle = false
        var skipDepth = 0
        var body: [String] = []
        var articleBody: [String] = []
        var inArticle = 0
        for token in HTMLScanner.tokens(html) {
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
        let text = tidy(articleBody.joined().count > 200 ? articleBody.joined() : body.joined())
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
        return ArticleMetadata(kind: "json", encoding: encoding, fields: fields.resolved(), text: tidy(body))
    }

    // MARK: Plain text

    /// The title line (the first short line that is not a URL, byline or date), `By NAME`
    /// bylines, dates ("Last update:" / "Updated" lines are the modified time), a line that is a URL.
    static func fromText(_ text: String, encoding: String) -> ArticleMetadata {
        var fields = FieldSet()
        var lines = 0
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            lines += 1
            if lines > 60 { break }
            let lower = line.lowercased()
            if !line.contains(" "), URLKey.normalize(line) != nil {
                fields.add("url", line, textExtractor, rank: 0)
                continue
            }
            if lower.hasPrefix("by ") && line.count < 120 {
                let names = line.dropFirst(3).replacingOccurrences(of: " and ", with: ",").split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for name in names { fields.add("author", name, textExtractor, rank: 0) }
                continue
            }
            if line.count < 120, let date = NewsDate.find(in: line) {
                let modified = lower.contains("update") || lower.contains("modified") || lower.contains("edited")
                fields.add(modified ? "modified" : "published", date, textExtractor, rank: 0)
                continue
            }
            if fields.value("title") == nil, line.count <= 200, lines <= 5 { fields.add("title", line, textExtractor, rank: 0) }
        }
        return ArticleMetadata(kind: "text", encoding: encoding, fields: fields.resolved(), text: tidy(text))
    }

    // MARK: Helpers

    private static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Text with each line's runs of white space collapsed and runs of blank lines made one.
    static func tidy(_ s: String) -> String {
        var out: [String] = []
        var blank = false
        for line in s.split(separator: "\n", omittingEmptySubsequences: false) {
            let collapsed = collapse(String(line))
            if collapsed.isEmpty {
                if !blank && !out.isEmpty { out.append("") }
                blank = true
            } else {
                out.append(collapsed)
                blank = false
            }
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n")
    }
}

/// Candidate values per field with a rank (lower wins; ties go to the first found).
private struct FieldSet {
    private var candidates: [(name: String, value: String, extractor: String, rank: Int, order: Int)] = []

    mutating func add(_ name: String, _ value: String, _ extractor: String, rank: Int) {
        let v = value.trimmingCharacters(in: .whitespacesAndNewlines)
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
