#if canImport(Glibc)
import Glibc
#endif
import Deflate

/// The bytes of a WARC or ARC file as one stream, read front to back with bounded memory: a plain
/// file's bytes, or the output of a gzip file's members one after another (one record per member,
/// several, or one record split over several: the stream does not care).
///
/// It remembers where in the file each member began, because a record's offset in a compressed
/// file is that of the member it starts in, and how far the output comes from members whose CRC
/// has been checked. A damaged member's output is dropped, the damage is queued with the file
/// offset of the member and the stream position where its output began, and the stream goes on
/// at the next member. Bytes between members that are not a gzip member are queued as damage too.
///
/// Everything is linear: the window of unconsumed bytes is compacted only once the consumed part
/// is as large as the rest, compressed input is fed to zlib in small pieces (so one call cannot
/// produce more than a few MiB), and nothing is ever scanned twice by the stream itself.
struct WARCByteStream {
    /// A stretch of a gzip file that yielded no bytes: where it was, why, and where in the stream.
    struct Damage {
        /// Stream position where the bad member's output began (its output is gone).
        let memberPosition: Int
        /// Stream position where reading resumed.
        let position: Int
        /// File offset of the bad member (or of the bytes that are not a member).
        let offset: Int
        let reason: String
    }

    let gzip: Bool
    private let file: UnsafeMutablePointer<FILE>

    /// The unconsumed bytes are `window[head...]`; `position` is the stream position of `window[head]`.
    private(set) var window: [UInt8] = []
    private(set) var head = 0
    private(set) var position = 0
    /// Every byte of the stream has been put in the window.
    private(set) var ended = false
    /// Damage not yet handed on, in stream order.
    var damages: [Damage] = []
    /// Stream position up to which every byte comes from a member whose CRC was checked (for a
    /// plain file, everything read).
    private(set) var verified = 0
    /// The file ended inside a gzip member: its output so far is kept (as warcio keeps it), but
    /// no CRC vouches for it. The member's file offset.
    private(set) var endedInsideMember: Int?

    // Plain and gzip: the file.
    private var fileEnded = false
    private var chunk = [UInt8](repeating: 0, count: 1 << 18)

    // Gzip: compressed bytes not yet fed to zlib are `input[inputHead...]`; `inputOffset` is the
    // file offset of `input[0]`.
    private var input: [UInt8] = []
    private var inputHead = 0
    private var inputOffset = 0
    private var inflater: Inflater?
    private var inMember = false
    /// The members whose output may still be looked at: the stream position of each one's first
    /// output byte and its file offset, in order (members that produced nothing are left out).
    private var members: [(position: Int, offset: Int)] = []
    /// The member being read: its file offset, and the stream position where its output began.
    private var current: (offset: Int, position: Int) = (0, 0)

    /// How much compressed input one zlib call gets: at most about 16 MiB of output.
    private static let inflatePiece = 16 * 1024

    init(path: String) throws {
        guard let f = fopen(path, "rb") else { throw QuireError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        file = f
        var magic = [UInt8](repeating: 0, count: 2)
        let n = fread(&magic, 1, 2, f)
        rewind(f)
        gzip = n == 2 && magic == [0x1F, 0x8B]
    }

    func close() { fclose(file) }

    /// Unconsumed bytes in the window.
    var available: Int { window.count - head }

    /// The unconsumed byte `i` places past the cursor.
    subscript(i: Int) -> UInt8 { window[head + i] }

    /// Unconsumed bytes `range` (relative to the cursor) as a new array.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(window[(head + range.lowerBound)..<(head + range.upperBound)])
    }

    /// Whether the unconsumed bytes at `i` begin with `prefix`.
    func matches(_ prefix: [UInt8], at i: Int) -> Bool {
        guard i + prefix.count <= available else { return false }
        for (k, b) in prefix.enumerated() where window[head + i + k] != b { return false }
        return true
    }

