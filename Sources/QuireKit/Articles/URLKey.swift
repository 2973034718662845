/// Canonical URLs as document keys: scheme and host lowercased, default ports, fragment and
/// `utm_*` tracking parameters dropped; path and the other parameters kept as they are.
public enum URLKey {
    /// The normalized form of an absolute http(s) URL, or nil when `text` is not one. Works on
    /// UTF-8 bytes: ingest normalizes a URL for every file it reads.
    public static func normalize(_ text: String) -> String? {
        var b = Array(text.utf8)[...]
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }
        while let f = b.first, space(f) { b = b.dropFirst() }
        while let l = b.last, space(l) { b = b.dropLast() }
        func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
        let scheme: [UInt8]
        if b.count > 7, b.prefix(7).map(lower).elementsEqual("http://".utf8) {
            scheme = Array("http".utf8)
            b = b.dropFirst(7)
        } else if b.count > 8, b.prefix(8).map(lower).elementsEqual("https://".utf8) {
            scheme = Array("https".utf8)
            b = b.dropFirst(8)
        } else {
            return nil
        }
        if let hash = b.firstIndex(of: UInt8(ascii: "#")) { b = b[..<hash] }
        let authorityEnd = b.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? b.endIndex
        var host = b[..<authorityEnd].map(lower)
        guard !host.isEmpty, !host.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") }) else { return nil }
        if let at = host.lastIndex(of: UInt8(ascii: "@")) { host = Array(host[(at + 1)...]) }
        if scheme.count == 4 && host.count > 3 && host.suffix(3).elementsEqual(":80".utf8) { host.removeLast(3) }
        if scheme.count == 5 && host.count > 4 && host.suffix(4).elementsEqual(":443".utf8) { host.removeLast(4) }
        guard !host.isEmpty else { return nil }
        var rest = b[authorityEnd...]
        var query: ArraySlice<UInt8> = []
        if let q = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(q + 1)...]
            rest = rest[..<q]
        }
        var out = scheme + Array("://".utf8) + host
        out += rest.isEmpty ? [UInt8(ascii: "/")] : Array(rest)
        var first = true
        for parameter in query.split(separator: UInt8(ascii: "&")) {
            if parameter.count >= 4, parameter.prefix(4).map(lower).elementsEqual("utm_".utf8) { continue }
            out.append(first ? UInt8(ascii: "?") : UInt8(ascii: "&"))
            out += parameter
            first = false
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension URLKey {
    /// `reference` resolved against the absolute http(s) URL `base` (RFC 3986, section 5.2):
    /// `//host/p`, `/p`, `?q`, `p` and `../p` as a browser resolves them. Nil when `base` is not
    /// an absolute http(s) URL, or the reference is a `javascript:`, `mailto:` or `data:` one.
    public static func resolve(_ reference: String, against base: String) -> String? {
        let r = reference.trimmedWhitespace
        if normalize(r) != nil { return r }
        let lower = r.lowercased()
        if let colon = lower.firstIndex(of: ":"), lower[..<colon].allSatisfy({ $0.isLetter }), !lower[..<colon].isEmpty { return nil }
        let b = base.trimmedWhitespace
        guard normalize(b) != nil, let schemeEnd = b.range(of: "://") else { return nil }
        let scheme = b[..<schemeEnd.lowerBound]
        let afterScheme = b[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        var basePath = String(afterScheme[authorityEnd...])
        if let cut = basePath.firstIndex(where: { $0 == "?" || $0 == "#" }) { basePath = String(basePath[..<cut]) }
        if r.hasPrefix("//") { return "\(scheme):\(r)" }
        if r.isEmpty { return b }
        let origin = "\(scheme)://\(authority)"
        if r.hasPrefix("?") { return origin + (basePath.isEmpty ? "/" : basePath) + r }
        if r.hasPrefix("#") { return origin + (basePath.isEmpty ? "/" : basePath) + r }
        var path: String
        var rest = ""
        var refPath = r
        if let q = r.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            refPath = String(r[..<q])
            rest = String(r[q...])
        }
        if refPath.hasPrefix("/") {
            path = refPath
        } else {
            let directory = basePath.lastIndex(of: "/").map { String(basePath[...$0]) } ?? "/"
            path = directory + refPath
        }
        return origin + removeDotSegments(path) + rest
    }

    /// A path without `.` and `..` segments (RFC 3986, section 5.2.4).
    static func removeDotSegments(_ path: String) -> String {
        var out: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (n, segment) in segments.enumerated() {
            if segment == "." { if n == segments.count - 1 { out.append("") }; continue }
            if segment == ".." {
                if out.count > 1 { out.removeLast() }
                if n == segments.count - 1 { out.append("") }
                continue
            }
            out.append(segment)
        }
        let joined = out.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }
}

extension String {
    /// The string without white space (spaces, tabs, line breaks, no-break spaces) at either end.
    var trimmedWhitespace: String {
        // Most strings start and end with an ASCII byte that is not white space: a Character that
        // starts or ends with one is not white space, so the string is already trimmed.
        if let head = utf8.first, let tail = utf8.last, head < 0x80, tail < 0x80, !Self.isASCIIWhitespace(head), !Self.isASCIIWhitespace(tail) {
            return self
        }
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }

    /// The ASCII bytes Unicode counts as white space (tab, line feed, vertical tab, form feed,
    /// carriage return, space), the ones `Character.isWhitespace` is true for.
    static func isASCIIWhitespace(_ c: UInt8) -> Bool { (c >= 0x09 && c <= 0x0D) || c == 0x20 }
}

extension StringProtocol {
    /// The words of the string (runs of characters that are not white space) joined by one
    /// space; an ASCII string is split on its bytes, which gives the same words.
    var foldedWhitespace: String {
        if utf8.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count)
            var pendingSpace = false
            for c in utf8 {
                if String.isASCIIWhitespace(c) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    out.append(c)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
