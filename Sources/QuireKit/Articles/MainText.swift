/// The article's main text: its paragraphs, with navigation, related links, footers, comments,
/// share bars and cookie banners left out.
///
/// The algorithm, after Readability (Arc90, Mozilla) with trafilatura's pruning:
/// 1. Leave out what is never the article: scripts, styles, forms' controls, `nav`, `aside`,
///    `footer`, hidden elements, and elements whose class or id says comment, share, related,
///    sidebar, newsletter, promo, advert, cookie...; unless they also say article, body, content.
/// 2. Score every paragraph (`p`, `pre`, `td`, `blockquote`, and a `div` holding only text and
///    inline elements) of at least 25 characters: 1, plus its commas, plus a point per 100
///    characters (at most 3). Add the score to its parent, half to its grandparent, and a third
///    of a level's worth further up (five levels in all). An element's own weight (+25 for a
///    class or id saying article, body, content, entry, main, post, story, text; -25 for one
///    saying comment, footer, meta, related, share, sidebar, sponsor...) starts its score.
/// 3. The candidate with the best score times (1 - its link density) is the article, unless an
///    element the page marks as the article body (`itemprop=articleBody`, `<article>`...) holds
///    most of the best candidate's text; siblings scoring at least a fifth of the best, and
///    sibling paragraphs that read as prose, join it.
/// 4. Its text is written paragraph by paragraph, leaving out blocks that are mostly links,
///    lists of links, image galleries, headings that are the page title, and short lines that
///    are boilerplate ("Advertisement", "Share this article", "Read more").
///
/// Linear time: every element is visited a bounded number of times (the aggregates are one pass
/// from the leaves up, scores go at most five levels up, and the text is written in one walk).
enum MainText {
    /// The article's text, paragraphs separated by a blank line, and the element it came from.
    static func extract(_ page: ArticlePage) -> (text: String, container: Int?) {
        let strict = extract(page, strict: true)
        // Too little text: a class word on a wrapper ("widget", "sidebar") left the article out.
        // Try again leaving out only what the markup itself says is not content, as
        // Readability retries with its flags off, and keep the longer.
        guard strict.text.utf8.count < 1000 else { return strict }
        let relaxed = extract(page, strict: false)
        return relaxed.text.utf8.count > strict.text.utf8.count * 2 ? relaxed : strict
    }

    private static func extract(_ page: ArticlePage, strict: Bool) -> (text: String, container: Int?) {
        var analysis = Analysis(page, strict: strict)
        guard let container = analysis.bestContainer() else { return (analysis.render([0]), nil) }
        let parts = analysis.withSiblings(container)
        var text = analysis.render(parts)
        // A page whose article is mostly not in paragraphs (a list, a table, one long block of
        // text with line breaks): the whole page's readable text does better than a fragment.
        if text.utf8.count < 250 {
            let whole = analysis.render([0])
            if whole.utf8.count > text.utf8.count * 3 && text.utf8.count < 100 { text = whole }
        }
        return (text, container)
    }
}

/// The per-element figures the main-text algorithm works from.
private struct Analysis {
    let page: ArticlePage
    var doc: HTMLDocument { page.document }
    /// Left out, with all it holds.
    var removed: [Bool]
    /// Visible characters (UTF-8 bytes that are not white space) below each element.
    var textLength: [Int]
    /// Of those, inside links.
    var linkLength: [Int]
    var commas: [Int]
    /// Counts of descendants by kind.
    var paragraphs: [Int], images: [Int], listItems: [Int], inputs: [Int], embeds: [Int], headingLength: [Int]
    /// The class-and-id weight of each element.
    var weight: [Int]
    /// Readability scores, for elements that received any.
    var score: [Int: Double] = [:]
    /// The best-scored element and every element above it: never clutter, whatever their class
    /// says, once the container has grown to hold them.
    var bestPath = Set<Int>()

    static let skipped: Set<String> = ["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
                                       "video", "audio", "button", "input", "select", "textarea", "option", "nav", "aside", "footer",
                                       "menu", "dialog", "head", "title", "meta", "link", "map", "area", "label", "datalist", "source", "picture"]
    static let blocks: Set<String> = ["address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
                                      "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
                                      "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul", "caption", "summary", "center",
                                      "tbody", "thead", "tfoot", "body", "html"]
    static let headings: Set<String> = ["h1", "h2", "h3", "h4", "h5", "h6"]

