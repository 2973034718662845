/// The page-level fields of an HTML article: title, canonical URL, site name, description,
/// section and language, each from the most deliberate declaration the page makes (JSON-LD, then
/// Open Graph and other `<meta>` tags, then the document's `<title>` and first `<h1>`).
enum HTMLMetadata {
    static let jsonLD = "html-jsonld/2"
    static let meta = "html-meta/2"
    static let title = "html-title/2"

    static func read(_ page: ArticlePage, into fields: inout FieldCandidates) {
        readJSONLD(page, into: &fields)
        readMeta(page, into: &fields)
        readTitle(page, into: &fields)
        readURL(page, into: &fields)
        if let language = page.language { fields.add("language", language, meta, rank: 1) }
    }

    // MARK: JSON-LD

    private static func readJSONLD(_ page: ArticlePage, into fields: inout FieldCandidates) {
        let ld = page.jsonLD
        let articles = ld.nodes.filter { JSONLD.types($0).contains(where: JSONLD.isArticleType) }
        for node in articles {
            if let headline = node["headline"]?.stringValue ?? node["name"]?.stringValue { fields.add("title", ArticlePage.plain(headline), jsonLD, rank: 0) }
            if let publisher = ld.names(node["publisher"]).first { fields.add("publication", ArticlePage.plain(publisher), jsonLD, rank: 0) }
            if let section = node["articleSection"]?.stringValue ?? node["articleSection"]?.arrayValue?.first?.stringValue {
                fields.add("section", ArticlePage.plain(section), jsonLD, rank: 0)
            }
            if let description = node["description"]?.stringValue { fields.add("description", ArticlePage.plain(description), jsonLD, rank: 1) }
            if let language = node["inLanguage"]?.stringValue { fields.add("language", language, jsonLD, rank: 0) }
            for key in ["url", "mainEntityOfPage"] {
                let value = node[key]
                if let url = value?.stringValue ?? value?["@id"]?.stringValue ?? value?["url"]?.stringValue, let absolute = page.absolute(url) {
                    fields.add("url", absolute, jsonLD, rank: 3)
                }
            }
        }
        // A site name from the WebSite or the organization behind the page.
        for node in ld.nodes where JSONLD.types(node).contains("WebSite") {
            if let name = node["name"]?.stringValue { fields.add("publication", ArticlePage.plain(name), jsonLD, rank: 2) }
        }
        if let language = ld.nodes.compactMap({ $0["inLanguage"]?.stringValue }).first { fields.add("language", language, jsonLD, rank: 2) }
    }

    // MARK: Meta tags

    private static func readMeta(_ page: ArticlePage, into fields: inout FieldCandidates) {
        for (key, raw) in page.meta {
            let content = ArticlePage.plain(raw)
            guard !content.isEmpty else { continue }
            switch key {
            case "og:site_name": fields.add("publication", content, meta, rank: 1)
            case "application-name", "publisher", "dc.publisher", "dcterms.publisher", "citation_publisher": fields.add("publication", content, meta, rank: 3)
            case "og:description": fields.add("description", content, meta, rank: 0)
            case "description", "twitter:description", "dc.description", "dcterms.description": fields.add("description", content, meta, rank: 2)
            case "article:section", "section", "parsely-section", "sailthru.section", "og:article:section": fields.add("section", content, meta, rank: 1)
            case "og:locale", "content-language", "language", "dc.language", "dcterms.language": fields.add("language", content, meta, rank: 3)
            default: break
            }
        }
    }

    // MARK: Title

    /// The title: the article's JSON-LD headline, `og:title`, `twitter:title` (unless it is a
    /// shortened form of another, ending in an ellipsis), `dc.title`, the document's `<title>`
    /// (never an SVG's), the first `<h1>`.
    private static func readTitle(_ page: ArticlePage, into fields: inout FieldCandidates) {
        var metaTitles: [(String, Int)] = []
        for (key, raw) in page.meta {
            let content = ArticlePage.plain(raw)
            switch key {
            case "og:title": metaTitles.append((content, 1))
            case "twitter:title": metaTitles.append((content, 2))
            case "dc.title", "dcterms.title", "citation_title", "headline", "title", "parsely-title", "sailthru.title": metaTitles.append((content, 3))
            default: break
            }
        }
        let documentTitle = page.document.title.map(ArticlePage.plain)
        let h1 = page.document.first("h1").map { ArticlePage.plain(page.document.text(of: $0)) }
        let all = metaTitles.map(\.0) + [documentTitle, h1].compactMap { $0 }
        for (title, rank) in metaTitles where !isShortened(title, of: all) { fields.add("title", title, meta, rank: rank) }
        if let documentTitle, !isShortened(documentTitle, of: all) { fields.add("title", documentTitle, Self.title, rank: 4) }
        if let h1, h1.count >= 4, h1.count <= 300 { fields.add("title", h1, Self.title, rank: 5) }
    }

    /// Whether `title` ends in an ellipsis and another candidate starts with what precedes it.
    private static func isShortened(_ title: String, of all: [String]) -> Bool {
        var stem = title
        if stem.hasSuffix("…") { stem.removeLast() } else if stem.hasSuffix("...") { stem.removeLast(3) } else { return false }
        stem = stem.trimmedWhitespace
        guard stem.count >= 8 else { return false }
        return all.contains { $0 != title && $0.hasPrefix(stem) && $0.count > stem.count + 1 }
    }

    // MARK: URL

    /// The canonical URL, absolute: an absolute `<link rel=canonical>`; `og:url`; a relative
    /// canonical link resolved against the page's URL; JSON-LD `url`/`mainEntityOfPage`.
    private static func readURL(_ page: ArticlePage, into fields: inout FieldCandidates) {
        for href in ArticlePage.canonicalLinks(page.document) {
            if URLKey.normalize(href) != nil {
                fields.add("url", href, meta, rank: 0)
            } else if let absolute = page.absolute(href) {
                fields.add("url", absolute, meta, rank: 2)
            }
        }
        for (key, content) in page.meta where key == "og:url" || key == "twitter:url" || key == "dc.identifier" && content.hasPrefix("http") {
            if URLKey.normalize(content.trimmedWhitespace) != nil { fields.add("url", content.trimmedWhitespace, meta, rank: key == "og:url" ? 1 : 4) }
        }
    }
}
