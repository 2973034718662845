/// One record of a WARC or ARC file as read: where it starts, its named fields, its block, and
/// what was unusual about how it was framed.
struct WARCRecord {
    /// Byte offset of the record (of its gzip member, in a compressed file) in the file.
    let offset: Int
    /// The version line (`WARC/1.1`), or `ARC/1.0` / `ARC/1.1` for an ARC record.
    let version: String
    let fields: [(name: String, value: String)]
    let block: [UInt8]
    /// What was unusual about the record's framing, in words (`record separator "\r\n" instead of
    /// "\r\n\r\n"`); recorded with the sighting.
    var quirks: [String] = []
    /// Whether the block is shorter than the header says: the file or its gzip member ends first.
    var cutShort = false

    var isARC: Bool { version.hasPrefix("ARC/") }

    func field(_ name: String) -> String? {
        fields.first { WARCRecord.sameName($0.name, name) }?.value
    }

    /// Whether two field names are equal ignoring ASCII case (Foundation's comparison is far slower).
    static func sameName(_ a: String, _ b: String) -> Bool {
        var x = a.utf8.makeIterator(), y = b.utf8.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return true
            case (let p?, let q?):
                if p != q && (p | 0x20 != q | 0x20 || !(0x61...0x7A).contains(p | 0x20)) { return false }
            default: return false
            }
        }
    }
    var type: String { field("WARC-Type")?.lowercased() ?? "" }
}

/// Reads a WARC file (0.17 to 1.1) or an ARC file (1.0, 1.1), plain or gzip, one record at a time,
/// as leniently as warcio and with memory bounded by the largest record:
///
/// - after a block, whatever separates it from the next record is accepted (two CRLFs, one, bare
///   LFs, one LF too many) and noted when it is not the standard `\r\n\r\n`; as in warcio, the rest
///   of the line the block ends in is skipped when it is not empty (a Content-Length a little
///   short), and noted;
/// - a block the file or its gzip member ends inside is kept as far as it goes, marked cut short;
///   a record split over several gzip members is put back together (warcio cannot read those);
/// - anything else that is not a record (a bad header, stray bytes, a damaged gzip member) is
///   reported once with its offset, and reading resumes at the next line that starts a record
///   (`WARC/`, or in an ARC file an ARC header line) or the next gzip member.
///
/// Every step is linear in the bytes read: headers and junk are scanned once, with memchr.
struct WARCReader {
    enum Item {
        case record(WARCRecord)
        case damaged(offset: Int, reason: String)
    }

    /// The largest record block read into memory.
    static let maxBlock = 256 * 1024 * 1024
    /// The longest WARC header.
    static let maxHeader = 1 << 20
    /// The longest ARC header line, or line of stray bytes after a block.
    static let maxLine = 1 << 16
    /// How far past a record the reader looks for its gzip member's end (and CRC) before handing
    /// the record on unchecked.
    static let settleLookahead = 1 << 20

    private var stream: WARCByteStream
    /// The version of the ARC file, from its `filedesc://` record.
    private var arcVersion = "ARC/1.0"
    /// Whether records so far are ARC records (then ARC header lines count as record starts when
    /// resynchronising).
    private var isARCFile = false
    /// The gzip member the previous record started in.
    private var previousMember: Int?
    private var queued: [Item] = []

    private static let warcMagic = Array("WARC/".utf8)

    init(path: String) throws {
        stream = try WARCByteStream(path: path)
        let lower = path.lowercased()
        isARCFile = lower.hasSuffix(".arc") || lower.hasSuffix(".arc.gz")
    }

    func close() { stream.close() }

    /// The next record or damage report, or nil at the end of the file.
    mutating func next() -> Item? {
        if !queued.isEmpty { return queued.removeFirst() }
        while true {
            skipBlank()
            if let damage = stream.damages.first, damage.position <= stream.position {
                stream.damages.removeFirst()
                return .damaged(offset: damage.offset, reason: damage.reason)
            }
            guard stream.fill(1) else {
                if let damage = stream.damages.first {
                    stream.damages.removeFirst()
                    return .damaged(offset: damage.offset, reason: damage.reason)
                }
                return nil
            }
            if stream.fill(Self.warcMagic.count), stream.matches(Self.warcMagic, at: 0) { return readWARC() }
            if let end = lineEnd(from: 0), let line = ARCHeaderLine(stream.bytes(0..<end)) { return readARC(line, lineEnd: end) }
            return skipJunk(reason: "bytes that are not a WARC or ARC record")
        }
    }

