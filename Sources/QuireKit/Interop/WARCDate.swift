/// Capture times as WARC writes them: W3C-DTF in UTC, `YYYY-MM-DDThh:mm:ssZ`, optionally with a
/// fraction of a second (WARC 1.1), and as CDX indexes write them: 14 digits, `YYYYMMDDhhmmss`.
enum WARCDate {
    /// `text` as a valid WARC-Date: itself when it is one; a date in another ISO 8601 form moved
    /// to UTC; a date with missing parts (`2014-01`, as some test files have) completed with the
    /// earliest values; nil when it holds no year.
    static func normalized(_ text: String) -> String? {
        let s = Array(text.utf8)
        if isStrict(s) { return text }
        if let seconds = Timestamp.parse(text) {
            let whole = Int(seconds.rounded(.down))
            let fraction = seconds - Double(whole)
            let formatted = Timestamp.format(seconds: whole, nanoseconds: Int((fraction * 1e9).rounded()))
            // Whole seconds are written without a fraction.
            return fraction == 0 ? String(formatted.dropLast(5)) + "Z" : formatted
        }
        let digits = s.filter { (0x30...0x39).contains($0) }
        guard digits.count >= 4 else { return nil }
        var d = Array(digits.prefix(14))
        let pad = Array("00000101000000".utf8)
        while d.count < 14 { d.append(pad[d.count]) }
        return iso(fromTimestamp: String(decoding: d, as: UTF8.self))
    }

    /// Whether the bytes are `YYYY-MM-DDThh:mm:ss(.d+)?Z`.
    private static func isStrict(_ s: [UInt8]) -> Bool {
        guard s.count >= 20, s.last == UInt8(ascii: "Z") else { return false }
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (i, p) in pattern.enumerated() {
            if p == UInt8(ascii: "d") { guard (0x30...0x39).contains(s[i]) else { return false } } else if s[i] != p { return false }
        }
        if s.count == 20 { return true }
        return s[19] == UInt8(ascii: ".") && s.count > 21 && s[20..<(s.count - 1)].allSatisfy { (0x30...0x39).contains($0) }
    }

    /// The 14-digit timestamp of a WARC-Date (its fraction dropped), as CDX indexes write it.
    static func timestamp(_ date: String) -> String {
        String(decoding: Array(date.utf8).filter { (0x30...0x39).contains($0) }.prefix(14), as: UTF8.self)
    }

    /// `YYYY-MM-DDThh:mm:ssZ` from 14 digits.
    static func iso(fromTimestamp t: String) -> String {
        let c = Array(t)
        func part(_ a: Int, _ b: Int) -> String { String(c[a..<b]) }
        return "\(part(0, 4))-\(part(4, 6))-\(part(6, 8))T\(part(8, 10)):\(part(10, 12)):\(part(12, 14))Z"
    }
}

/// Media types for files Quire archived as files (not from a web archive), by name, else by the
/// kind Quire read them as.
enum MediaType {
    private static let byExtension: [String: String] = [
        "html": "text/html", "htm": "text/html", "xhtml": "application/xhtml+xml", "txt": "text/plain", "md": "text/markdown",
        "json": "application/json", "jsonl": "application/jsonl", "xml": "application/xml", "rss": "application/rss+xml",
        "atom": "application/atom+xml", "css": "text/css", "js": "text/javascript", "mjs": "text/javascript", "csv": "text/csv",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml",
        "ico": "image/vnd.microsoft.icon", "pdf": "application/pdf", "woff": "font/woff", "woff2": "font/woff2",
        "mp4": "video/mp4", "mp3": "audio/mpeg", "zip": "application/zip", "gz": "application/gzip",
    ]

    static func guess(path: String, kind: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), let type = byExtension[name[name.index(after: dot)...].lowercased()] { return type }
        switch kind {
        case "html": return "text/html"
        case "json": return "application/json"
        case "text": return "text/plain"
        default: return "application/octet-stream"
        }
    }
}