    // The class and id words the algorithm reads are in `HintWords`.

    /// `strict`: also leave out elements whose class or id says they are not the article.
    init(_ page: ArticlePage, strict: Bool) {
        self.page = page
        let doc = page.document
        let n = doc.elements.count
        removed = [Bool](repeating: false, count: n)
        textLength = [Int](repeating: 0, count: n)
        linkLength = [Int](repeating: 0, count: n)
        commas = [Int](repeating: 0, count: n)
        paragraphs = [Int](repeating: 0, count: n)
        images = [Int](repeating: 0, count: n)
        listItems = [Int](repeating: 0, count: n)
        inputs = [Int](repeating: 0, count: n)
        embeds = [Int](repeating: 0, count: n)
        headingLength = [Int](repeating: 0, count: n)
        weight = [Int](repeating: 0, count: n)
        // Top down: what is left out (a parent comes before its children).
        for e in 0..<n {
            let element = doc.elements[e]
            let category = page.categories[e]
            weight[e] = Self.weight(category)
            if element.parent >= 0 && removed[element.parent] { removed[e] = true; continue }
            removed[e] = !page.holdsArticle.contains(e) && Self.leftOut(element, strict ? category : [], holdsMostText: page.holdsMostText(e))
        }
        // Text figures per text node.
        var textStats: [(length: Int, commas: Int)] = []
        textStats.reserveCapacity(doc.texts.count)
        for t in doc.texts {
            var length = 0, c = 0
            for b in t.utf8 {
                if b > 0x20 { length += 1 }
                if b == UInt8(ascii: ",") { c += 1 }
            }
            // "，" and "、" (U+FF0C, U+3001) count as commas too.
            if length > 0, t.utf8.contains(0xEF) || t.utf8.contains(0xE3) { c += t.unicodeScalars.filter { $0 == "\u{FF0C}" || $0 == "\u{3001}" }.count }
            textStats.append((length, c))
        }
        // Bottom up: children have higher indices than their parents.
        for e in stride(from: n - 1, through: 0, by: -1) {
            guard !removed[e] else { continue }
            let element = doc.elements[e]
            var length = 0, links = 0, c = 0, p = 0, img = 0, li = 0, input = 0, embed = 0, heading = 0
            for child in element.children {
                switch child {
                case .text(let t):
                    length += textStats[t].length
                    c += textStats[t].commas
                case .element(let k):
                    let name = doc.elements[k].name
                    if name == "img" { img += 1 }
                    if name == "input" || name == "select" || name == "textarea" || name == "button" { input += 1 }
                    if name == "iframe" || name == "embed" || name == "object" || name == "video" { embed += 1 }
                    guard !removed[k] else { continue }
                    length += textLength[k]; links += linkLength[k]; c += commas[k]
                    // A `div` of text counts as a paragraph too (pages that write no <p>).
                    p += paragraphs[k] + (name == "p" || (textLength[k] >= 25 && name != "li" && isParagraph(k)) ? 1 : 0)
                    img += images[k]; li += listItems[k] + (name == "li" ? 1 : 0); input += inputs[k]; embed += embeds[k]
                    heading += headingLength[k] + (Self.headings.contains(name) ? textLength[k] : 0)
                }
            }
            textLength[e] = length
            linkLength[e] = element.name == "a" ? length : links
            commas[e] = c
            paragraphs[e] = p; images[e] = img; listItems[e] = li; inputs[e] = input; embeds[e] = embed; headingLength[e] = heading
        }
    }

    static func leftOut(_ element: HTMLDocument.Element, _ category: HintWords.Category, holdsMostText: Bool) -> Bool {
        if skipped.contains(element.name) { return true }
        if element["hidden"] != nil || element["aria-hidden"]?.lowercased() == "true" { return true }
        if let style = element["style"]?.lowercased(), ByteSearch.contains(style, "display:none") || ByteSearch.contains(style, "display: none") || ByteSearch.contains(style, "visibility:hidden") {
            return true
        }
        if let role = element["role"]?.lowercased(), role == "navigation" || role == "complementary" || role == "contentinfo" || role == "banner" || role == "dialog" || role == "alert" {
            return true
        }
        guard category.contains(.unlikely), element.name != "body", element.name != "html", element.name != "article", element.name != "main" else { return false }
        // A wrapper holding most of the page's text is not a teaser or a sidebar, whatever its class.
        if holdsMostText && !category.contains(.plainlyNotContent) { return false }
        // "article-header", "content-footer": kept when the class or id also says it is content,
        // except for what is plainly a comment section or a share bar.
        return !category.contains(.maybe) || category.contains(.plainlyNotContent)
    }