    // MARK: Records

    private mutating func readWARC() -> Item {
        let start = stream.position
        let offset = stream.offset(at: start)
        // The header ends at its first empty (or all white space) line.
        var lineStart = 0
        var headerEnd: (length: Int, body: Int)? = nil
        var scanned = 0
        while headerEnd == nil {
            while let lf = stream.firstIndex(of: 0x0A, from: scanned, to: stream.available) {
                if lineStart > 0 && (lineStart..<lf).allSatisfy({ WARCHeader.isSpace(stream[$0]) }) {
                    headerEnd = (lineStart, lf + 1)
                    break
                }
                lineStart = lf + 1
                scanned = lf + 1
            }
            if headerEnd != nil { break }
            scanned = stream.available
            if let cut = cutByDamage(before: stream.available + 1) { return cut }
            if stream.available > Self.maxHeader { return skipJunk(reason: "a WARC record header longer than \(Self.maxHeader >> 20) MiB") }
            let before = stream.available
            stream.fill(before + (1 << 16))
            if stream.available == before {
                if let cut = cutByDamage(before: stream.available + 1) { return cut }
                stream.consume(stream.available)
                return .damaged(offset: offset, reason: "the file ends inside a WARC record header (truncated)")
            }
        }
        let end = headerEnd!
        if let cut = cutByDamage(before: end.body) { return cut }
        guard let header = WARCHeader.parse(ArraySlice(stream.bytes(0..<end.length))) else {
            return skipJunk(reason: "a record header that does not start with a WARC version line")
        }
        guard let lengthText = header.fields.first(where: { $0.name.lowercased() == "content-length" })?.value,
              let length = WARCHeader.length(lengthText) else {
            return skipJunk(reason: "a WARC record header without a readable Content-Length")
        }
        var quirks: [String] = []
        if !WARCHeader.knownVersions.contains(header.version) { quirks.append("WARC version '\(header.version)', which warcio does not read") }
        if header.bareLineFeeds { quirks.append("WARC header lines end with LF only") }
        return finishRecord(start: start, offset: offset, version: header.version, fields: header.fields, bodyStart: end.body,
                            length: length, quirks: quirks)
    }

    private mutating func readARC(_ line: ARCHeaderLine, lineEnd: Int) -> Item {
        let start = stream.position
        let offset = stream.offset(at: start)
        isARCFile = true
        var length = line.length
        var quirks = line.quirks
        if line.isFileDescription {
            // The version line follows (`1 0 origin` is ARC 1.0, `1 1 origin` ARC 1.1), then the
            // line naming the fields; like warcio, both are read whatever the length says.
            if let versionEnd = self.lineEnd(from: lineEnd + 1) {
                let parts = stream.bytes((lineEnd + 1)..<versionEnd).split(separator: 0x20)
                if parts.count >= 2 { arcVersion = "ARC/\(WARCHeader.text(parts[0])).\(WARCHeader.text(parts[1]))" }
                if let specEnd = self.lineEnd(from: versionEnd + 1), specEnd - lineEnd > length {
                    quirks.append("ARC file description's length \(line.length) is less than its two header lines")
                    length = specEnd - lineEnd
                }
            }
        }
        return finishRecord(start: start, offset: offset, version: arcVersion, fields: line.warcFields, bodyStart: lineEnd + 1,
                            length: length, quirks: quirks)
    }

