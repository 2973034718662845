/// A forgiving scanner for the parts of an HTML page metadata extraction needs: start tags with
/// their attributes, the text between tags (entities decoded), and the raw content of `script`
/// elements. It never fails: malformed markup is read as text, as browsers do.
struct HTMLScanner {
    /// One start tag: lowercased name, attributes (lowercased names, decoded values).
    struct Tag {
        let name: String
        let attributes: [String: String]
    }

    enum Token {
        case start(Tag)
        case end(String)
        case text(String)
        /// The raw content of a `<script>` element, with the script's tag.
        case script(Tag, String)
    }

    private let bytes: [UInt8]
    private var i = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func next() -> Token? {
        guard i < bytes.count else { return nil }
        if bytes[i] != UInt8(ascii: "<") {
            let start = i
            while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
            return .text(Self.decodeEntities(String(decoding: bytes[start..<i], as: UTF8.self)))
        }
        // Comments and declarations are skipped.
        if starts("<!--") {
            i = find("-->", from: i + 4).map { $0 + 3 } ?? bytes.count
            return next()
        }
        if starts("<!") || starts("<?") {
            i = find(">", from: i).map { $0 + 1 } ?? bytes.count
            return next()
        }
        if starts("</") {
            var j = i + 2
            let nameStart = j
            while j < bytes.count && Self.isNameByte(bytes[j]) { j += 1 }
            let name = String(decoding: bytes[nameStart..<j], as: UTF8.self).lowercased()
            i = find(">", from: j).map { $0 + 1 } ?? bytes.count
            return name.isEmpty ? next() : .end(name)
        }
        var j = i + 1
        let nameStart = j
        while j < bytes.count && Self.isNameByte(bytes[j]) { j += 1 }
        guard j > nameStart else {
            // A lone "<": text.
            i += 1
            return .text("<")
        }
        let name = String(decoding: bytes[nameStart..<j], as: UTF8.self).lowercased()
        var attributes: [String: String] = [:]
        i = j
        parseAttributes(into: &attributes)
        let tag = Tag(name: name, attributes: attributes)
        if name == "script" || name == "style" {
            let close = "</" + name
            let end = findCaseInsensitive(close, from: i) ?? bytes.count
            let content = String(decoding: bytes[i..<end], as: UTF8.self)
            i = end < bytes.count ? (find(">", from: end).map { $0 + 1 } ?? bytes.count) : bytes.count
            return name == "script" ? .script(tag, content) : next()
        }
        return .start(tag)
    }

    private mutating func parseAttributes(into attributes: inout [String: String]) {
        while i < bytes.count {
            while i < bytes.count && Self.isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count else { return }
            if bytes[i] == UInt8(ascii: ">") { i += 1; return }
            if bytes[i] == UInt8(ascii: "/") { i += 1; continue }
            let nameStart = i
            while i < bytes.count && !Self.isSpace(bytes[i]) && bytes[i] != UInt8(ascii: "=") && bytes[i] != UInt8(ascii: ">") && bytes[i] != UInt8(ascii: "/") { i += 1 }
            let name = String(decoding: bytes[nameStart..<i], as: UTF8.self).lowercased()
            while i < bytes.count && Self.isSpace(bytes[i]) { i += 1 }
            var value = ""
            if i < bytes.count && bytes[i] == UInt8(ascii: "=") {
                i += 1
                while i < bytes.count && Self.isSpace(bytes[i]) { i += 1 }
                if i < bytes.count && (bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'")) {
                    let quote = bytes[i]
                    let start = i + 1
                    i = start
                    while i < bytes.count && bytes[i] != quote { i += 1 }
                    value = String(decoding: bytes[start..<min(i, bytes.count)], as: UTF8.self)
                    if i < bytes.count { i += 1 }
                } else {
                    let start = i
                    while i < bytes.count && !Self.isSpace(bytes[i]) && bytes[i] != UInt8(ascii: ">") { i += 1 }
                    value = String(decoding: bytes[start..<i], as: UTF8.self)
                }
            }
            if !name.isEmpty && attributes[name] == nil { attributes[name] = Self.decodeEntities(value) }
        }
    }

    private func starts(_ s: String) -> Bool {
        let pattern = Array(s.utf8)
        return i + pattern.count <= bytes.count && bytes[i..<i + pattern.count].elementsEqual(pattern)
    }

    private func find(_ s: String, from: Int) -> Int? {
        let pattern = Array(s.utf8)
        var k = from
        while k + pattern.count <= bytes.count {
            if bytes[k] == pattern[0] && bytes[k..<k + pattern.count].elementsEqual(pattern) { return k }
            k += 1
        }
        return nil
    }

    private func findCaseInsensitive(_ s: String, from: Int) -> Int? {
        let pattern = Array(s.lowercased().utf8)
        var k = from
        while k + pattern.count <= bytes.count {
            var match = true
            for (n, p) in pattern.enumerated() where Self.lower(bytes[k + n]) != p { match = false; break }
            if match { return k }
            k += 1
        }
        return nil
    }

    private static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "-") || b == UInt8(ascii: ":") || b == UInt8(ascii: "_")
    }

    /// Decodes character references: numeric (`&#8217;`, `&#x2019;`) and the named ones news
    /// pages use. An unknown name is left as it is. Works on UTF-8 bytes.
    static func decodeEntities(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "&")) else { return s }
        let b = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "&") else { out.append(b[i]); i += 1; continue }
            var j = i + 1
            while j < b.count && j - i <= 12 && b[j] != UInt8(ascii: ";") && b[j] != UInt8(ascii: "&") { j += 1 }
            guard j < b.count, b[j] == UInt8(ascii: ";") else { out.append(b[i]); i += 1; continue }
            let name = String(decoding: b[(i + 1)..<j], as: UTF8.self)
            var decoded: String? = nil
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                decoded = UInt32(name.dropFirst(1)).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                decoded = namedEntities[name]
            }
            if let decoded {
                out += decoded.utf8
                i = j + 1
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "mdash": "\u{2014}",
        "ndash": "\u{2013}", "rsquo": "\u{2019}", "lsquo": "\u{2018}", "rdquo": "\u{201D}", "ldquo": "\u{201C}",
        "hellip": "\u{2026}", "copy": "\u{00A9}", "reg": "\u{00AE}", "trade": "\u{2122}", "eacute": "é", "egrave": "è",
        "aacute": "á", "agrave": "à", "oacute": "ó", "uacute": "ú", "iacute": "í", "ntilde": "ñ", "ccedil": "ç",
        "uuml": "ü", "ouml": "ö", "auml": "ä", "szlig": "ß", "euro": "€", "pound": "£", "middot": "·", "bull": "•",
    ]
}
