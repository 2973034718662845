/// An HTML page as a tree of elements and text, built from `HTMLScanner`'s tokens by a small
/// form of the HTML5 tree-construction rules: void elements have no content, a block start tag
/// closes an open `p`, `li` closes the open `li` of its list (`dd`/`dt`, `td`/`th`/`tr`,
/// `option` alike), an end tag closes up to its open element or is ignored when there is none,
/// and a second `html`, `head` or `body` adds nothing. The extractors read metadata, bylines,
/// dates and the main text from it.
///
/// Linear time and bounded size: at most `maxDepth` elements are open at once (deeper start
/// tags add their element where the tree stops growing), so every search of the open elements
/// is bounded and no walk of the tree recurses deeper than that; and the tree holds at most
/// `maxElements` elements (past them start tags add nothing, their text still counts), so a
/// hostile page of a million tags costs the extractors no more than a big real page. The
/// largest page of the shared corpora has under 10,000 elements.
struct HTMLDocument {
    struct Element {
        /// Lowercased tag name; `#document` for the root.
        let name: String
        let attributes: [HTMLScanner.Attribute]
        /// The parent's index (the root's is -1).
        let parent: Int
        /// How many elements are above this one (the root is 0).
        let depth: Int
        var children: [Node] = []
        /// Whether this element is inside `svg` or `math`.
        let foreign: Bool

        subscript(_ name: String) -> String? {
            for a in attributes where a.name == name { return a.value }
            return nil
        }
    }

    enum Node {
        case element(Int)
        case text(Int)
    }

    /// The most elements open at once.
    static let maxDepth = 256
    /// The most elements in the tree.
    static let maxElements = 25_000
    /// The longest document title kept (a longer one is no title).
    static let maxTitleBytes = 2048

