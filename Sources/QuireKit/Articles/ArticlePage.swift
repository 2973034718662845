/// One HTML page as the extractors read it: its tree, its JSON-LD, its `<meta>` values by key,
/// its language and the absolute URL relative links are resolved against.
struct ArticlePage {
    let document: HTMLDocument
    let jsonLD: JSONLD
    /// `<meta>` values in document order: key (`property`, `name`, `itemprop` or `http-equiv`,
    /// lowercased) and `content` (decoded).
    let meta: [(key: String, content: String)]
    /// What the page says its language is (`<html lang>`, else a meta tag), if anything.
    let language: String?
    /// The page's own absolute URL, when it says (`og:url`, an absolute canonical link, `<base
    /// href>`) or the caller knows it (a WARC record's target URI): relative links resolve against it.
    let baseURL: String?
    /// Whether `3/4/2024` means March 4 (an American page: language `en-US`).
    let monthFirst: Bool
    /// Per element: its `class` and `id` lowercased, joined by a space ("" when it has neither).
    let hints: [String]
    /// Per element: what the words of its class and id say (`HintWords`).
    let categories: [HintWords.Category]
    /// Per element: whether it is inside the page's chrome rather than its article: navigation,
    /// an aside, a footer, or an element whose class or id says related, sidebar, teaser,
    /// comment, recommended, widget or footer.
    let inChrome: [Bool]
    /// The elements that hold the page's first `h1`s or a marked article body (`itemprop=articleBody`).
    /// (For chrome, an element whose class says it is the article body counts too.)
    let holdsArticle: Set<Int>
    /// Per element: the visible characters (UTF-8 bytes that are not white space) below it.
    let textLength: [Int]

    init(_ html: String, url: String? = nil) {
        let document = HTMLDocument(html)
        self.document = document
        jsonLD = JSONLD(document.jsonLDElements.compactMap { document.rawContent[$0] })
        var meta: [(key: String, content: String)] = []
        for e in document.metaElements {
            let element = document.elements[e]
            guard let content = element["content"] ?? element["value"] else { continue }
            for attribute in ["property", "name", "itemprop", "http-equiv"] {
                if let key = element[attribute], !key.isEmpty { meta.append((key.trimmedWhitespace.lowercased(), content)); break }
            }
        }
        // RDFa on other elements says the same as a meta tag: <span property="dc:date" content="...">.
        var rdfa = 0
        for (e, element) in document.elements.enumerated() where element.name != "meta" {
            guard let property = element["property"], let content = element["content"], rdfa < 200 else { continue }
            _ = e
            rdfa += 1
            for key in property.split(separator: " ") { meta.append((key.lowercased(), content)) }
        }
        self.meta = meta
        let htmlLang = document.first("html").flatMap { document.elements[$0]["lang"] ?? document.elements[$0]["xml:lang"] }
        let metaLang = meta.first { ["content-language", "language", "dc.language", "og:locale"].contains($0.key) }?.content
        let language = [htmlLang, metaLang].compactMap { $0?.trimmedWhitespace }.first { !$0.isEmpty }
        self.language = language
        monthFirst = language?.lowercased().replacingOccurrences(of: "_", with: "-") == "en-us"
        // The page's own URL: the caller's, og:url, an absolute canonical link, <base href>.
        var base = url.flatMap { URLKey.normalize($0) != nil ? $0 : nil }
        if base == nil, let og = meta.first(where: { $0.key == "og:url" })?.content, URLKey.normalize(og) != nil { base = og.trimmedWhitespace }
        if base == nil, let canonical = Self.canonicalLinks(document).first(where: { URLKey.normalize($0) != nil }) { base = canonical }
        if base == nil, let b = document.first("base").flatMap({ document.elements[$0]["href"] }), URLKey.normalize(b) != nil { base = b }
        baseURL = base
        // What each element's class and id say.
        var hints: [String] = []
        var categories: [HintWords.Category] = []
        categories.reserveCapacity(document.elements.count)
        hints.reserveCapacity(document.elements.count)
        for element in document.elements {
            let c = element["class"], i = element["id"]
            let hint = c == nil && i == nil ? "" : ((c ?? "") + " " + (i ?? "")).lowercased()
            hints.append(hint)
            categories.append(HintWords.categories(of: hint))
        }
        // The elements that hold the headline or a marked article body are never chrome, whatever
        // their class says ("page-with-sidebar", "comments-open", "widget Blog" on a wrapper or on <body>).
        var holdsArticle = Set<Int>(), holdsBody = Set<Int>()
        var marked = 0
        for (e, element) in document.elements.enumerated()
        where element.name == "h1" || element["itemprop"]?.lowercased() == "articlebody" || categories[e].contains(.body) {
            marked += 1
            if marked > 8 { break }
            let strong = element.name == "h1" || element["itemprop"]?.lowercased() == "articlebody"
            var k = e
            while k >= 0 && holdsBody.insert(k).inserted {
                if strong { holdsArticle.insert(k) }
                k = document.elements[k].parent
            }
            if strong { var k = e; while k >= 0 && holdsArticle.insert(k).inserted { k = document.elements[k].parent } }
        }
        self.holdsArticle = holdsArticle
        // Bottom up (children come after their parents): text lengths.
        var textLength = [Int](repeating: 0, count: document.elements.count)
        for e in stride(from: document.elements.count - 1, through: 0, by: -1) {
            var n = 0
            for child in document.elements[e].children {
                switch child {
                case .text(let t): for b in document.texts[t].utf8 where b > 0x20 { n += 1 }
                case .element(let k): n += textLength[k]
                }
            }
            textLength[e] = n
        }
        self.textLength = textLength
        // Top down (a parent comes before its children): chrome. An article's own footer (its
        // byline and date line) is part of the article.
        var inChrome: [Bool] = []
        var inArticle: [Bool] = []
        inChrome.reserveCapacity(document.elements.count)
        inArticle.reserveCapacity(document.elements.count)
        for (e, element) in document.elements.enumerated() {
            let parent = element.parent
            let category = categories[e]
            let article = (parent >= 0 && inArticle[parent]) || element.name == "article" || category.contains(.entry)
                || (element["itemtype"].map { $0.hasSuffix("Article") || $0.hasSuffix("BlogPosting") } ?? false)
            inArticle.append(article)
            let parentChrome = parent >= 0 && inChrome[parent]
            let protected = holdsArticle.contains(e) || holdsBody.contains(e) || (Self.holdsMostText(e, textLength) && !category.contains(.plainlyNotContent))
                || (article && (element.name == "footer" || element.name == "header") && !category.contains(.plainlyNotContent))
            inChrome.append(parentChrome || (!protected && Self.isChrome(element.name, category)))
        }
        self.hints = hints
        self.categories = categories
        self.inChrome = inChrome
    }

