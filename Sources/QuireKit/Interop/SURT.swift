#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The SURT (Sort-friendly URI Reordering Transform) of a URL, the key of a CDX or CDXJ index:
/// the host reversed and comma-separated, then the path and query, canonicalized so that
/// variants of one URL share a key (`http://www.Example.com:80/A/?b=2&a=1` → `com,example)/a?a=1&b=2`).
///
/// This follows the Internet Archive's `surt` package (its default, IA canonicalizer, as pywb and
/// cdxj-indexer call it) step by step, so that an index Quire writes equals the one they write:
/// parse as `handyurl` does, canonicalize as `GoogleURLCanonicalizer` then `IAURLCanonicalizer`
/// do, and print without the scheme. Where `surt` raises (a port that is not a number or is out
/// of range), the index uses the URL itself, as cdxj-indexer does.
enum SURT {
    /// The index key of `url`.
    static func key(_ url: String) -> String {
        if url.isEmpty { return "-" }
        if url.hasPrefix("filedesc") { return url }
        guard let parsed = parse(Array(url.utf8)) else { return url }
        return String(decoding: canonicalize(parsed).surt, as: UTF8.self)
    }

    /// A URL split as `handyurl` splits it.
    struct URL {
        var scheme: [UInt8]?
        var host: [UInt8]?
        var port: Int?
        var path: [UInt8]?
        var query: [UInt8]?

