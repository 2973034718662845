#if canImport(Glibc)
import Glibc
#endif
import Deflate
import Foundation

/// One WARC record: where it starts, its named fields, and its block.
struct WARCRecord {
    /// Byte offset of the record (of its gzip member, in a compressed file) in the file.
    let offset: Int
    let fields: [(name: String, value: String)]
    let block: [UInt8]

    func field(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
    var type: String { field("WARC-Type")?.lowercased() ?? "" }
}

/// Reads a WARC file (1.0 or 1.1; plain, or gzip with one or more records per member) one record
/// at a time, with memory bounded by the largest record. Damage is reported per record with its
/// offset, and reading resumes at the next record it can find: a bad gzip member, a wrong
/// Content-Length, a truncated end.
struct WARCReader {
    enum Item {
        case record(WARCRecord)
        case damaged(offset: Int, reason: String)
    }

    /// The largest record block read into memory.
    static let maxBlock = 256 * 1024 * 1024
    private let file: UnsafeMutablePointer<FILE>
    private let gzip: Bool
    /// Bytes read from the file but not consumed yet, and the file offset of `buffer[0]`.
    private var buffer: [UInt8] = []
    private var bufferOffset = 0
    private var atEOF = false
    /// Records decoded from the current gzip member, not handed out yet.
    private var pending: [Item] = []

