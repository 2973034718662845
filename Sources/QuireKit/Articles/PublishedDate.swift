/// The published and modified dates of an HTML article, from the most deliberate declaration to
/// the least, as htmldate searches: JSON-LD `datePublished` (an article's, then any object's:
/// `WebPage`, `Recipe`, ...); `<meta>` names (`article:published_time`, `dc.date.issued`,
/// `dcterms.created`, `publication_date`, ...); microdata and `<time>` elements (`itemprop=
/// datePublished`, `<time pubdate>`, a `datetime` outside navigation and asides); a date in the
/// URL's path (`/2024/03/26/`); a short element whose class or id says date, time, published or
/// byline; the first date in the text near the headline. Every value is ISO 8601 (`NewsDate`) or
/// not given; the extractor recorded says which source it came from.
enum PublishedDate {
    static let time = "html-time/1"
    static let url = "html-url/1"
    static let text = "html-text/1"

    /// Meta names that say "published" and mean it, most specific first.
    private static let publishedKeys = [
        "article:published_time", "og:article:published_time", "article:published", "og:published_time", "published_time",
        "article:published_date", "article_date_original", "article:post_date", "article.published", "bt:pubdate", "datepublished",
        "date_published", "date-published", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.created",
        "dc:created", "dcterms:created", "dcterms:issued", "dc.date.publication", "citation_publication_date", "citation_date",
        "citation_online_date", "originalpublicationdate", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish_date",
        "publish-date", "published-date", "publication_date", "publication-date", "pub_date", "rnews:datepublished", "release_date",
        "datecreated", "date.created", "displaydate", "cxenseparse:recs:publishtime", "og:pubdate", "publish-time",
        "article:publication_date", "dateposted",
    ]
    /// Meta names that say only "date" (often the page's, not the article's): below JSON-LD.
    private static let genericDateKeys = [
        "doc_date", "field-date", "dc.date", "dc:date", "dcterms.date", "date", "created", "article:created",
    ]
    private static let modifiedKeys = [
        "article:modified_time", "og:article:modified_time", "article:modified", "og:updated_time", "article:updated_time", "datemodified",
        "date_modified", "dc.date.modified", "dcterms.modified", "dc.modified", "dcterms:modified", "modified_time", "updated_time",
        "last-modified", "lastmod", "modified", "revised", "parsely-updated", "lastupdated", "last_updated",
    ]

    static func read(_ page: ArticlePage, main: Int?, into fields: inout FieldCandidates) {
        let monthFirst = page.monthFirst
        func value(_ s: String) -> String? { NewsDate.parseValue(ArticlePage.plain(s), monthFirst: monthFirst) }

        // Ranks (lower wins): specific meta names 0, an article's JSON-LD 1, other JSON-LD 2-3,
        // generic meta names 3, other meta names saying published 4, then JSON-LD dateCreated and
        // uploadDate, script data, markup, the URL, the visible text.
        for (n, node) in page.jsonLD.nodesByRelevance(having: "datePublished").enumerated() {
            let article = JSONLD.types(node).contains(where: JSONLD.isArticleType)
            if let s = node["datePublished"]?.stringValue, let d = value(s) { fields.add("published", d, HTMLMetadata.jsonLD, rank: article ? 1 : 2 + min(n, 1)) }
        }
        for node in page.jsonLD.nodesByRelevance(having: "dateModified") {
            if let s = node["dateModified"]?.stringValue, let d = value(s) { fields.add("modified", d, HTMLMetadata.jsonLD, rank: 0) }
        }
        for node in page.jsonLD.nodesByRelevance(having: "dateCreated") {
            if let s = node["dateCreated"]?.stringValue, let d = value(s) { fields.add("published", d, HTMLMetadata.jsonLD, rank: 4) }
        }
        for node in page.jsonLD.nodesByRelevance(having: "uploadDate") {
            if let s = node["uploadDate"]?.stringValue, let d = value(s) { fields.add("published", d, HTMLMetadata.jsonLD, rank: 5) }
        }
        // Meta names, in the order of the lists.
        for (keys, rank) in [(publishedKeys, 0), (genericDateKeys, 3)] {
            for key in keys {
                if let d = page.metaValues([key]).lazy.compactMap({ value($0.content) }).first { fields.add("published", d, HTMLMetadata.meta, rank: rank) }
            }
        }
        for key in modifiedKeys {
            if let d = page.metaValues([key]).lazy.compactMap({ value($0.content) }).first { fields.add("modified", d, HTMLMetadata.meta, rank: 1) }
        }

        // Any other meta name that says it is a publication date ("sw-pubdate", "article.publishdate").
        for (key, content) in page.meta where !publishedKeys.contains(key) && !genericDateKeys.contains(key) && !modifiedKeys.contains(key) {
            let says = (ByteSearch.contains(key, "pub") && (ByteSearch.contains(key, "date") || ByteSearch.contains(key, "time"))) || ByteSearch.contains(key, "publish") || (ByteSearch.contains(key, "date") && ByteSearch.contains(key, "creat"))
            guard says, !ByteSearch.contains(key, "update"), !ByteSearch.contains(key, "modif"), let d = value(content) else { continue }
            fields.add("published", d, HTMLMetadata.meta, rank: 4)
            break
        }
        readScripts(page, into: &fields)
        readMarkup(page, main: main, into: &fields)
        readURLPath(page, into: &fields)
        readVisibleText(page, main: main, into: &fields)
        // A page that gives only an update time (hAtom's "updated", a "Stand" line): that time is
        // when the text as it stands was published, and the only publication date it states.
        if !fields.has("published"), let modified = fields.values("modified").first {
            fields.add("published", modified.value, modified.extractor, rank: 9)
        }
    }

