/// The schema.org objects a page declares in its `application/ld+json` scripts, read leniently
/// (a raw line break or tab inside a string, an HTML comment or CDATA wrapper around the JSON, a
/// trailing `;`, all of which browsers' consumers tolerate), flattened (top-level arrays, `@graph`
/// and nested objects), with `@id` references resolved: Yoast and similar plugins write
/// `"author": {"@id": "#/schema/person/1"}` and put the `Person` elsewhere in the graph.
struct JSONLD {
    /// Every object in the page's JSON-LD, outermost first, in document order.
    private(set) var nodes: [[String: JSON]] = []
    /// Objects by their `@id` (the first with a name wins).
    private var byID: [String: [String: JSON]] = [:]

    /// Reads the given script contents.
    init(_ scripts: [String]) {
        for script in scripts {
            guard let value = Self.parseLeniently(script) else { continue }
            collect(value, depth: 0)
        }
    }

    private mutating func collect(_ value: JSON, depth: Int) {
        guard depth < 16 else { return }
        if let array = value.arrayValue {
            for item in array { collect(item, depth: depth + 1) }
            return
        }
        guard let object = value.objectValue else { return }
        if let id = object["@id"]?.stringValue, object.count > 1, byID[id] == nil || byID[id]?["name"] == nil { byID[id] = object }
        let isWrapper = object["@graph"] != nil && object["@type"] == nil
        if !isWrapper { nodes.append(object) }
        for (key, child) in object where key == "@graph" || child.objectValue != nil || child.arrayValue != nil {
            // Nested objects are nodes too (an Article inside a WebPage's mainEntity), but
            // person and organization values are read where they are used.
            collect(child, depth: depth + 1)
        }
    }

    /// The object a reference stands for: `{"@id": X}` alone is looked up, anything else is itself.
    func resolve(_ value: JSON) -> JSON {
        if let object = value.objectValue, let id = object["@id"]?.stringValue, object["name"] == nil, let target = byID[id] {
            return .object(target)
        }
        return value
    }

    /// The `@type`s of an object (a string or a list of them).
    static func types(_ object: [String: JSON]) -> [String] {
        if let t = object["@type"]?.stringValue { return [t] }
        return object["@type"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Whether a type is an article: `Article` and its subtypes (`NewsArticle`, `ReportageNewsArticle`,
    /// `BlogPosting`, `Report`, `ScholarlyArticle`, `LiveBlogPosting`, ...).
    static func isArticleType(_ type: String) -> Bool {
        type.hasSuffix("Article") || type == "BlogPosting" || type == "LiveBlogPosting" || type == "Report" || type == "SocialMediaPosting"
            || type == "DiscussionForumPosting" || type == "Review" || type == "TechArticle" || type == "OpinionNewsArticle"
    }

    /// Article objects first, then the rest (`WebPage`, `Recipe`, `Question`, `VideoObject`...)
    /// that carry the asked-for key.
    func nodesByRelevance(having key: String) -> [[String: JSON]] {
        let with = nodes.filter { $0[key] != nil }
        let articles = with.filter { Self.types($0).contains(where: Self.isArticleType) }
        let pages = with.filter { Self.types($0).contains { $0.hasSuffix("WebPage") || $0 == "WebPage" } }
        let others = with.filter { node in !Self.types(node).contains(where: Self.isArticleType) && !Self.types(node).contains { $0.hasSuffix("WebPage") } }
        return articles + pages + others
    }

    /// The names in a person or organization value: a string, an object with `name` (or
    /// `givenName` and `familyName`), a reference to one, or a list of these.
    func names(_ value: JSON?, depth: Int = 0) -> [String] {
        guard let value, depth < 4 else { return [] }
        if let s = value.stringValue { return s.trimmedWhitespace.isEmpty ? [] : [s] }
        if let array = value.arrayValue { return array.flatMap { names($0, depth: depth + 1) } }
        let resolved = resolve(value)
        if let name = resolved["name"]?.stringValue, !name.trimmedWhitespace.isEmpty { return [name] }
        if let name = resolved["name"], name.arrayValue != nil { return names(name, depth: depth + 1) }
        if let given = resolved["givenName"]?.stringValue {
            let full = [given, resolved["familyName"]?.stringValue ?? ""].joined(separator: " ").trimmedWhitespace
            return full.isEmpty ? [] : [full]
        }
        return []
    }

    /// Whether a person-or-organization value is an organization (so not a byline).
    func isOrganization(_ value: JSON) -> Bool {
        guard let object = resolve(value).objectValue else { return false }
        let types = Self.types(object)
        return !types.contains("Person") && types.contains { $0.hasSuffix("Organization") || $0 == "Corporation" }
    }

    // MARK: Lenient parsing

    /// One script's JSON: wrappers removed, control characters inside strings made spaces, and
    /// a trailing `;` dropped. Nil when it still is not JSON.
    static func parseLeniently(_ script: String) -> JSON? {
        var b = Array(script.utf8)
        if let parsed = try? JSON.parse(b, maxDepth: 48) { return parsed }
        // Outside strings: drop "<!--", "-->", "<![CDATA[", "]]>" and "//" line comments around the value.
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var inString = false, escaped = false
        var i = 0
        while i < b.count {
            let c = b[i]
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                out.append(c < 0x20 ? 0x20 : c)
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") { inString = true; out.append(c); i += 1; continue }
            if c == UInt8(ascii: "<"), b[i...].starts(with: Array("<!--".utf8)) { i += 4; continue }
            if c == UInt8(ascii: "-"), b[i...].starts(with: Array("-->".utf8)) { i += 3; continue }
            if c == UInt8(ascii: "<"), b[i...].starts(with: Array("<![CDATA[".utf8)) { i += 9; continue }
            if c == UInt8(ascii: "]"), b[i...].starts(with: Array("]]>".utf8)) { i += 3; continue }
            if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
                while i < b.count && b[i] != 0x0A { i += 1 }
                continue
            }
            out.append(c)
            i += 1
        }
        while let last = out.last, last == UInt8(ascii: ";") || last <= 0x20 { out.removeLast() }
        b = out
        if let parsed = try? JSON.parse(b, maxDepth: 48) { return parsed }
        // Trailing commas before a closing bracket.
        var cleaned: [UInt8] = []
        cleaned.reserveCapacity(b.count)
        inString = false; escaped = false
        for (k, c) in b.enumerated() {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: ",") {
                var j = k + 1
                while j < b.count && b[j] <= 0x20 { j += 1 }
                if j < b.count && (b[j] == UInt8(ascii: "}") || b[j] == UInt8(ascii: "]")) { continue }
            }
            cleaned.append(c)
        }
        return try? JSON.parse(cleaned, maxDepth: 48)
    }
}