    /// Whether an element holds at least 40% of the page's text: a wrapper around the article,
    /// whatever its class says ("layoutTwoColumnsRightSidebar"), not a sidebar or a teaser.
    func holdsMostText(_ e: Int) -> Bool { Self.holdsMostText(e, textLength) }

    private static func holdsMostText(_ e: Int, _ textLength: [Int]) -> Bool {
        textLength[e] * 5 >= textLength[0] * 2 && textLength[e] > 0
    }

    private static func isChrome(_ name: String, _ category: HintWords.Category) -> Bool {
        if name == "nav" || name == "aside" || name == "footer" { return true }
        if name == "body" || name == "html" || name == "main" || name == "article" { return false }
        return category.contains(.chrome)
    }

    /// The `href`s of `<link rel=canonical>` elements, in document order.
    static func canonicalLinks(_ document: HTMLDocument) -> [String] {
        document.linkElements.compactMap { e -> String? in
            let element = document.elements[e]
            guard element["rel"]?.lowercased().split(separator: " ").contains("canonical") == true, let href = element["href"]?.trimmedWhitespace,
                  !href.isEmpty else { return nil }
            return href
        }
    }

    /// Every meta value with one of `keys`, in document order.
    func metaValues(_ keys: Set<String>) -> [(key: String, content: String)] {
        meta.filter { keys.contains($0.key) && !$0.content.trimmedWhitespace.isEmpty }
    }

    /// `reference` made absolute against the page's URL; nil when it cannot be.
    func absolute(_ reference: String) -> String? {
        let r = reference.trimmedWhitespace
        if URLKey.normalize(r) != nil { return r }
        guard let baseURL else { return nil }
        return URLKey.resolve(r, against: baseURL)
    }

    /// Text from a page's metadata made plain: character references decoded once more when the
    /// page escaped them twice (`&amp;#8217;`), white space folded.
    static func plain(_ s: String) -> String {
        var s = s
        if s.utf8.contains(UInt8(ascii: "&")) {
            let decoded = HTMLEntities.decode(s)
            if decoded != s { s = decoded }
        }
        return s.foldedWhitespace
    }
}