    /// The index (relative to the cursor) of the first `byte` in `from..<min(to, available)`.
    func firstIndex(of byte: UInt8, from: Int, to: Int) -> Int? {
        let end = min(to, available)
        guard from < end else { return nil }
        return window.withUnsafeBufferPointer { buffer -> Int? in
            let base = buffer.baseAddress! + head
            guard let found = memchr(base + from, Int32(byte), end - from) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Reads until at least `count` bytes are unconsumed; false when the stream ends first.
    @discardableResult
    mutating func fill(_ count: Int) -> Bool {
        while available < count && !ended { readMore() }
        return available >= count
    }

    /// Moves the cursor past `n` bytes.
    mutating func consume(_ n: Int) {
        precondition(n <= available)
        head += n
        position += n
        if head >= 1 << 20 && head * 2 >= window.count {
            window.removeFirst(head)
            head = 0
        }
        // Keep the member the cursor is in, and those after it.
        var keep = 0
        while keep + 1 < members.count && members[keep + 1].position <= position { keep += 1 }
        if keep > 0 { members.removeFirst(keep) }
    }

    /// The file offset of the record starting at stream position `p`: `p` itself in a plain file,
    /// the offset of the member holding it in a gzip file.
    func offset(at p: Int) -> Int {
        guard gzip else { return p }
        return members.last { $0.position <= p }?.offset ?? current.offset
    }

    /// The stream positions at which members begin in `range` (each a possible record start).
    func memberStarts(in range: Range<Int>) -> [Int] {
        guard gzip else { return [] }
        return members.lazy.map(\.position).filter { range.contains($0) }
    }

    /// Reads ahead until the bytes before stream position `end` are vouched for by their members'
    /// CRCs, a damage that began before `end` turns up (returned), the stream ends, or `lookahead`
    /// bytes past `end` have been read without the member ending (a gzip file of one huge member:
    /// its records are handed on unchecked rather than all held in memory).
    mutating func settle(through end: Int, lookahead: Int) -> Damage? {
        while true {
            if let damage = damages.first(where: { $0.memberPosition < end }) { return damage }
            if verified >= end || ended || position + available >= end + lookahead { return nil }
            readMore()
        }
    }

    // MARK: Reading

    private mutating func readMore() {
        if gzip { readGzip() } else { readPlain() }
    }

    private mutating func readPlain() {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n == 0 {
            ended = true
        } else {
            window.append(contentsOf: chunk[0..<n])
        }
        verified = position + available
    }

    /// Makes at least `count` compressed bytes available (fewer at the end of the file); keeps
    /// `input` from growing by dropping what zlib has consumed.
    private mutating func fillInput(_ count: Int) {
        while input.count - inputHead < count && !fileEnded {
            if inputHead > 0 && inputHead * 2 >= input.count {
                input.removeFirst(inputHead)
                inputOffset += inputHead
                inputHead = 0
            }
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { fileEnded = true } else { input.append(contentsOf: chunk[0..<n]) }
        }
    }

    private mutating func readGzip() {
        if !inMember {
            fillInput(3)
            let left = input.count - inputHead
            if left == 0 {
                ended = true
                return
            }
            guard left >= 2, input[inputHead] == 0x1F, input[inputHead + 1] == 0x8B else {
                skipToNextMember()
                return
            }
            startMember()
        }
        fillInput(Self.inflatePiece)
        let end = min(input.count, inputHead + Self.inflatePiece)
        do {
            let consumed = try input.withUnsafeBytes { raw in
                try inflater!.decompress(UnsafeRawBufferPointer(rebasing: raw[inputHead..<end])) { window.append(contentsOf: $0) }
            }
            inputHead += consumed
            if inflater!.isAtEnd {
                endMember()
            } else if consumed == 0 && inputHead == input.count && fileEnded {
                // The file ends inside this member: keep what it gave, unchecked (a member that
                // gave nothing is damage).
                inMember = false
                ended = true
                if position + available > current.position {
                    endedInsideMember = current.offset
                } else {
                    if let last = members.last, last.offset == current.offset { members.removeLast() }
                    damages.append(Damage(memberPosition: current.position, position: current.position, offset: current.offset,
                                          reason: "the file ends inside a gzip member (truncated)"))
                }
            }
        } catch {
            let reason = (error as? ZlibError).map { "a damaged gzip member (\($0.message))" } ?? "a damaged gzip member (\(error))"
            dropMember(reason: reason)
        }
    }

    private mutating func startMember() {
        let offset = inputOffset + inputHead
        if let inflater { try? inflater.reset() } else { inflater = try? Inflater(format: .gzip) }
        current = (offset, position + available)
        members.append((current.position, offset))
        inMember = true
    }

    private mutating func endMember() {
        inMember = false
        let end = position + available
        if end == current.position, let last = members.last, last.position == current.position, last.offset == current.offset {
            members.removeLast()
        }
        verified = end
    }

    /// Drops the output of the member being read (as much of it as is still unconsumed), queues
    /// the damage, and looks for the next member from just after the bad member's start (or, when
    /// that is no longer in memory, from where zlib was given its last piece).
    private mutating func dropMember(reason: String) {
        let cut = max(current.position, position)
        window.removeLast(window.count - (head + (cut - position)))
        if let last = members.last, last.offset == current.offset { members.removeLast() }
        damages.append(Damage(memberPosition: current.position, position: cut, offset: current.offset, reason: reason))
        inMember = false
        verified = cut
        let memberStart = current.offset - inputOffset
        inputHead = memberStart >= 0 ? memberStart + 1 : inputHead + 1
        skipToNextMember(report: false)
    }

    /// Skips bytes up to the next gzip member header (1F 8B 08), queueing them as damage when
    /// `report` is set.
    private mutating func skipToNextMember(report: Bool = true) {
        let start = inputOffset + inputHead
        while true {
            fillInput(3)
            if input.count - inputHead < 3 {
                inputHead = input.count
                break
            }
            var found: Int? = nil
            input.withUnsafeBufferPointer { buffer in
                var i = inputHead
                while i + 2 < buffer.count {
                    guard let p = memchr(buffer.baseAddress! + i, 0x1F, buffer.count - 2 - i) else { break }
                    let k = buffer.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    if buffer[k + 1] == 0x8B && buffer[k + 2] == 0x08 { found = k; break }
                    i = k + 1
                }
            }
            if let found {
                inputHead = found
                break
            }
            inputHead = input.count - 2
        }
        let skipped = inputOffset + inputHead - start
        if report && skipped > 0 {
            let p = position + available
            damages.append(Damage(memberPosition: p, position: p, offset: start, reason: "\(skipped) bytes that are not a gzip member"))
        }
    }
}
