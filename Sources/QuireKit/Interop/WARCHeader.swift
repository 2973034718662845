/// The header at the front of a WARC record (a version line, then `Name: value` lines) and the
/// header line of an ARC record (`URL IP DATE TYPE LENGTH`), read as leniently as warcio reads
/// them: each line is UTF-8 when it is valid UTF-8 and ISO-8859-1 otherwise; white space around
/// names and values is dropped; a line that starts with a space or tab continues the value before
/// it; a line without a colon is ignored.
enum WARCHeader {
    /// A WARC header: its version line (`WARC/1.1`) and fields in order.
    struct Parsed {
        let version: String
        let fields: [(name: String, value: String)]
        /// Whether some line ended with a bare LF instead of CRLF.
        let bareLineFeeds: Bool
    }

    /// The versions warcio knows; others are read too and noted.
    static let knownVersions: Set<String> = ["WARC/1.1", "WARC/1.0", "WARC/0.17", "WARC/0.18"]

    /// Bytes Python's `str.rstrip()` drops from a line's end (the ASCII ones).
    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (0x09...0x0D).contains(b) || (0x1C...0x1F).contains(b)
    }

    /// A line as text: UTF-8 when valid, else ISO-8859-1 (each byte one character), as warcio does.
    static func text<C: Collection<UInt8>>(_ bytes: C) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// `bytes` without the white space at its end.
    static func trimmedEnd(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        while end > bytes.startIndex && isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[bytes.startIndex..<end]
    }

    /// `bytes` without the white space at its start (space and tab only, as `lstrip` after a colon
    /// would see in practice).
    static func trimmedStart(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        while start < bytes.endIndex && isSpace(bytes[start]) { start += 1 }
        return bytes[start..<bytes.endIndex]
    }

    /// Reads a WARC header (the bytes before its empty line). Nil when the first line is not a
    /// `WARC/` version line.
    static func parse(_ header: ArraySlice<UInt8>) -> Parsed? {
        var lines: [ArraySlice<UInt8>] = []
        var bare = false
        var start = header.startIndex
        while start < header.endIndex {
            let lf = header[start...].firstIndex(of: 0x0A) ?? header.endIndex
            if lf < header.endIndex && (lf == start || header[lf - 1] != 0x0D) { bare = true }
            lines.append(header[start..<lf])
            start = lf + 1
        }
        guard let first = lines.first else { return nil }
        let versionLine = trimmedEnd(first)
        guard versionLine.starts(with: Array("WARC/".utf8)) else { return nil }
        let version = text(versionLine).uppercased()
        return Parsed(version: version, fields: fields(lines.dropFirst()), bareLineFeeds: bare)
    }

    /// `Name: value` fields from header lines (after the version or status line), as warcio's
    /// `StatusAndHeadersParser` reads them.
    static func fields<S: Sequence<ArraySlice<UInt8>>>(_ lines: S) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        var lastHadValue = false
        for raw in lines {
            let line = trimmedEnd(raw)
            if line.isEmpty { continue }
            if line.first == 0x20 || line.first == 0x09 {
                // A continuation: warcio appends the line (its start kept) to the value before it.
                if lastHadValue { fields[fields.count - 1].value += text(line) }
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A) else {
                lastHadValue = false
                continue
            }
            var nameEnd = colon
            while nameEnd > line.startIndex && (line[nameEnd - 1] == 0x20 || line[nameEnd - 1] == 0x09) { nameEnd -= 1 }
            fields.append((text(line[line.startIndex..<nameEnd]), text(trimmedStart(line[(colon + 1)...]))))
            lastHadValue = true
        }
        return fields
    }

    /// The number in a Content-Length field, as Python's `int()` reads it (white space around,
    /// an optional `+`); nil when it is not one.
    static func length(_ text: String) -> Int? {
        var t = Substring(text.trimmedWhitespace)
        if t.first == "+" { t = t.dropFirst() }
        guard !t.isEmpty, t.utf8.allSatisfy({ (0x30...0x39).contains($0) }), t.count <= 18 else { return nil }
        return Int(t)
    }
}

/// The header line of an ARC record (ARC 1.0 and 1.1, the Internet Archive's format before WARC):
/// `URL IP-address Archive-date Content-type Archive-length`, where the URL may hold spaces. Read
/// leniently: runs of spaces (padding) separate fields like one; `-` stands for an unknown IP,
/// date or type; a length that is not a number, or negative, counts as 0 (as warcio reads it).
struct ARCHeaderLine {
    let url: String
    let ip: String
    /// The capture time, ISO 8601 (nil for `-`).
    let date: String?
    let contentType: String
    let length: Int
    /// What was unusual about the line.
    let quirks: [String]

    var isFileDescription: Bool { url.hasPrefix("filedesc:") }

    /// Reads one line (without its LF); nil when it is not an ARC header line: at least five
    /// fields, a URL with a scheme, and a date of digits (or `-`).
    init?(_ line: [UInt8]) {
        let trimmed = WARCHeader.trimmedEnd(line[...])
        guard !trimmed.isEmpty, !WARCHeader.isSpace(trimmed.first!) else { return nil }
        let tokens = trimmed.split(separator: 0x20, omittingEmptySubsequences: true)
        guard tokens.count >= 5 else { return nil }
        let n = tokens.count
        let urlTokens = tokens[0..<(n - 4)]
        guard urlTokens.first!.contains(0x3A) else { return nil }
        let dateToken = tokens[n - 3]
        let isDash = dateToken.elementsEqual([0x2D])
        guard isDash || (dateToken.count >= 8 && dateToken.allSatisfy { (0x30...0x39).contains($0) }) else { return nil }
        var quirks: [String] = []
        url = urlTokens.map { WARCHeader.text($0) }.joined(separator: " ")
        ip = WARCHeader.text(tokens[n - 4])
        contentType = WARCHeader.text(tokens[n - 2])
        if isDash {
            date = nil
            quirks.append("ARC date '-'")
        } else {
            var d = Array(dateToken.prefix(14))
            if dateToken.count != 14 { quirks.append("ARC date of \(dateToken.count) digits") }
            let pad = Array("00000101000000".utf8)
            while d.count < 14 { d.append(pad[d.count]) }
            let s = String(decoding: d, as: UTF8.self)
            func part(_ a: Int, _ b: Int) -> Substring { s.dropFirst(a).prefix(b - a) }
            date = "\(part(0, 4))-\(part(4, 6))-\(part(6, 8))T\(part(8, 10)):\(part(10, 12)):\(part(12, 14))Z"
        }
        let lengthText = WARCHeader.text(tokens[n - 1])
        if let value = WARCHeader.length(lengthText) {
            length = value
        } else {
            length = 0
            quirks.append("ARC length '\(lengthText)' read as 0")
        }
        if zip(trimmed, trimmed.dropFirst()).contains(where: { $0 == 0x20 && $1 == 0x20 }) || trimmed.count < line.count - (line.last == 0x0D ? 1 : 0) {
            quirks.append("ARC header line padded with spaces")
        }
        self.quirks = quirks
    }

    /// The fields of the WARC record this ARC record is read as: `response` (`warcinfo` for the
    /// `filedesc://` record that opens the file).
    var warcFields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("WARC-Type", isFileDescription ? "warcinfo" : "response"), ("WARC-Target-URI", url)]
        if let date { fields.append(("WARC-Date", date)) }
        if ip != "-" { fields.append(("WARC-IP-Address", ip)) }
        if contentType != "-" { fields.append(("Content-Type", contentType)) }
        fields.append(("Content-Length", String(length)))
        return fields
    }
}