    // MARK: Scripts

    /// `"datePublished": "..."` in a script that is not JSON-LD (a page's data for its scripts).
    private static func readScripts(_ page: ArticlePage, into fields: inout FieldCandidates) {
        let doc = page.document
        let jsonLD = Set(doc.jsonLDElements)
        for (e, content) in doc.rawContent where doc.elements[e].name == "script" && !jsonLD.contains(e) {
            for (key, field) in [("\"datePublished\"", "published"), ("\"dateModified\"", "modified"), ("\"publishedDate\"", "published"),
                                 ("\"publishDate\"", "published")] {
                guard let offset = ByteSearch.offset(of: key, in: content) else { continue }
                let start = content.utf8.index(content.utf8.startIndex, offsetBy: offset + key.utf8.count)
                let after = content[start...].prefix(80)
                guard let open = after.firstIndex(of: "\""), after[..<open].allSatisfy({ $0 == ":" || $0 == " " || $0 == "\\" }) else { continue }
                let value = after[after.index(after: open)...].prefix { $0 != "\"" && $0 != "\\" }
                if let d = NewsDate.parseValue(String(value)) { fields.add(field, d, HTMLMetadata.jsonLD, rank: 4) }
            }
        }
    }

    // MARK: Microdata and <time>

    private static func readMarkup(_ page: ArticlePage, main: Int?, into fields: inout FieldCandidates) {
        let doc = page.document
        var plainTime: (date: String, modified: Bool)? = nil
        for (e, element) in doc.elements.enumerated() where element.name != "meta" || element["itemprop"] != nil {
            let itemprop = element["itemprop"]?.lowercased()
            let name = element.name
            guard itemprop != nil || name == "time" || name == "abbr" || (element["title"] != nil && element["class"] != nil) else { continue }
            func stated() -> String? {
                let raw = element["datetime"] ?? element["content"] ?? element["title"] ?? (name == "meta" ? nil : doc.text(of: e, limit: 300))
                return raw.flatMap { NewsDate.parseValue(ArticlePage.plain($0), monthFirst: page.monthFirst) }
            }
            if itemprop == "datepublished" || itemprop == "datecreated" || itemprop == "pubdate" {
                if let d = stated() { fields.add("published", d, time, rank: 3) }
                continue
            }
            if itemprop == "datemodified" || itemprop == "dateupdated" {
                if let d = stated() { fields.add("modified", d, time, rank: 2) }
                continue
            }
            let category = page.categories[e].union(itemprop.map { HintWords.categories(of: $0) } ?? [])
            // hAtom: <span class="published" title="2013-04-04T18:52:11+00:00">, <abbr class="updated" title=...>
            if name != "time", let t = element["title"] ?? element["datetime"], t.utf8.count <= 40 {
                let classes = (element["class"] ?? "").lowercased().split(separator: " ")
                if classes.contains(where: { $0 == "published" || $0 == "entry-date" || $0 == "dtstart" || $0 == "date-published" || $0 == "post-date" }),
                   let d = NewsDate.parseValue(t, monthFirst: page.monthFirst) {
                    fields.add("published", d, time, rank: 3)
                    continue
                }
                if classes.contains("updated"), let d = NewsDate.parseValue(t, monthFirst: page.monthFirst) {
                    fields.add("modified", d, time, rank: 3)
                    continue
                }
            }
            if name == "abbr" {
                if category.contains(.publish) || page.categories[e].contains(.eventStart), let t = element["title"], let d = NewsDate.parseValue(t, monthFirst: page.monthFirst) {
                    fields.add("published", d, time, rank: 3)
                }
                continue
            }
            guard name == "time", !page.inChrome[e] else { continue }
            let modified = category.contains(.update) || ancestorCategories(e, page).contains(.update)
            if element["pubdate"] != nil || category.contains(.publish) {
                if let d = stated() { fields.add(modified ? "modified" : "published", d, time, rank: 3) }
                continue
            }
            if plainTime == nil, let d = stated() { plainTime = (d, modified) }
            if let main, doc.isInside(e, main), let d = stated() {
                fields.add(modified ? "modified" : "published", d, time, rank: 4)
            }
        }
        if let plainTime { fields.add(plainTime.modified ? "modified" : "published", plainTime.date, time, rank: 5) }
    }