        /// `geturl_bytes(surt=True, with_scheme=False)`.
        var surt: [UInt8] {
            var s: [UInt8] = []
            if let host, !host.isEmpty {
                s += host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).reversed().joined(separator: [UInt8(ascii: ",")])
                if let port { s += Array(":\(port)".utf8) }
                s.append(UInt8(ascii: ")"))
            } else {
                s = (scheme ?? []) + [UInt8(ascii: ":")]
            }
            if let path, !path.isEmpty {
                s += path
            } else if query != nil {
                s.append(UInt8(ascii: "/"))
            }
            if let query { s += [UInt8(ascii: "?")] + query }
            return s
        }
    }

    // MARK: Parsing (handyurl.parse)

    private static func isSchemeStart(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
    private static func isSchemeChar(_ b: UInt8) -> Bool {
        isSchemeStart(b) || (0x30...0x39).contains(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    /// The length of a scheme and its colon at the start of `u` (`^[a-zA-Z][a-zA-Z0-9+.-]*:`), if any.
    private static func schemeLength(_ u: [UInt8]) -> Int? {
        guard let first = u.first, isSchemeStart(first) else { return nil }
        var i = 1
        while i < u.count && isSchemeChar(u[i]) { i += 1 }
        return i < u.count && u[i] == UInt8(ascii: ":") ? i : nil
    }

    /// Nil where `surt` raises (a bad port).
    static func parse(_ raw: [UInt8]) -> URL? {
        // Strip white space at the ends, and drop tabs and line ends anywhere.
        var u = Array(raw.drop { isPythonSpace($0) })
        while let last = u.last, isPythonSpace(last) { u.removeLast() }
        u.removeAll { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if u.isEmpty { return nil }
        if schemeLength(u) == nil { u = Array("http://".utf8) + u }
        // `^(https?://)+` becomes its last repetition.
        var repeats: [Int] = []
        var i = 0
        while true {
            if u[i...].starts(with: Array("http://".utf8)) { repeats.append(i); i += 7 }
            else if u[i...].starts(with: Array("https://".utf8)) { repeats.append(i); i += 8 }
            else { break }
        }
        if repeats.count > 1 { u = Array(u[repeats.last!...]) }

        // RFC 2396's regular expression: scheme, //authority, path, ?query, #fragment.
        var scheme: [UInt8]? = nil
        var rest = u[...]
        if let n = schemeLength(u) {
            scheme = Array(u[0..<n])
            rest = u[(n + 1)...]
        }
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        var netloc: ArraySlice<UInt8> = []
        if rest.starts(with: [0x2F, 0x2F]) {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex { $0 == 0x2F || $0 == 0x3F } ?? afterSlashes.endIndex
            netloc = afterSlashes[..<end]
            rest = afterSlashes[end...]
        }
        var pathPart = rest
        var query: [UInt8]? = nil
        if let q = rest.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = rest[..<q]
            let text = rest[(q + 1)...]
            query = text.isEmpty ? nil : Array(text)
        }
        while netloc.last == UInt8(ascii: ":") { netloc = netloc.dropLast() }

        // urllib's hostname and port.
        let hostinfo = netloc.lastIndex(of: UInt8(ascii: "@")).map { netloc[($0 + 1)...] } ?? netloc
        var hostname: ArraySlice<UInt8>
        var portText: ArraySlice<UInt8>
        if let open = hostinfo.firstIndex(of: UInt8(ascii: "[")) {
            let bracketed = hostinfo[(open + 1)...]
            let close = bracketed.firstIndex(of: UInt8(ascii: "]")) ?? bracketed.endIndex
            hostname = bracketed[..<close]
            let after = bracketed[close...].dropFirst()
            portText = after.firstIndex(of: UInt8(ascii: ":")).map { after[($0 + 1)...] } ?? []
        } else {
            let colon = hostinfo.firstIndex(of: UInt8(ascii: ":")) ?? hostinfo.endIndex
            hostname = hostinfo[..<colon]
            portText = colon < hostinfo.endIndex ? hostinfo[(colon + 1)...] : []
        }
        var port: Int? = nil
        if !portText.isEmpty {
            guard portText.allSatisfy({ (0x30...0x39).contains($0) }), portText.count < 10, let p = Int(String(decoding: portText, as: UTF8.self)),
                  p <= 65535 else { return nil }
            port = p == 0 ? nil : p
        }
        var host: [UInt8]? = hostname.isEmpty ? nil : lowerASCII(Array(hostname))
        var path: [UInt8]? = pathPart.isEmpty ? nil : Array(pathPart)
        if let s = scheme, s.starts(with: Array("http".utf8)), host == nil, let p = path {
            let trimmed = p.drop { $0 == 0x2F }
            let slash = trimmed.firstIndex(of: 0x2F) ?? trimmed.endIndex
            host = Array(trimmed[..<slash])
            path = [0x2F] + Array(trimmed[slash...].dropFirst())
        }
        return URL(scheme: scheme, host: host, port: port, path: path, query: query)
    }

    // MARK: Canonicalizing (GoogleURLCanonicalizer, then IAURLCanonicalizer)

    static func canonicalize(_ input: URL) -> URL {
        var url = input
        // Google
        if let query = url.query { url.query = escapeOnce(unescapeRepeatedly(query)) }
        if var host = url.host {
            host = unescapeRepeatedly(host)
            if !host.allSatisfy({ $0 < 0x80 }) { host = idna(host) ?? host }
            host = replaceDoubleDots(host)
            while host.first == 0x2E { host.removeFirst() }
            while host.last == 0x2E { host.removeLast() }
            if let ip = ipAddress(host) {
                host = ip
            } else {
                host = escapeOnce(lowerASCII(host))
            }
            url.host = host
        }
        var path = url.path.map(unescapeRepeatedly)
        if url.host != nil { path = normalizePath(path) }
        url.path = path.map(escapeOnce)

        // IA
        if var host = url.host {
            host = lowerASCII(host)
            if url.scheme != Array("dns".utf8) { host = massageHost(host) }
            url.host = host
        }
        if let scheme = url.scheme {
            let lower = lowerASCII(scheme)
            let defaultPort = lower == Array("http".utf8) ? 80 : lower == Array("https".utf8) ? 443 : 0
            if url.port == defaultPort { url.port = nil }
        }
        if var path = url.path, !path.isEmpty {
            path = lowerASCII(path)
            path = stripPathSessionID(path)
            if path.last == 0x2F && path.count > 1 { path.removeLast() }
            url.path = path
        }
        if var query = url.query, !query.isEmpty {
            query = stripQuerySessionID(query)
            query = lowerASCII(query)
            query = alphaReorder(query)
            url.query = query.isEmpty ? nil : query
        }
        return url
    }

    static func normalizePath(_ path: [UInt8]?) -> [UInt8] {
        guard let path, !path.isEmpty else { return [0x2F] }
        var kept: [ArraySlice<UInt8>] = []
        for (i, p) in path.split(separator: 0x2F, omittingEmptySubsequences: false).enumerated() {
            if i == 0 { continue }
            if p.elementsEqual([0x2E]) { continue }
            if p.elementsEqual([0x2E, 0x2E]) {
                if kept.isEmpty { kept.append(p) } else { kept.removeLast() }
                continue
            }
            kept.append(p)
        }
        var out: [UInt8] = [0x2F]
        for p in kept.dropLast() where !p.isEmpty { out += p + [0x2F] }
        if let last = kept.last { out += last }
        return out
    }

    /// Python's `bytes.replace(b'..', b'.')`: each non-overlapping `..` from the left.
    private static func replaceDoubleDots(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == 0x2E && i + 1 < b.count && b[i + 1] == 0x2E {
                out.append(0x2E)
                i += 2
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// A host written as a number the C library reads as an IPv4 address (`3232235777`,
    /// `0177.0.0.1`, `1.2.3`), as dotted decimal; nil for any other host.
    static func ipAddress(_ host: [UInt8]) -> [UInt8]? {
        guard !host.isEmpty else { return nil }
        let digits = host.allSatisfy { (0x30...0x39).contains($0) }
        if digits {
            // Masked to the lower four bytes, as surt does for live-web ARC files (the low 32
            // bits of the exact number).
            var low: UInt64 = 0
            for d in host { low = (low * 10 + UInt64(d - 0x30)) & 0xFFFF_FFFF }
            let v = UInt32(low)
            return Array("\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)".utf8)
        }
        let text = String(decoding: host, as: UTF8.self)
        let decimal = text.range(of: #"^[1-9][0-9]*(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?$"#, options: .regularExpression) != nil
        let octal = text.range(of: #"^0[0-7]*(\.[0-7]+)?(\.[0-7]+)?(\.[0-7]+)?$"#, options: .regularExpression) != nil
        guard decimal || octal else { return nil }
        var address = in_addr()
        guard inet_aton(text, &address) != 0 else { return nil }
        let v = UInt32(bigEndian: address.s_addr)
        return Array("\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)".utf8)
    }

    /// `^www\d*\.` removed.
    private static func massageHost(_ host: [UInt8]) -> [UInt8] {
        guard host.starts(with: Array("www".utf8)) else { return host }
        var i = 3
        while i < host.count && (0x30...0x39).contains(host[i]) { i += 1 }
        return i < host.count && host[i] == 0x2E ? Array(host[(i + 1)...]) : host
    }

    private static let pathSessionPatterns = [#"^(.*/)(\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^\?]+\.aspx.*)$"#,
                                              #"^(.*/)(\([0-9a-z]{24}\)/)([^\?]+\.aspx.*)$"#]
    private static let querySessionPatterns = [#"^(.*)(?:jsessionid=[0-9a-zA-Z]{32})(?:&(.*))?$"#,
                                               #"^(.*)(?:phpsessid=[0-9a-zA-Z]{32})(?:&(.*))?$"#,
                                               #"^(.*)(?:sid=[0-9a-zA-Z]{32})(?:&(.*))?$"#,
                                               #"^(.*)(?:ASPSESSIONID[a-zA-Z]{8}=[a-zA-Z]{24})(?:&(.*))?$"#,
                                               #"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$"#]

    /// Applies each pattern in turn, keeping the groups `keep` of a match (as surt does).
    private static func strip(_ bytes: [UInt8], _ patterns: [String], path: Bool) -> [UInt8] {
        // Only ASCII gets here (escapeOnce ran), so the bytes are the string's code points.
        guard bytes.contains(where: { $0 == 0x3D || $0 == 0x28 }) else { return bytes }
        var text = String(decoding: bytes, as: UTF8.self)
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive, .dotMatchesLineSeparators])
            let whole = NSRange(text.startIndex..., in: text)
            guard let m = regex.firstMatch(in: text, range: whole) else { continue }
            func group(_ i: Int) -> String? {
                let r = m.range(at: i)
                guard r.location != NSNotFound, let range = Range(r, in: text) else { return nil }
                return String(text[range])
            }
            if path {
                text = (group(1) ?? "") + (group(3) ?? "")
            } else if let second = group(2), !second.isEmpty {
                text = (group(1) ?? "") + second
            } else {
                text = group(1) ?? ""
            }
        }
        return Array(text.utf8)
    }

    private static func stripPathSessionID(_ path: [UInt8]) -> [UInt8] { strip(path, pathSessionPatterns, path: true) }
    private static func stripQuerySessionID(_ query: [UInt8]) -> [UInt8] { strip(query, querySessionPatterns, path: false) }

    /// The query's `name=value` pairs sorted (as tuples: a bare name before the same name with a value).
    private static func alphaReorder(_ query: [UInt8]) -> [UInt8] {
        guard query.count > 1 else { return query }
        let pairs = query.split(separator: 0x26, omittingEmptySubsequences: false).map { arg -> [ArraySlice<UInt8>] in
            if let eq = arg.firstIndex(of: 0x3D) { return [arg[..<eq], arg[(eq + 1)...]] }
            return [arg]
        }
        let sorted = pairs.sorted { a, b in
            for (x, y) in zip(a, b) where !x.elementsEqual(y) { return x.lexicographicallyPrecedes(y) }
            return a.count < b.count
        }
        return Array(sorted.map { $0.count == 1 ? Array($0[0]) : Array($0[0]) + [0x3D] + Array($0[1]) }.joined(separator: [0x26]))
    }

    // MARK: Escaping

    /// Bytes `quote_from_bytes` leaves alone with surt's safe set: letters, digits, `_.-~` and
    /// ``!"$&'()*+,-./:;<=>?@[\]^_`{|}~``; everything else (controls, space, `#`, `%`, non-ASCII)
    /// becomes `%XX`.
    private static let safe: [Bool] = (0..<256).map { b in
        let c = UInt8(b)
        if (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) { return true }
        return Array(#"_.-~!"$&'()*+,/:;<=>?@[\]^`{|}"#.utf8).contains(c)
    }

    static func escapeOnce(_ input: [UInt8]) -> [UInt8] {
        guard !input.isEmpty else { return input }
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        for b in input {
            if safe[Int(b)] { out.append(b) } else { out += [0x25, digits[Int(b >> 4)], digits[Int(b & 15)]] }
        }
        return out
    }

    /// `unquote_to_bytes` until nothing changes.
    static func unescapeRepeatedly(_ input: [UInt8]) -> [UInt8] {
        var current = input
        while true {
            let next = unquote(current)
            if next == current { return current }
            current = next
        }
    }

    private static func unquote(_ b: [UInt8]) -> [UInt8] {
        guard b.contains(0x25) else { return b }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let hi = hex(b[i + 1]), let lo = hex(b[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func lowerASCII(_ b: [UInt8]) -> [UInt8] { b.map { (0x41...0x5A).contains($0) ? $0 + 32 : $0 } }

    /// Bytes Python's `bytes.strip()` removes.
    private static func isPythonSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    // MARK: IDNA

    /// Python's `encode('idna')` of a host that is not ASCII: each label that is not ASCII
    /// case-folded (NFKC) and written in Punycode with `xn--`; nil when a label cannot be.
    static func idna(_ host: [UInt8]) -> [UInt8]? {
        guard let text = String(validating: host, as: UTF8.self) else {
            return nil
        }
        var labels: [String] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
                continue
            }
            let prepared = label.precomposedStringWithCompatibilityMapping.lowercased()
            guard let encoded = punycode(Array(prepared.unicodeScalars)) else { return nil }
            let ascii = "xn--" + encoded
            guard ascii.utf8.count < 64 else { return nil }
            labels.append(ascii)
        }
        return Array(labels.joined(separator: ".").utf8)
    }

    /// RFC 3492 Punycode of a label's code points.
    static func punycode(_ input: [Unicode.Scalar]) -> String? {
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        var n = 128, delta = 0, bias = 72
        var output = input.filter(\.isASCII).map { Character($0) }
        let basic = output.count
        var handled = basic
        if basic > 0 { output.append("-") }
        func digit(_ d: Int) -> Character { Character(Unicode.Scalar(UInt8(d < 26 ? 97 + d : 22 + d))) }
        func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
            var d = first ? delta / damp : delta / 2
            d += d / count
            var k = 0
            while d > ((base - tMin) * tMax) / 2 { d /= base - tMin; k += base }
            return k + (base - tMin + 1) * d / (d + skew)
        }
        let values = input.map { Int($0.value) }
        while handled < values.count {
            guard let m = values.filter({ $0 >= n }).min() else { return nil }
            delta += (m - n) * (handled + 1)
            n = m
            for c in values {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basic)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }
}
