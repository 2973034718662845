/// A forgiving HTML tokenizer, after the WHATWG tokenizer's states: start tags with their
/// attributes (names lowercased, values decoded), end tags, text (character references decoded),
/// and the raw content of the elements whose content is not markup (`script`, `style`, `title`,
/// `textarea`...). It never fails: what is not markup is text, as in a browser.
///
/// Linear time whatever the input: every byte is looked at a bounded number of times (a search
/// for the end of a comment or of a `script` runs once, to the end at worst, and then the scanner
/// is past it), and runs of `<` that start nothing are one text token, not one token each.
struct HTMLScanner {
    struct Attribute {
        let name: String
        let value: String
    }

    /// One start tag: lowercased name and attributes, and whether it ended in `/>`.
    struct Tag {
        let name: String
        let attributes: [Attribute]
        let selfClosing: Bool

        /// The value of attribute `name` (lowercase), if the tag has it.
        subscript(_ name: String) -> String? {
            for a in attributes where a.name == name { return a.value }
            return nil
        }
    }

    enum Token {
        case start(Tag)
        case end(String)
        case text(String)
        /// An element whose content is not markup, with that content: raw for `script`, `style`
        /// and the like, decoded for `title` and `textarea`.
        case raw(Tag, String)
    }

    /// Elements whose content is text up to their end tag. `title` and `textarea` have their
    /// character references decoded (RCDATA); the others not. Inside `svg` and `math` a `title`
    /// is markup like any other element.
    private static let rawTextElements: Set<String> = ["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea", "plaintext"]

    /// Raw-text elements whose `/>` is ignored, as browsers ignore it.
    private static let rawEvenSelfClosed: Set<String> = ["script", "style", "title", "textarea"]

    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    /// How many `svg`/`math` elements are open (their content follows XML's rules: `<x/>` is an
    /// empty element, `title` is markup).
    private(set) var foreignDepth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    mutating func next() -> Token? {
        while i < b.count {
            if b[i] != UInt8(ascii: "<") || !startsMarkup(at: i) { return .text(textRun()) }
            // At a '<' that starts markup.
            if b[i + 1] == UInt8(ascii: "!") {
                if starts("<!--", at: i) {
                    skipComment()
                } else {
                    // A declaration, CDATA section or bogus comment: up to the next '>'.
                    i = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? b.count
                }
                continue
            }
            if b[i + 1] == UInt8(ascii: "?") {
                i = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? b.count
                continue
            }
            if b[i + 1] == UInt8(ascii: "/") {
                if i + 2 < b.count && b[i + 2] == UInt8(ascii: ">") { i += 3; continue }  // "</>": nothing
                guard i + 2 < b.count, Self.isLetter(b[i + 2]) else {
                    // "</" and not a letter: a bogus comment up to '>'.
                    i = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? b.count
                    continue
                }
                var j = i + 2
                let name = tagName(from: &j)
                // Attributes on an end tag are read and dropped.
                i = j
                _ = attributes()
                if (name == "svg" || name == "math") && foreignDepth > 0 { foreignDepth -= 1 }
                return .end(name)
            }
            var j = i + 1
            let name = tagName(from: &j)
            i = j
            let (attributes, selfClosing) = self.attributes()
            let tag = Tag(name: name, attributes: attributes, selfClosing: selfClosing)
            if name == "svg" || name == "math" {
                if !selfClosing { foreignDepth += 1 }
                return .start(tag)
            }
            // `<iframe/>` and the like are taken as empty (a browser would read on to `</iframe>`,
            // which would swallow the article when the page has none).
            if foreignDepth == 0 && Self.rawTextElements.contains(name) && !(selfClosing && !Self.rawEvenSelfClosed.contains(name)) {
                if name == "plaintext" {
                    let content = String(decoding: UnsafeBufferPointer(rebasing: b[i...]), as: UTF8.self)
                    i = b.count
                    return .raw(tag, content)
                }
                let contentStart = i
                let contentEnd = endTag(name, from: i)
                let slice = b[contentStart..<contentEnd]
                let content: String
                if name == "title" || name == "textarea" {
                    var out: [UInt8] = []
                    HTMLEntities.decode(slice, inAttribute: false, into: &out)
                    content = String(decoding: out, as: UTF8.self)
                } else {
                    content = String(decoding: UnsafeBufferPointer(rebasing: slice), as: UTF8.self)
                }
                // Past the end tag's '>' (or at the end of the input).
                i = contentEnd < b.count ? (index(of: UInt8(ascii: ">"), from: contentEnd).map { $0 + 1 } ?? b.count) : b.count
                return .raw(tag, content)
            }
            return .start(tag)
        }
        return nil
    }