    static func weight(_ category: HintWords.Category) -> Int {
        (category.contains(.negative) ? -25 : 0) + (category.contains(.positive) ? 25 : 0)
    }

    // MARK: Choosing the container

    /// Whether an element is a paragraph for scoring: `p`, `pre`, `td`, `blockquote`, or a
    /// `div`/`section` with text and no block children.
    private func isParagraph(_ e: Int) -> Bool {
        let element = doc.elements[e]
        switch element.name {
        case "p", "pre", "td", "blockquote": return true
        case "div", "section", "span", "font":
            // Only inline content (text, links, spans...): a paragraph written without <p>.
            for child in element.children {
                if case .element(let k) = child, Self.blocks.contains(doc.elements[k].name) && !removed[k] { return false }
            }
            return textLength[e] > 0
        default: return false
        }
    }

    private func initialScore(_ e: Int) -> Double {
        var s: Double
        switch doc.elements[e].name {
        case "div", "article", "main": s = 5
        case "pre", "td", "blockquote", "section": s = 3
        case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": s = -3
        case "h1", "h2", "h3", "h4", "h5", "h6", "th": s = -5
        default: s = 0
        }
        return s + Double(weight[e])
    }

    func linkDensity(_ e: Int) -> Double { textLength[e] == 0 ? 0 : Double(linkLength[e]) / Double(textLength[e]) }

    /// The element holding the article, or nil when the page has no paragraph worth scoring.
    mutating func bestContainer() -> Int? {
        for e in doc.elements.indices where !removed[e] && textLength[e] >= 25 && isParagraph(e) {
            let contentScore = 1 + Double(commas[e]) + Double(min(textLength[e] / 100, 3))
            var ancestor = doc.elements[e].parent
            var level = 0
            while ancestor > 0 && level < 5 {
                let name = doc.elements[ancestor].name
                if name == "html" || name == "body" { break }
                if score[ancestor] == nil { score[ancestor] = initialScore(ancestor) }
                let divider: Double = level == 0 ? 1 : level == 1 ? 2 : Double(level * 3)
                score[ancestor]! += contentScore / divider
                ancestor = doc.elements[ancestor].parent
                level += 1
            }
        }
        var best: Int? = nil
        var bestScore = -Double.infinity
        for (e, s) in score {
            let final = s * (1 - linkDensity(e))
            if final > bestScore || (final == bestScore && e < (best ?? Int.max)) { best = e; bestScore = final }
        }
        guard var top = best else { return nil }
        var k = top
        while k >= 0 && bestPath.insert(k).inserted { k = doc.elements[k].parent }
        for e in score.keys { score[e] = score[e]! * (1 - linkDensity(e)) }
        // An element the page marks as its article body, holding most of the best candidate's text
        // (or inside it, holding most of it), is the article.
        if let marked = markedBody(near: top) { top = marked }
        // A candidate whose parent holds little more than it: the parent (so a lead paragraph
        // or a subheading beside the paragraphs' box is kept).
        var parent = doc.elements[top].parent
        while parent > 0, doc.elements[parent].name != "body", textLength[parent] > 0,
              Double(textLength[top]) >= 0.85 * Double(textLength[parent]), linkDensity(parent) < 0.3 {
            top = parent
            parent = doc.elements[top].parent
        }
        return top
    }

    /// A marked article body related to `top`: inside it with most of its text, or around it
    /// without much more text.
    private func markedBody(near top: Int) -> Int? {
        var found: Int? = nil
        var looked = 0
        for e in doc.elements.indices where !removed[e] && textLength[e] > 0 {
            let element = doc.elements[e]
            let itemprop = element["itemprop"]?.lowercased() ?? ""
            let marked = itemprop == "articlebody" || itemprop == "text" || page.categories[e].contains(.body)
            guard marked else { continue }
            // A page marks a handful; looking at the first few keeps a hostile page linear.
            looked += 1
            if looked > 20 { break }
            if doc.isInside(e, top) {
                if Double(textLength[e]) >= 0.6 * Double(textLength[top]) { found = found ?? e }
            } else if doc.isInside(top, e) {
                if Double(textLength[e]) <= 1.5 * Double(textLength[top]) + 400 { found = found ?? e }
            }
        }
        return found
    }