    /// What the class and id of the two elements above `e` say.
    private static func ancestorCategories(_ e: Int, _ page: ArticlePage) -> HintWords.Category {
        let parent = page.document.elements[e].parent
        guard parent > 0 else { return [] }
        return page.categories[parent].union(page.categories[page.document.elements[parent].parent])
    }

    // MARK: URL path

    /// `/2024/03/26/`, `/2024-03-26-`, `/20240326/` in the page's canonical URL (or its own).
    private static func readURLPath(_ page: ArticlePage, into fields: inout FieldCandidates) {
        let candidates = ArticlePage.canonicalLinks(page.document).compactMap(page.absolute) + [page.baseURL].compactMap { $0 }
        for url in candidates {
            if let d = dateInPath(url) {
                fields.add("published", d, Self.url, rank: 6)
                return
            }
        }
    }

    /// A full date in a URL's path.
    static func dateInPath(_ url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let afterHost = url[schemeEnd.upperBound...].drop { $0 != "/" }
        let path = afterHost.prefix { $0 != "?" && $0 != "#" }
        let b = Array(path.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? { decimalNumber(b, at: at, count: n) }
        func boundary(_ k: Int) -> Bool { k < 0 || k >= b.count || !(b[k] >= 0x30 && b[k] <= 0x39) }
        var i = 0
        while i + 8 <= b.count {
            if boundary(i - 1), let y = digits(i, 4), (1990...2099).contains(y) {
                // YYYY/MM/DD, YYYY-MM-DD, YYYY_MM_DD
                if i + 10 <= b.count, [UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_")].contains(b[i + 4]), b[i + 7] == b[i + 4],
                   let m = digits(i + 5, 2), let d = digits(i + 8, 2), boundary(i + 10), NewsDate.valid(y, m, d) {
                    return "\(y)-\(pad(m))-\(pad(d))"
                }
                // YYYY/M/D
                if b[i + 4] == UInt8(ascii: "/") {
                    var k = i + 5
                    var parts: [Int] = []
                    for _ in 0..<2 {
                        let start = k
                        while k < b.count, b[k] >= 0x30 && b[k] <= 0x39, k - start < 2 { k += 1 }
                        guard k > start, let v = digits(start, k - start) else { break }
                        parts.append(v)
                        if parts.count == 1 { guard k < b.count, b[k] == UInt8(ascii: "/") else { break }; k += 1 }
                    }
                    if parts.count == 2, k == b.count || b[k] == UInt8(ascii: "/"), NewsDate.valid(y, parts[0], parts[1]) {
                        return "\(y)-\(pad(parts[0]))-\(pad(parts[1]))"
                    }
                }
                // YYYYMMDD as a whole number in the path
                if let m = digits(i + 4, 2), let d = digits(i + 6, 2), boundary(i + 8), NewsDate.valid(y, m, d),
                   i > 0, [UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "_")].contains(b[i - 1]) {
                    return "\(y)-\(pad(m))-\(pad(d))"
                }
            }
            i += 1
        }
        return nil
    }

    // MARK: Visible text

    private static let updateWords = ["update", "aktualisiert", "modifi", "geändert", "actualizado", "mis à jour", "bijgewerkt", "edited"]

    private static func readVisibleText(_ page: ArticlePage, main: Int?, into fields: inout FieldCandidates) {
        let doc = page.document
        var found = false
        for (e, element) in doc.elements.enumerated() where element.children.count > 0 {
            guard page.categories[e].contains(.date), !page.inChrome[e] else { continue }
            let text = doc.text(of: e, limit: 301)
            guard text.utf8.count <= 300, text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) else { continue }
            let lower = text.lowercased()
            guard let d = NewsDate.find(in: text, monthFirst: page.monthFirst) else { continue }
            if updateWords.contains(where: { ByteSearch.contains(lower, $0) }) && !ByteSearch.contains(lower, "publi") && !ByteSearch.contains(lower, "veröffentlicht") {
                fields.add("modified", d, Self.text, rank: 5)
                continue
            }
            fields.add("published", d, Self.text, rank: 7)
            found = true
            break
        }
        guard !found else { return }
        // A date line just above the headline (a kicker: "21.01.2022", "Politik | 3. März 2024").
        let start = doc.first("h1") ?? doc.first("h2") ?? main
        guard let start else { return }
        if let d = dateJustBefore(start, page) {
            fields.add("published", d, Self.text, rank: 8)
            return
        }
        // The first date in the text after the headline (or in the article container).
        var budget = 3000
        var texts: [String] = []
        collectTextAfter(start, page, budget: &budget, into: &texts)
        for t in texts {
            if let d = NewsDate.find(in: t, monthFirst: page.monthFirst) {
                fields.add("published", d, Self.text, rank: 8)
                return
            }
        }
    }