    private(set) var elements: [Element] = [Element(name: "#document", attributes: [], parent: -1, depth: 0, foreign: false)]
    private(set) var texts: [String] = []
    /// The content of elements whose content is not markup (`script`, `style`, `title`,
    /// `textarea`...), by element index.
    private(set) var rawContent: [Int: String] = [:]
    /// The document's title: the first `title` element outside `svg` and `math`.
    private(set) var title: String?
    /// The elements that carry page metadata, in document order.
    private(set) var metaElements: [Int] = []
    private(set) var linkElements: [Int] = []
    /// `script` elements of type `application/ld+json` (their text is in `rawContent`).
    private(set) var jsonLDElements: [Int] = []

    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                                            "source", "track", "wbr", "keygen", "frame", "basefont", "bgsound", "image"]
    /// Start tags that close an open `p` (in button scope).
    private static let closesParagraph: Set<String> = [
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p",
        "pre", "section", "summary", "table", "ul", "li", "dd", "dt", "listing", "xmp", "plaintext",
    ]
    private static let headings: Set<String> = ["h1", "h2", "h3", "h4", "h5", "h6"]
    /// Elements that bound the search for an open element to close implicitly.
    private static let scopeBoundaries: Set<String> = ["applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "#document"]
    private static let buttonScope = scopeBoundaries.union(["button"])
    private static let listScope = scopeBoundaries.union(["ul", "ol"])
    private static let definitionScope = scopeBoundaries.union(["dl"])
    private static let cellScope: Set<String> = ["table", "tr", "#document"]
    private static let rowScope: Set<String> = ["table", "tbody", "thead", "tfoot", "#document"]

    /// Parses `text` as HTML.
    init(_ text: String) {
        var text = text
        text.withUTF8 { bytes in build(bytes) }
    }

    private var stack: [Int] = [0]
    private var openCount: [String: Int] = [:]
    private var pendingText = ""
    private var seen: Set<String> = []

    private mutating func build(_ bytes: UnsafeBufferPointer<UInt8>) {
        var scanner = HTMLScanner(bytes)
        while let token = scanner.next() {
            switch token {
            case .text(let t):
                pendingText += t
            case .start(let tag):
                flushText()
                if elements.count >= Self.maxElements {
                    // Full: the rest of the page is text for the element that is open.
                    pendingText += scanner.remainingText()
                    break
                }
                // The scanner counts an `svg` or `math` it has just read as open already.
                let opensForeign = (tag.name == "svg" || tag.name == "math") && !tag.selfClosing
                start(tag, foreign: scanner.foreignDepth > (opensForeign ? 1 : 0))
            case .end(let name):
                flushText()
                end(name)
            case .raw(let tag, let content):
                flushText()
                guard elements.count < Self.maxElements else { continue }
                let index = append(tag, foreign: false)
                rawContent[index] = content
                if tag.name == "title", title == nil, content.utf8.count <= Self.maxTitleBytes { title = content }
                if tag.name == "script", Self.isJSONLD(type: tag["type"], content) { jsonLDElements.append(index) }
            }
        }
        flushText()
        stack = []
        openCount = [:]
        seen = []
    }

    /// Whether a script holds JSON-LD: its type says so, or it has no type (or a JavaScript one)
    /// and its content is a JSON object naming a schema.org `@context` (some sites omit the type).
    static func isJSONLD(type: String?, _ content: String) -> Bool {
        if let type = type?.lowercased(), ByteSearch.contains(type, "ld+json") { return true }
        if let type = type?.lowercased(), !type.isEmpty, !ByteSearch.contains(type, "javascript") { return false }
        guard let first = content.utf8.first(where: { $0 > 0x20 }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return false }
        return content.utf8.count < 1_000_000 && ByteSearch.contains(content, "\"@context\"") && ByteSearch.contains(content, "schema.org")
    }

    private mutating func flushText() {
        guard !pendingText.isEmpty else { return }
        let parent = stack[stack.count - 1]
        texts.append(pendingText)
        elements[parent].children.append(.text(texts.count - 1))
        pendingText = ""
    }

    @discardableResult
    private mutating func append(_ tag: HTMLScanner.Tag, foreign: Bool) -> Int {
        let parent = stack[stack.count - 1]
        elements.append(Element(name: tag.name, attributes: tag.attributes, parent: parent, depth: elements[parent].depth + 1, foreign: foreign))
        let index = elements.count - 1
        elements[parent].children.append(.element(index))
        return index
    }

    private mutating func start(_ tag: HTMLScanner.Tag, foreign: Bool) {
        let name = tag.name
        guard elements.count < Self.maxElements else { return }
        if name == "html" || name == "head" || name == "body" {
            // One of each; a repeated one adds nothing (a browser merges its attributes).
            guard seen.insert(name).inserted else { return }
        }
        if !foreign {
            if openCount["p", default: 0] > 0 && Self.closesParagraph.contains(name) { closeInScope("p", boundaries: Self.buttonScope) }
            switch name {
            case "li": closeInScope("li", boundaries: Self.listScope)
            case "dd", "dt": closeInScope("dd", boundaries: Self.definitionScope); closeInScope("dt", boundaries: Self.definitionScope)
            case "td", "th": closeInScope("td", boundaries: Self.cellScope); closeInScope("th", boundaries: Self.cellScope)
            case "tr": closeInScope("tr", boundaries: Self.rowScope)
            case "option": if elements[stack[stack.count - 1]].name == "option" { pop() }
            case "a": if openCount["a", default: 0] > 0 { closeInScope("a", boundaries: Self.scopeBoundaries) }
            default:
                if Self.headings.contains(name), Self.headings.contains(elements[stack[stack.count - 1]].name) { pop() }
            }
        }
        let index = append(tag, foreign: foreign)
        let empty = foreign || name == "svg" || name == "math" ? tag.selfClosing : Self.voidElements.contains(name)
        if name == "meta" { metaElements.append(index) }
        if name == "link" { linkElements.append(index) }
        guard !empty, stack.count < Self.maxDepth else { return }
        stack.append(index)
        openCount[name, default: 0] += 1
    }

    private mutating func end(_ name: String) {
        guard name != "body" && name != "html" else { return }  // what follows is still the body
        guard openCount[name, default: 0] > 0 else { return }
        // Close up to the nearest open element of that name (the stack is at most maxDepth).
        while stack.count > 1 {
            let top = elements[stack[stack.count - 1]].name
            pop()
            if top == name { break }
        }
    }

    /// Closes the nearest open `name` unless a boundary element is open above it.
    private mutating func closeInScope(_ name: String, boundaries: Set<String>) {
        guard openCount[name, default: 0] > 0 else { return }
        var k = stack.count - 1
        while k > 0 {
            let n = elements[stack[k]].name
            if n == name {
                while stack.count > k { pop() }
                return
            }
            if boundaries.contains(n) { return }
            k -= 1
        }
    }

    private mutating func pop() {
        let index = stack.removeLast()
        openCount[elements[index].name, default: 1] -= 1
    }

    // MARK: Reading the tree

    /// The first element named `name`, in document order.
    func first(_ name: String) -> Int? {
        elements.indices.first { elements[$0].name == name }
    }

    /// The text of an element's content, as it reads: every text below it, in order (a `br` as
    /// a line break). With `limit`, it stops once it has that many bytes or has visited that many
    /// nodes, so a caller looking for a short line pays for no more than that.
    func text(of element: Int, limit: Int = .max) -> String {
        var out = ""
        var visits = 0
        appendText(of: element, to: &out, limit: limit, visits: &visits)
        return out
    }

    private func appendText(of element: Int, to out: inout String, limit: Int, visits: inout Int) {
        for child in elements[element].children {
            visits += 1
            if out.utf8.count >= limit || visits > limit { return }
            switch child {
            case .text(let t):
                let text = texts[t]
                if limit == .max || out.utf8.count + text.utf8.count <= limit {
                    out += text
                } else {
                    // Cut a long text at the limit (a scalar may take up to four bytes).
                    out.unicodeScalars.append(contentsOf: text.unicodeScalars.prefix(max(0, limit - out.utf8.count)))
                }
            case .element(let e):
                if elements[e].name == "br" { out += "\n" } else { appendText(of: e, to: &out, limit: limit, visits: &visits) }
            }
        }
    }

    /// Whether `element` is `ancestor` or inside it.
    func isInside(_ element: Int, _ ancestor: Int) -> Bool {
        var e = element
        while e >= 0 {
            if e == ancestor { return true }
            e = elements[e].parent
        }
        return false
    }
}