    /// The container and the siblings that belong with it, in document order.
    func withSiblings(_ top: Int) -> [Int] {
        let parent = doc.elements[top].parent
        guard parent >= 0 else { return [top] }
        let topScore = score[top] ?? 0
        let threshold = max(10, topScore * 0.2)
        let topClass = doc.elements[top]["class"]
        var out: [Int] = []
        for child in doc.elements[parent].children {
            guard case .element(let s) = child, !removed[s] else { continue }
            if s == top { out.append(s); continue }
            var sScore = score[s] ?? 0
            if let topClass, !topClass.isEmpty, doc.elements[s]["class"] == topClass { sScore += topScore * 0.2 }
            if score[s] != nil && sScore >= threshold { out.append(s); continue }
            if doc.elements[s].name == "p" {
                let length = textLength[s]
                let density = linkDensity(s)
                let text = doc.text(of: s, limit: 400)
                if length > 80 && density < 0.25 { out.append(s) } else if length > 0 && length <= 80 && density == 0 && (ByteSearch.contains(text, ". ") || text.trimmedWhitespace.hasSuffix(".")) {
                    out.append(s)
                }
            }
        }
        return out
    }

    // MARK: Writing the text

    /// Whether a block inside the article is clutter: readability's conditional cleaning.
    private func isClutter(_ e: Int) -> Bool {
        let element = doc.elements[e]
        let name = element.name
        guard ["div", "section", "table", "ul", "ol", "form", "fieldset", "header", "figure", "dl", "center"].contains(name) else {
            if name == "p" || Self.headings.contains(name) || name == "li" {
                // A paragraph or heading that is all links, or a class that says it is not text.
                if weight[e] < 0 && textLength[e] < 200 { return true }
                if textLength[e] > 0 && linkDensity(e) > 0.7 && textLength[e] < 200 { return true }
            }
            return false
        }
        let w = weight[e]
        let s = score[e] ?? 0
        if w + Int(s) < 0 && w < 0 { return true }
        guard commas[e] < 10 else { return false }
        let p = paragraphs[e], img = images[e], li = listItems[e] - 100, input = inputs[e]
        let isList = name == "ul" || name == "ol" || name == "dl"
        let length = textLength[e]
        let density = linkDensity(e)
        let headingDensity = length == 0 ? 0 : Double(headingLength[e]) / Double(length)
        if img > 1 && Double(p) / Double(img) < 0.5 && name != "figure" { return true }
        if !isList && li > p { return true }
        if input > p / 3 && input > 0 { return true }
        if !isList && headingDensity < 0.9 && length < 25 && (img == 0 || img > 2) && name != "figure" { return true }
        if !isList && w < 25 && density > 0.2 && length < 1000 { return true }
        if w >= 25 && density > 0.5 { return true }
        if (embeds[e] == 1 && length < 75) || embeds[e] > 1 && length < 200 { return true }
        if isList && density > 0.5 { return true }
        return false
    }

    /// The text of the given elements, paragraph by paragraph.
    func render(_ roots: [Int]) -> String {
        var writer = TextWriter()
        let title = page.document.title.map { ArticlePage.plain($0).lowercased() } ?? ""
        for root in roots { write(root, &writer, depth: 0, title: title, isRoot: true) }
        return writer.finish()
    }

    private func write(_ e: Int, _ w: inout TextWriter, depth: Int, title: String, isRoot: Bool = false) {
        guard !removed[e] else { return }
        let element = doc.elements[e]
        let name = element.name
        if !isRoot && !bestPath.contains(e) && isClutter(e) { return }
        if name == "h1" { return }  // the headline is the title, not the text
        if name == "br" { w.lineBreak(); return }
        let block = Self.blocks.contains(name) || name == "td" || name == "th"
        if block { w.paragraphBreak() }
        for child in element.children {
            switch child {
            case .text(let t): w.append(doc.texts[t])
            case .element(let k):
                if doc.elements[k].name == "td" || doc.elements[k].name == "th" { w.append(" ") }
                write(k, &w, depth: depth + 1, title: title)
            }
        }
        if block { w.paragraphBreak() }
    }
}

