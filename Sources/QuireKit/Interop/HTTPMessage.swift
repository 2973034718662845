/// The HTTP message at the front of a WARC `response` or `revisit` block (or an ARC record), read
/// as warcio reads it, so that Quire's payload is warcio's payload: the first line is the status
/// line whatever it says, header lines follow up to the first blank line, and the rest is the
/// body. It never fails: a block without a blank line is all header and has an empty body.
struct HTTPMessage {
    /// The first line without its line end (`HTTP/1.1 200 OK`).
    let statusLine: String
    /// Header fields in order, names as sent.
    let headers: [(name: String, value: String)]
    /// Where the body starts in the block.
    let bodyStart: Int
    /// Whether a blank line ended the header (else the block is all header).
    let headerEnded: Bool

    /// The status code: the number after the protocol in the status line, when there is one.
    var status: Int? {
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), parts[1].count <= 3 else { return nil }
        return Int(parts[1])
    }

    /// The first header `name` (compared without case).
    func header(_ name: String) -> String? {
        headers.first { WARCRecord.sameName($0.name, name) }?.value
    }

    /// Whether warcio de-chunks the body: its first Transfer-Encoding header is exactly `chunked`.
    var chunked: Bool { header("Transfer-Encoding") == "chunked" }

    init(_ block: [UInt8]) {
        let all = block[...]
        func line(at i: Int) -> (line: ArraySlice<UInt8>, next: Int) {
            let lf = all[i...].firstIndex(of: 0x0A)
            return lf.map { (all[i..<$0], $0 + 1) } ?? (all[i...], all.endIndex)
        }
        let (first, afterFirst) = line(at: 0)
        let statusBytes = WARCHeader.trimmedEnd(first)
        statusLine = WARCHeader.text(statusBytes)
        guard !statusBytes.isEmpty else {
            // A blank first line: no header at all (warcio's reading).
            headers = []
            bodyStart = afterFirst
            headerEnded = true
            return
        }
        var lines: [ArraySlice<UInt8>] = []
        var i = afterFirst
        var ended = false
        while i < all.endIndex {
            let (l, next) = line(at: i)
            i = next
            if WARCHeader.trimmedEnd(l).isEmpty {
                ended = true
                break
            }
            lines.append(l)
        }
        headers = WARCHeader.fields(lines)
        bodyStart = i
        headerEnded = ended
    }

    /// The payload of a body sent with `Transfer-Encoding: chunked`, as warcio's
    /// `ChunkedDataReader` gives it, and what was unusual. When the chunks stop making sense
    /// (most often: a body stored de-chunked under a chunked header) warcio falls back to the
    /// bytes as stored from that point on, and so does this. One deliberate difference: trailer
    /// fields after the last chunk (RFC 9112 §7.1.2) are dropped, where warcio keeps them.
    static func dechunk(_ body: ArraySlice<UInt8>) -> (payload: [UInt8], quirk: String?) {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        let end = body.endIndex
        var chunks = 0
        let crlf: [UInt8] = [0x0D, 0x0A]
        /// From here on the body is taken as stored: the line and data read so far, then the rest.
        func fallBack(_ line: ArraySlice<UInt8>, _ data: ArraySlice<UInt8>, why: String) -> (payload: [UInt8], quirk: String?) {
            out += line
            out += data
            out += body[i...]
            if chunks == 0 { return (out, "chunked header, body not chunked") }
            return (out, "chunked body broken after \(chunks) chunks (\(why)); the rest kept as stored")
        }
        while true {
            // warcio reads the size line with readline(64).
            let limit = min(end, i + 64)
            let lineEnd = body[i..<limit].firstIndex(of: 0x0A).map { $0 + 1 } ?? limit
            let line = body[i..<lineEnd]
            i = lineEnd
            if line.isEmpty { return (out, chunks == 0 ? "chunked body without any chunk" : "chunked body ends without its last chunk") }
            guard line.count >= 2, line.suffix(2).elementsEqual(crlf),
                  let size = pythonHex(line.dropLast(2).split(separator: 0x3B, maxSplits: 1, omittingEmptySubsequences: false)[0]), size <= 1 << 31 else {
                return fallBack(line, [], why: "a chunk size line that is not one")
            }
            if size == 0 {
                let final = body[i..<min(end, i + 2)]
                if final.elementsEqual(crlf) {
                    i = final.endIndex
                    return (out, i < end ? "\(end - i) bytes after the last chunk, left out (as warcio does)" : nil)
                }
                if let after = trailerEnd(body[i...]) {
                    return (out, after < end ? "chunked body with trailer fields and \(end - after) more bytes, left out"
                                             : "chunked body with trailer fields, left out (warcio keeps them)")
                }
                i = final.endIndex
                return fallBack(line, [], why: "no CRLF after the last chunk")
            }
            if size < 0 {
                let next = body[i..<min(end, i + 2)]
                i = next.endIndex
                if !next.elementsEqual(crlf) { return fallBack(line, [], why: "a chunk's end") }
                continue
            }
            let dataEnd = min(end, i + size)
            let data = body[i..<dataEnd]
            i = dataEnd
            if data.count < size {
                out += data
                return (out, "chunked body cut short inside a chunk")
            }
            let terminator = body[i..<min(end, i + 2)]
            i = terminator.endIndex
            guard terminator.elementsEqual(crlf) else { return fallBack(line, data, why: "a chunk not followed by CRLF") }
            out += data
            chunks += 1
        }
    }

    /// Where trailer fields (`Name: value` lines up to an empty line) end, when `bytes` holds them.
    private static func trailerEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        var fields = 0
        while i < bytes.endIndex, fields < 100 {
            guard let lf = bytes[i...].firstIndex(of: 0x0A) else { return nil }
            let line = WARCHeader.trimmedEnd(bytes[i..<lf])
            i = lf + 1
            if line.isEmpty { return fields > 0 ? i : nil }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex, line.first != 0x20 else { return nil }
            fields += 1
        }
        return nil
    }

    /// A number as Python's `int(text, 16)` reads it: white space around, a sign, a `0x` prefix and
    /// `_` between digits allowed.
    static func pythonHex(_ text: ArraySlice<UInt8>) -> Int? {
        var t = WARCHeader.trimmedEnd(text)
        t = WARCHeader.trimmedStart(t)
        var negative = false
        if let sign = t.first, sign == 0x2B || sign == 0x2D {
            negative = sign == 0x2D
            t = t.dropFirst()
        }
        if t.count >= 2, t.first == 0x30, t[t.startIndex + 1] | 0x20 == 0x78 { t = t.dropFirst(2).drop { $0 == 0x5F } }
        guard !t.isEmpty, t.first != 0x5F, t.last != 0x5F else { return nil }
        var value = 0
        var previousUnderscore = false
        for b in t {
            if b == 0x5F {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            let digit: Int
            switch b {
            case 0x30...0x39: digit = Int(b) - 0x30
            case 0x41...0x46: digit = Int(b) - 0x41 + 10
            case 0x61...0x66: digit = Int(b) - 0x61 + 10
            default: return nil
            }
            value = value * 16 + digit
            if value > 1 << 40 { return value }  // over any chunk size allowed: the caller refuses it
        }
        return negative ? -value : value
    }
}