    /// Reads the block and what follows it, and hands on the record (or the damage that cut it).
    private mutating func finishRecord(start: Int, offset: Int, version: String, fields: [(name: String, value: String)],
                                       bodyStart: Int, length: Int, quirks startQuirks: [String]) -> Item {
        var quirks = startQuirks
        let arc = version.hasPrefix("ARC/")
        guard length <= Self.maxBlock else {
            skip(bodyStart + length)
            return .damaged(offset: offset, reason: "a record block of \(length) bytes, over the \(Self.maxBlock >> 20) MiB limit")
        }
        // The block, read in steps so that a gzip member ending inside it is seen as soon as it
        // comes: the next record's start there means the block is cut short (warcio reads it so).
        var blockEnd = bodyStart + length
        var cut = false
        var splitMembers = 0
        var checked = start
        while true {
            stream.fill(min(blockEnd, stream.available + (4 << 20)))
            if let damage = cutByDamage(before: blockEnd) { return damage }
            let reach = start + min(blockEnd, stream.available)
            for member in stream.memberStarts(in: (checked + 1)..<max(checked + 1, reach)) {
                if startsRecord(at: member - start) {
                    blockEnd = member - start
                    cut = true
                    quirks.append("its gzip member ends \(bodyStart + length - blockEnd) bytes before the end of its block of \(length) bytes")
                    break
                }
                splitMembers += 1
            }
            checked = reach - 1
            if cut || stream.available >= blockEnd || stream.ended { break }
        }
        if stream.available < blockEnd {
            quirks.append("the file ends \(blockEnd - stream.available) bytes before the end of its block of \(length) bytes")
            blockEnd = stream.available
            cut = true
        }
        if splitMembers > 0 { quirks.append("split over \(splitMembers + 1) gzip members") }
        let block = stream.bytes(bodyStart..<blockEnd)

        // What separates the block from the next record.
        var next = blockEnd
        if !cut {
            // warcio skips the rest of the line the block ends in when it is not blank (and says so).
            // Not when the next record (or gzip member) starts right there.
            if next < stream.available || stream.fill(next + 1), stream[next] != 0x0D && stream[next] != 0x0A,
               let lf = lineEnd(from: next), !(next..<lf).allSatisfy({ WARCHeader.isSpace(stream[$0]) }),
               stream.memberStarts(in: (start + next)..<(start + lf + 1)).isEmpty, !startsRecord(at: next) {
                quirks.append("\(lf + 1 - next) bytes after its block, before the record separator (its Content-Length may be short)")
                next = lf + 1
            }
            let separatorStart = next
            while (next < stream.available || stream.fill(next + 1)) && next - separatorStart < Self.maxLine {
                let b = stream[next]
                guard b == 0x0D || b == 0x0A || b == 0x20 || b == 0x09 else { break }
                next += 1
            }
            let separator = stream.bytes(separatorStart..<next)
            if !arc && separator != [0x0D, 0x0A, 0x0D, 0x0A] {
                quirks.append(separator.isEmpty ? "no record separator after its block" : "record separator \(Self.show(separator)) instead of \"\\r\\n\\r\\n\"")
            }
        }
        if let damage = stream.settle(through: start + next, lookahead: Self.settleLookahead), damage.memberPosition < start + next {
            return cutBy(damage, offset: offset)
        }
        if stream.gzip {
            if previousMember == offset { quirks.append("shares its gzip member with the record before it") }
            if stream.endedInsideMember == offset { quirks.append("the file ends inside its gzip member (no CRC check)") }
        }
        previousMember = offset
        stream.consume(next)
        return .record(WARCRecord(offset: offset, version: version, fields: fields, block: block, quirks: quirks, cutShort: cut))
    }

    // MARK: Damage and resynchronisation

    /// When damage began before `limit` bytes past the cursor: the record being read is reported
    /// as cut by it, and the stream moves on to where reading resumed.
    private mutating func cutByDamage(before limit: Int) -> Item? {
        guard let damage = stream.damages.first, damage.memberPosition < stream.position + limit else { return nil }
        return cutBy(damage, offset: stream.offset(at: stream.position))
    }

    private mutating func cutBy(_ damage: WARCByteStream.Damage, offset: Int) -> Item {
        stream.damages.removeFirst()
        stream.consume(max(0, min(stream.available, damage.position - stream.position)))
        if damage.offset == offset { return .damaged(offset: offset, reason: damage.reason) }
        return .damaged(offset: offset, reason: "the record is cut by \(damage.reason) at offset \(damage.offset)")
    }