/// Builds the text: white space folded within a paragraph, paragraphs separated by a blank line,
/// boilerplate lines dropped.
private struct TextWriter {
    private var paragraphs: [String] = []
    private var current: [UInt8] = []
    private var pendingSpace = false

    mutating func append(_ s: String) {
        for b in s.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C {
                pendingSpace = !current.isEmpty
            } else {
                if pendingSpace { current.append(0x20); pendingSpace = false }
                current.append(b)
            }
        }
        // A no-break space folds like a space.
    }

    mutating func lineBreak() {
        guard !current.isEmpty else { return }
        current.append(0x0A)
        pendingSpace = false
    }

    mutating func paragraphBreak() {
        while current.last == 0x0A || current.last == 0x20 { current.removeLast() }
        if !current.isEmpty {
            let paragraph = String(decoding: current, as: UTF8.self).replacingNoBreakSpaces()
            if !Self.isBoilerplate(paragraph) { paragraphs.append(paragraph) }
        }
        current.removeAll(keepingCapacity: true)
        pendingSpace = false
    }

    mutating func finish() -> String {
        paragraphBreak()
        return paragraphs.joined(separator: "\n\n")
    }

    /// Short lines every site prints around its articles.
    static func isBoilerplate(_ paragraph: String) -> Bool {
        guard paragraph.utf8.count <= 60 else { return false }
        let lower = paragraph.lowercased()
        if MainText.boilerplateLines.contains(lower) { return true }
        guard let first = lower.unicodeScalars.first, let last = lower.unicodeScalars.last,
              !first.properties.isAlphabetic || !last.properties.isAlphabetic else { return false }
        return MainText.boilerplateLines.contains(lower.trimmingPunctuation)
    }
}

extension MainText {
    /// Short lines every site prints around its articles (lowercased, without punctuation at
    /// the ends): left out of the main text, and never a change of the article (`TextDiff.isTrivial`).
    static let boilerplateLines: Set<String> = [
        "advertisement", "anzeige", "werbung", "publicité", "publicidad", "pubblicità", "reklame", "sponsored", "ad", "ads",
        "share", "share this", "share this article", "share this story", "share on facebook", "share on twitter", "tweet", "email", "print",
        "teilen", "drucken", "artikel teilen", "partager", "compartir", "condividi", "read more", "read more:", "weiterlesen", "mehr lesen",
        "lire la suite", "leer más", "continue reading", "related", "related articles", "related stories", "see also", "more", "mehr",
        "comments", "kommentare", "skip to content", "skip to main content", "back to top", "nach oben", "top", "close", "schließen",
        "loading", "loading...", "subscribe", "sign up", "follow us", "newsletter", "click here", "image", "photo", "video", "bild", "foto",
        "listen", "listen to this article", "zum artikel", "zur startseite", "home", "startseite", "menü", "menu", "subscribe now",
        "subscribe for updates", "sign up for our newsletter", "accept", "accept all cookies", "cookie settings", "print this page",
    ]
}

private extension String {
    var trimmingPunctuation: String {
        var s = Substring(self)
        while let f = s.first, f.isPunctuation || f.isWhitespace || f.isSymbol { s = s.dropFirst() }
        while let l = s.last, l.isPunctuation || l.isWhitespace || l.isSymbol { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    /// No-break spaces as spaces, runs of spaces as one, none at either end (for text with a
    /// no-break space; other text is returned as it is). Works on the UTF-8 bytes: U+00A0 is
    /// C2 A0, and neither byte occurs inside another character's encoding but U+0080-U+00BF's.
    /// (A space followed by a combining mark now counts as a space; the String version took the
    /// pair for one other Character.)
    func replacingNoBreakSpaces() -> String {
        guard utf8.contains(0xC2) else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var space = false
        var i = 0
        while i < bytes.count {
            var b = bytes[i]
            if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0xA0 { b = 0x20; i += 1 }
            i += 1
            if b == 0x20 {
                space = !out.isEmpty
                continue
            }
            if space { out.append(0x20); space = false }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