    init(path: String) throws {
        guard let f = fopen(path, "rb") else { throw QuireError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        file = f
        var magic = [UInt8](repeating: 0, count: 2)
        let n = fread(&magic, 1, 2, f)
        rewind(f)
        gzip = n == 2 && magic == [0x1F, 0x8B]
    }

    func close() { fclose(file) }

    /// The next record or damage report, or nil at the end of the file.
    mutating func next() -> Item? {
        if !pending.isEmpty { return pending.removeFirst() }
        return gzip ? nextFromGzip() : nextFromPlain()
    }

    // MARK: Buffer

    private mutating func fill(_ wanted: Int) {
        while buffer.count < wanted && !atEOF {
            var chunk = [UInt8](repeating: 0, count: max(1 << 16, wanted - buffer.count))
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { atEOF = true; break }
            buffer += chunk[0..<n]
        }
    }

    private mutating func consume(_ n: Int) {
        buffer.removeFirst(min(n, buffer.count))
        bufferOffset += n
    }

    // MARK: Gzip: one member at a time

    private mutating func nextFromGzip() -> Item? {
        fill(2)
        guard !buffer.isEmpty else { return nil }
        let start = bufferOffset
        // Usually one record per member; a record split over several members (which some tools
        // write) is put back together by reading members until it is complete.
        var output: [UInt8] = []
        while true {
            fill(2)
            guard buffer.count >= 2, buffer[0] == 0x1F, buffer[1] == 0x8B else {
                if !output.isEmpty { break }
                resyncGzip()
                return .damaged(offset: start, reason: "bytes that are not a gzip member")
            }
            let memberStart = bufferOffset
            do {
                try inflateMember(into: &output)
            } catch {
                let reason = (error as? QuireError)?.message ?? "a damaged gzip member (\(error))"
                consume(1)
                resyncGzip()
                return .damaged(offset: memberStart, reason: reason)
            }
            if !Self.incomplete(output) || buffer.isEmpty && atEOF || output.count > Self.maxBlock { break }
        }
        var memory = MemoryRecords(bytes: output, base: start)
        while let item = memory.next() { pending.append(item) }
        return pending.isEmpty ? next() : pending.removeFirst()
    }

    /// Inflates the gzip member at the front of the buffer onto `output`.
    private mutating func inflateMember(into output: inout [UInt8]) throws {
        let inflater = try Inflater(format: .gzip, outputLimit: Self.maxBlock + 65536)
        while true {
            fill(1 << 16)
            if buffer.isEmpty { throw QuireError(.badFile, "the file ends inside a gzip member (truncated)") }
            let consumed = try buffer.withUnsafeBytes { raw in
                try inflater.decompress(raw) { output.append(contentsOf: $0) }
            }
            consume(consumed)
            if inflater.isAtEnd { return }
            if consumed == 0 && atEOF { throw QuireError(.badFile, "the file ends inside a gzip member (truncated)") }
        }
    }

    /// Whether the bytes start with a record header whose block is not all there yet.
    static func incomplete(_ bytes: [UInt8]) -> Bool {
        let rest = Array(bytes.drop { $0 == 0x0D || $0 == 0x0A })
        guard !rest.isEmpty else { return false }
        // No readable header: incomplete while its end has not arrived, damaged once it has.
        guard let header = leadingHeader(rest) else { return headerEnd(rest) == nil }
        return rest.count < header.blockStart + header.length
    }

    /// The record header at the start of `bytes` (an ARC header line, else a WARC header): its
    /// fields, where its block starts, the block's length, and whether it is ARC; nil when there
    /// is no complete, readable header.
    static func leadingHeader(_ bytes: [UInt8]) -> (fields: [(name: String, value: String)], blockStart: Int, length: Int, arc: Bool)? {
        if !bytes.starts(with: Array("WARC/".utf8)), let lineEnd = bytes.firstIndex(of: 0x0A),
           let (fields, length) = arcHeader(Array(bytes[0..<lineEnd])) {
            return (fields, lineEnd + 1, length, true)
        }
        guard let end = headerEnd(bytes), let (fields, length) = parseHeader(Array(bytes[0..<end.headerLength])) else { return nil }
        return (fields, end.bodyStart, length, false)
    }

    /// Skips to the next gzip member header.
    private mutating func resyncGzip() {
        while true {
            fill(3)
            if buffer.count < 3 { consume(buffer.count); return }
            if let i = (0..<(buffer.count - 2)).first(where: { buffer[$0] == 0x1F && buffer[$0 + 1] == 0x8B && buffer[$0 + 2] == 0x08 }) {
                consume(i)
                return
            }
            consume(buffer.count - 2)
        }
    }

    // MARK: Plain

    private mutating func nextFromPlain() -> Item? {
        // Skip blank lines between records.
        while true {
            fill(1)
            guard let first = buffer.first else { return nil }
            if first == 0x0D || first == 0x0A { consume(1) } else { break }
        }
        let start = bufferOffset
        fill(5)
        if !buffer.starts(with: Array("WARC/".utf8)) { return nextARCRecord(start: start) }
        // The header ends at the first empty line.
        var headerEnd: (headerLength: Int, bodyStart: Int)? = nil
        while headerEnd == nil {
            headerEnd = Self.headerEnd(buffer)
            if headerEnd != nil { break }
            if atEOF || buffer.count > 1 << 20 { break }
            fill(buffer.count + (1 << 16))
        }
        guard let end = headerEnd else {
            let reason = atEOF ? "the file ends inside a record header (truncated)" : "a record header longer than 1 MiB"
            consume(buffer.count)
            return .damaged(offset: start, reason: reason)
        }
        guard let (fields, length) = Self.parseHeader(Array(buffer[0..<end.headerLength])) else {
            consume(1)
            resyncPlain()
            return .damaged(offset: start, reason: "a record that does not start with a WARC version line and a Content-Length")
        }
        guard length <= Self.maxBlock else {
            consume(end.bodyStart)
            resyncPlain()
            return .damaged(offset: start, reason: "a record block of \(length) bytes, over the \(Self.maxBlock)-byte limit")
        }
        fill(end.bodyStart + length + 4)
        guard buffer.count >= end.bodyStart + length else {
            consume(buffer.count)
            return .damaged(offset: start, reason: "the file ends inside a record of \(length) bytes (truncated)")
        }
        let block = Array(buffer[end.bodyStart..<(end.bodyStart + length)])
        let trailer = buffer.count >= end.bodyStart + length + 4 ? Array(buffer[(end.bodyStart + length)..<(end.bodyStart + length + 4)]) : []
        if trailer.count < 4 && atEOF && buffer.count > end.bodyStart + length {
            consume(buffer.count)
            return .damaged(offset: start, reason: "the file ends inside the record's closing line (truncated)")
        }
        guard trailer == [0x0D, 0x0A, 0x0D, 0x0A] || (atEOF && buffer.count == end.bodyStart + length) else {
            consume(end.bodyStart)
            resyncPlain()
            return .damaged(offset: start, reason: "its Content-Length (\(length)) does not end where the next record begins")
        }
        consume(end.bodyStart + length + trailer.count)
        return .record(WARCRecord(offset: start, fields: fields, block: block))
    }

    /// An ARC (version 1) record: a header line `URL IP DATE TYPE LENGTH`, then LENGTH bytes and a
    /// newline. Read as a WARC record: `response` (or `warcinfo` for the `filedesc://` header).
    private mutating func nextARCRecord(start: Int) -> Item? {
        var lineEnd: Int? = nil
        while lineEnd == nil {
            lineEnd = buffer.firstIndex(of: 0x0A)
            if lineEnd != nil || atEOF || buffer.count > 1 << 16 { break }
            fill(buffer.count + 4096)
        }
        guard let end = lineEnd, let (fields, length) = Self.arcHeader(Array(buffer[0..<end])) else {
            // Skip to the next line that is a record header; one report covers what was skipped.
            consume(lineEnd.map { $0 + 1 } ?? buffer.count)
            while true {
                fill(4096)
                guard !buffer.isEmpty, let next = buffer.firstIndex(of: 0x0A) ?? (atEOF ? buffer.count : nil) else { break }
                let line = Array(buffer[0..<next])
                if line.starts(with: Array("WARC/".utf8)) || Self.arcHeader(line) != nil { break }
                consume(min(next + 1, buffer.count))
            }
            return .damaged(offset: start, reason: "a record header that cannot be read (\(bufferOffset - start) bytes skipped)")
        }
        fill(end + 1 + length + 1)
        guard buffer.count >= end + 1 + length else {
            consume(buffer.count)
            return .damaged(offset: start, reason: "the file ends inside an ARC record of \(length) bytes (truncated)")
        }
        let block = Array(buffer[(end + 1)..<(end + 1 + length)])
        consume(end + 1 + length)
        if buffer.first == 0x0A { consume(1) }
        return .record(WARCRecord(offset: start, fields: fields, block: block))
    }

    /// The fields of an ARC header line (the URL may hold spaces), or nil when it is not one.
    static func arcHeader(_ line: [UInt8]) -> ([(name: String, value: String)], Int)? {
        let parts = String(decoding: line, as: UTF8.self).trimmedWhitespace.split(separator: " ").map(String.init)
        guard parts.count >= 5, let length = Int(parts[parts.count - 1]), length >= 0,
              parts[parts.count - 3].count >= 14, parts[parts.count - 3].prefix(14).allSatisfy(\.isNumber) else { return nil }
        let url = parts[0..<(parts.count - 4)].joined(separator: " ")
        let d = Array(parts[parts.count - 3])
        let date = "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))T\(String(d[8..<10])):\(String(d[10..<12])):\(String(d[12..<14]))Z"
        let type = url.hasPrefix("filedesc:") ? "warcinfo" : "response"
        return ([("WARC-Type", type), ("WARC-Target-URI", url), ("WARC-Date", date), ("WARC-IP-Address", parts[parts.count - 4]),
                 ("Content-Type", parts[parts.count - 2]), ("Content-Length", String(length))], length)
    }

    /// Skips to the next line that starts a WARC record.
    private mutating func resyncPlain() {
        let marker = Array("\nWARC/".utf8)
        while true {
            fill(marker.count)
            if buffer.count < marker.count { consume(buffer.count); return }
            if let i = (0...(buffer.count - marker.count)).first(where: { buffer[$0] == 0x0A && buffer[$0..<$0 + marker.count].elementsEqual(marker) }) {
                consume(i + 1)
                return
            }
            consume(buffer.count - marker.count + 1)
        }
    }

    // MARK: Parsing

    /// Where the header's empty line is: the header's length and where the block starts.
    static func headerEnd(_ b: [UInt8]) -> (headerLength: Int, bodyStart: Int)? {
        var i = 0
        while i + 1 < b.count {
            if b[i] == 0x0A {
                if b[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < b.count, b[i + 1] == 0x0D, b[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    /// The named fields and Content-Length of a header (version line first).
    static func parseHeader(_ header: [UInt8]) -> ([(name: String, value: String)], Int)? {
        let text = String(decoding: header, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" })
        guard let version = lines.first, version.hasPrefix("WARC/") else { return nil }
        lines.removeFirst()
        var fields: [(name: String, value: String)] = []
        for line in lines {
            if (line.first == " " || line.first == "\t"), !fields.isEmpty {
                fields[fields.count - 1].value += " " + String(line).trimmedWhitespace
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((String(line[..<colon]).trimmedWhitespace, String(line[line.index(after: colon)...]).trimmedWhitespace))
        }
        guard let length = fields.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }), length >= 0 else { return nil }
        return (fields, length)
    }
}

/// The records of one decompressed gzip member (usually one).
private struct MemoryRecords {
    let bytes: [UInt8]
    let base: Int
    var i = 0

    init(bytes: [UInt8], base: Int) {
        self.bytes = bytes
        self.base = base
    }

    mutating func next() -> WARCReader.Item? {
        while i < bytes.count && (bytes[i] == 0x0D || bytes[i] == 0x0A) { i += 1 }
        guard i < bytes.count else { return nil }
        let rest = Array(bytes[i...])
        guard let header = WARCReader.leadingHeader(rest) else {
            i = bytes.count
            return .damaged(offset: base, reason: "a gzip member that does not hold a WARC record header")
        }
        let (fields, start, length) = (header.fields, header.blockStart, header.length)
        guard rest.count >= start + length else {
            i = bytes.count
            return .damaged(offset: base, reason: header.arc ? "an ARC record of \(length) bytes in a gzip member holding fewer"
                                                             : "its Content-Length (\(length)) is more than the \(rest.count - start) bytes its gzip member holds")
        }
        let block = Array(rest[start..<(start + length)])
        if header.arc {
            i += start + length
            return .record(WARCRecord(offset: base, fields: fields, block: block))
        }
        let after = rest[(start + length)...].drop { $0 == 0x0D || $0 == 0x0A }
        if !after.isEmpty && !after.starts(with: Array("WARC/".utf8)) {
            i = bytes.count
            return .damaged(offset: base, reason: "its Content-Length (\(length)) does not match the \(rest.count - start) bytes its gzip member holds")
        }
        // Several records in one member: the next call continues after this one.
        i += rest.count - after.count
        return .record(WARCRecord(offset: base, fields: fields, block: block))
    }
}