    /// A date in the short text of the elements just before `e` (its previous siblings, and its
    /// parent's), when that text is short: a line above the headline.
    private static func dateJustBefore(_ e: Int, _ page: ArticlePage) -> String? {
        let doc = page.document
        var current = e
        for _ in 0..<2 {
            let parent = doc.elements[current].parent
            guard parent >= 0 else { return nil }
            let siblings = doc.elements[parent].children
            guard let position = siblings.firstIndex(where: { if case .element(current) = $0 { return true } else { return false } }) else { return nil }
            var budget = 200
            for child in siblings[..<position].reversed() {
                let text: String
                switch child {
                case .text(let t): text = String(doc.texts[t].unicodeScalars.prefix(201))
                case .element(let k):
                    guard !page.inChrome[k] else { budget = 0; continue }
                    text = doc.text(of: k, limit: 201)
                }
                budget -= text.utf8.count
                guard budget > 0 else { break }
                if let d = NewsDate.find(in: text, monthFirst: page.monthFirst) { return d }
            }
            current = parent
        }
        return nil
    }

    /// Texts that follow element `start` in document order (itself included), up to `budget` bytes.
    private static func collectTextAfter(_ start: Int, _ page: ArticlePage, budget: inout Int, into texts: inout [String]) {
        let doc = page.document
        // The element, then its following siblings, then its ancestors' following siblings.
        var current = start
        var first = true
        while current > 0 && budget > 0 {
            let parent = doc.elements[current].parent
            guard parent >= 0 else { return }
            let siblings = doc.elements[parent].children
            guard let position = siblings.firstIndex(where: { if case .element(current) = $0 { return true } else { return false } }) else { return }
            for child in siblings[(first ? position : position + 1)...] {
                guard budget > 0 else { return }
                switch child {
                case .text(let t):
                    let text = String(doc.texts[t].unicodeScalars.prefix(budget))
                    texts.append(text); budget -= text.utf8.count
                case .element(let e):
                    guard !page.inChrome[e] else { continue }
                    let t = doc.text(of: e, limit: budget)
                    texts.append(t)
                    budget -= t.utf8.count
                }
            }
            first = false
            current = parent
        }
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