    /// Whether the `<` at `k` begins a tag, an end tag, a comment or a declaration.
    private func startsMarkup(at k: Int) -> Bool {
        guard k + 1 < b.count else { return false }
        let c = b[k + 1]
        return Self.isLetter(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: "!") || c == UInt8(ascii: "?")
    }

    /// Text from `i` to the next `<` that starts markup, decoded.
    private mutating func textRun() -> String {
        let start = i
        var hasReference = false
        i += 1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "<") && startsMarkup(at: i) { break }
            if c == UInt8(ascii: "&") { hasReference = true }
            i += 1
        }
        if b[start] == UInt8(ascii: "&") { hasReference = true }
        let slice = b[start..<i]
        guard hasReference else { return String(decoding: UnsafeBufferPointer(rebasing: slice), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        HTMLEntities.decode(slice, inAttribute: false, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A comment from `<!--` at `i`: to the next `-->` (or `--!>`), or to the end of the input.
    /// `<!-->` and `<!--->` are empty comments.
    private mutating func skipComment() {
        var k = i + 4
        if k < b.count && b[k] == UInt8(ascii: ">") { i = k + 1; return }
        if k + 1 < b.count && b[k] == UInt8(ascii: "-") && b[k + 1] == UInt8(ascii: ">") { i = k + 2; return }
        while k + 2 < b.count {
            if b[k] == UInt8(ascii: "-") && b[k + 1] == UInt8(ascii: "-") {
                if b[k + 2] == UInt8(ascii: ">") { i = k + 3; return }
                if k + 3 < b.count && b[k + 2] == UInt8(ascii: "!") && b[k + 3] == UInt8(ascii: ">") { i = k + 4; return }
            }
            k += 1
        }
        i = b.count
    }

    /// The lowercased tag name starting at `j` (which is left after it): up to white space, `/` or `>`.
    private func tagName(from j: inout Int) -> String {
        let start = j
        while j < b.count && !Self.isSpace(b[j]) && b[j] != UInt8(ascii: "/") && b[j] != UInt8(ascii: ">") { j += 1 }
        return Self.lowercased(UnsafeBufferPointer(rebasing: b[start..<j]))
    }

    /// A tag or attribute name, ASCII-lowercased (copied again only when it has capitals).
    private static func lowercased(_ name: UnsafeBufferPointer<UInt8>) -> String {
        guard name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(decoding: name, as: UTF8.self) }
        return String(decoding: name.map(lower), as: UTF8.self)
    }

    /// The attributes from `i` to the tag's `>` (which `i` is left after), and whether the tag
    /// ended in `/>`. A repeated attribute keeps its first value.
    private mutating func attributes() -> ([Attribute], Bool) {
        var out: [Attribute] = []
        var selfClosing = false
        while i < b.count {
            while i < b.count && Self.isSpace(b[i]) { i += 1 }
            guard i < b.count else { break }
            if b[i] == UInt8(ascii: ">") { i += 1; break }
            if b[i] == UInt8(ascii: "/") {
                i += 1
                if i < b.count && b[i] == UInt8(ascii: ">") { selfClosing = true; i += 1; break }
                continue
            }
            var j = i
            // A name: up to white space, '/', '>' or an '=' that is not its first character.
            while j < b.count && !Self.isSpace(b[j]) && b[j] != UInt8(ascii: "/") && b[j] != UInt8(ascii: ">") && (b[j] != UInt8(ascii: "=") || j == i) { j += 1 }
            let name = Self.lowercased(UnsafeBufferPointer(rebasing: b[i..<j]))
            i = j
            while i < b.count && Self.isSpace(b[i]) { i += 1 }
            var value = ""
            if i < b.count && b[i] == UInt8(ascii: "=") {
                i += 1
                while i < b.count && Self.isSpace(b[i]) { i += 1 }
                let start: Int, end: Int
                if i < b.count && (b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'")) {
                    let quote = b[i]
                    start = i + 1
                    end = index(of: quote, from: start) ?? b.count
                    i = min(end + 1, b.count)
                } else {
                    start = i
                    while i < b.count && !Self.isSpace(b[i]) && b[i] != UInt8(ascii: ">") { i += 1 }
                    end = i
                }
                let slice = b[start..<end]
                if slice.contains(UInt8(ascii: "&")) {
                    var decoded: [UInt8] = []
                    HTMLEntities.decode(slice, inAttribute: true, into: &decoded)
                    value = String(decoding: decoded, as: UTF8.self)
                } else {
                    value = String(decoding: UnsafeBufferPointer(rebasing: slice), as: UTF8.self)
                }
            }
            if !name.isEmpty && !out.contains(where: { $0.name == name }) && out.count < 64 { out.append(Attribute(name: name, value: value)) }
        }
        return (out, selfClosing)
    }

    /// The text of the rest of the input, decoded, with its markup stepped over in one pass
    /// (tags, comments, and the content of `script`, `style` and the like left out). For a reader
    /// that keeps no more elements: their text still counts, their tags cost nothing more.
    mutating func remainingText() -> String {
        var out: [UInt8] = []
        var runStart = i
        func flush(to end: Int) {
            if end > runStart { HTMLEntities.decode(b[runStart..<end], inAttribute: false, into: &out) }
        }
        while i < b.count {
            guard b[i] == UInt8(ascii: "<"), startsMarkup(at: i) else { i += 1; continue }
            flush(to: i)
            if starts("<!--", at: i) {
                skipComment()
            } else if b[i + 1] == UInt8(ascii: "/") || b[i + 1] == UInt8(ascii: "!") || b[i + 1] == UInt8(ascii: "?") {
                i = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? b.count
            } else {
                var j = i + 1
                let name = tagName(from: &j)
                i = index(of: UInt8(ascii: ">"), from: j).map { $0 + 1 } ?? b.count
                if Self.rawTextElements.contains(name) && name != "title" && name != "textarea" {
                    let end = endTag(name, from: i)
                    i = end < b.count ? (index(of: UInt8(ascii: ">"), from: end).map { $0 + 1 } ?? b.count) : b.count
                }
                if ["p", "div", "br", "li", "h2", "h3", "h4", "tr"].contains(name) { out.append(0x0A) }
            }
            runStart = i
        }
        flush(to: b.count)
        return String(decoding: out, as: UTF8.self)
    }

    /// Where the end tag `</name` (any case, followed by white space, `/` or `>`) starts at or
    /// after `from`; the end of the input when there is none.
    private func endTag(_ name: String, from: Int) -> Int {
        let pattern = Array(name.utf8)
        var k = from
        while k < b.count {
            guard let lt = index(of: UInt8(ascii: "<"), from: k) else { return b.count }
            k = lt + 1
            guard lt + 2 + pattern.count <= b.count, b[lt + 1] == UInt8(ascii: "/") else { continue }
            var match = true
            for (n, p) in pattern.enumerated() where Self.lower(b[lt + 2 + n]) != p { match = false; break }
            guard match else { continue }
            let after = lt + 2 + pattern.count
            if after == b.count || Self.isSpace(b[after]) || b[after] == UInt8(ascii: "/") || b[after] == UInt8(ascii: ">") { return lt }
        }
        return b.count
    }

    private func starts(_ s: StaticString, at k: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard k + n <= b.count else { return false }
        let p = s.utf8Start
        for m in 0..<n where b[k + m] != p[m] { return false }
        return true
    }

    private func index(of c: UInt8, from: Int) -> Int? {
        var k = from
        while k < b.count {
            if b[k] == c { return k }
            k += 1
        }
        return nil
    }

    static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }
    static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
}