    /// Skips bytes up to the next line that starts a record, or the next gzip member, or damage,
    /// and reports what was skipped.
    private mutating func skipJunk(reason: String) -> Item {
        let start = stream.position
        let offset = stream.offset(at: start)
        // Candidates are line starts (after an LF) and member starts, at index `from` or later.
        var from = 1
        while true {
            let lf = stream.firstIndex(of: 0x0A, from: max(0, from - 1), to: stream.available)
            let lineStart = lf.map { $0 + 1 }
            let searchEnd = stream.position + (lineStart ?? stream.available) + 1
            let member = stream.memberStarts(in: (stream.position + from)..<max(stream.position + from, searchEnd)).first.map { $0 - stream.position }
            let candidate = member ?? lineStart
            if let damage = stream.damages.first, damage.memberPosition <= stream.position + (candidate ?? stream.available) {
                stream.consume(max(0, min(stream.available, damage.position - stream.position)))
                break
            }
            guard let candidate else {
                // No line end in memory: all of it is stray; read on.
                stream.consume(stream.available)
                from = 0
                if !stream.fill(1) { break }
                continue
            }
            if member != nil || startsRecord(at: candidate) {
                stream.consume(min(candidate, stream.available))
                break
            }
            from = candidate + 1
            if candidate >= stream.available && !stream.fill(candidate + 1) {
                stream.consume(stream.available)
                break
            }
        }
        let skipped = stream.position - start
        return .damaged(offset: offset, reason: "\(reason) (\(skipped) bytes skipped)")
    }

    /// Whether the bytes at `i` past the cursor begin a record: a `WARC/` line, or (in an ARC
    /// file) an ARC header line; blank lines before it are allowed at a gzip member's start.
    private mutating func startsRecord(at i: Int) -> Bool {
        var j = i
        while (j < stream.available || stream.fill(j + 1)) && j - i < Self.maxLine && (stream[j] == 0x0D || stream[j] == 0x0A) { j += 1 }
        if !stream.fill(j + Self.warcMagic.count) && j >= stream.available { return false }
        if stream.matches(Self.warcMagic, at: j) { return true }
        guard isARCFile, let end = lineEnd(from: j) else { return false }
        return ARCHeaderLine(stream.bytes(j..<end)) != nil
    }

    /// The index of the LF ending the line that starts at `from`, reading up to `maxLine` bytes.
    private mutating func lineEnd(from: Int) -> Int? {
        while true {
            if let lf = stream.firstIndex(of: 0x0A, from: from, to: from + Self.maxLine) { return lf }
            if stream.available >= from + Self.maxLine { return nil }
            if !stream.fill(min(from + Self.maxLine, stream.available + (1 << 14))) {
                return stream.firstIndex(of: 0x0A, from: from, to: from + Self.maxLine)
            }
        }
    }

    /// Consumes line ends and white space between records.
    private mutating func skipBlank() {
        while stream.fill(1) {
            var i = 0
            while i < stream.available, WARCHeader.isSpace(stream[i]) { i += 1 }
            if let damage = stream.damages.first, damage.position < stream.position + i { i = max(0, damage.position - stream.position) }
            stream.consume(i)
            if stream.available > 0 || i == 0 { return }
        }
    }

    /// Consumes `n` bytes (a block too large to keep) without holding them.
    private mutating func skip(_ n: Int) {
        var left = n
        while left > 0 && stream.fill(1) {
            let step = min(left, stream.available)
            stream.consume(step)
            left -= step
        }
    }

    /// Bytes shown as a quoted string with `\r` and `\n` spelled out (at most 12).
    static func show(_ bytes: [UInt8]) -> String {
        let shown = bytes.prefix(12).map { b -> String in
            switch b {
            case 0x0D: return "\\r"
            case 0x0A: return "\\n"
            case 0x09: return "\\t"
            default: return String(UnicodeScalar(b))
            }
        }.joined()
        return "\"" + shown + (bytes.count > 12 ? "...\" (\(bytes.count) bytes)" : "\"")
    }
}
