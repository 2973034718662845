/// Copy/insert deltas in Fossil's delta format (fossil-scm.org, `www/delta_format.wiki`), so a
/// new version or a near-copy costs about its differences from a base of any size. Our own
/// encoder and decoder; `fossil test-delta-apply` applies our deltas and we apply Fossil's
/// (DeltaTests). The format, byte by byte (docs/schema.md has a Python reader):
///
/// ```
/// delta   = size "\n" segment* checksum ";"
/// segment = count "@" offset ","      copy `count` bytes of the base from `offset`
///         | count ":" bytes           insert the next `count` bytes of the delta
/// ```
///
/// Numbers are base 64, most significant digit first, in the digits
/// `0-9 A-Z _ a-z ~`; `size` is the target's length; `checksum` is the sum, modulo 2^32, of the
/// target read as big-endian 32-bit words (the last one padded with zeros).
enum Delta {
    static let digits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~".utf8)
    /// The width of the blocks of the base that the encoder indexes.
    static let window = 16
    /// How many earlier blocks with one hash the encoder looks at (keeps it linear on repetitive input).
    static let maxCandidates = 16

    /// A delta that turns `base` into `target`.
    static func create(from base: [UInt8], to target: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(target.count, 1 << 16) + 64)
        putInt(target.count, &out)
        out.append(0x0A)
        base.withUnsafeBufferPointer { src in
            target.withUnsafeBufferPointer { dst in
                encode(src, dst, &out)
            }
        }
        putInt(Int(checksum(target)), &out)
        out.append(UInt8(ascii: ";"))
        return out
    }

    private static func encode(_ src: UnsafeBufferPointer<UInt8>, _ dst: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) {
        let w = window
        func insert(_ from: Int, _ to: Int) {
            guard to > from else { return }
            putInt(to - from, &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: dst[from..<to]))
        }
        guard src.count >= w, dst.count >= w else {
            insert(0, dst.count)
            return
        }
        // Index the base's blocks at every multiple of the window, by the hash of their bytes.
        let blocks = src.count / w
        var bits = 1
        while (1 << bits) < blocks * 2 && bits < 24 { bits += 1 }
        let mask = (1 << bits) - 1
        var heads = [Int32](repeating: -1, count: 1 << bits)
        var chain = [Int32](repeating: -1, count: blocks)
        for b in 0..<blocks {
            let h = Int(truncatingIfNeeded: blockHash(src, b * w)) & mask
            chain[b] = heads[h]
            heads[h] = Int32(b)
        }
        // Scan the target with a rolling hash of the window; at each match, extend it both ways.
        var literalStart = 0
        var i = 0
        var h = blockHash(dst, 0)
        let power = rollingPower
        while i + w <= dst.count {
            var bestLength = 0, bestSource = 0, bestTarget = 0
            var candidate = heads[Int(truncatingIfNeeded: h) & mask]
            var looked = 0
            while candidate >= 0 && looked < maxCandidates {
                looked += 1
                let s = Int(candidate) * w
                candidate = chain[Int(candidate)]
                if !equal(src, s, dst, i, w) { continue }
                var forward = w
                while s + forward < src.count && i + forward < dst.count && src[s + forward] == dst[i + forward] { forward += 1 }
                var back = 0
                while back < s && i - back > literalStart && src[s - back - 1] == dst[i - back - 1] { back += 1 }
                if forward + back > bestLength {
                    bestLength = forward + back
                    bestSource = s - back
                    bestTarget = i - back
                }
            }
            let cost = digitCount(bestTarget - literalStart) + digitCount(bestLength) + digitCount(bestSource) + 3
            if bestLength >= cost && bestLength > 0 {
                insert(literalStart, bestTarget)
                putInt(bestLength, &out)
                out.append(UInt8(ascii: "@"))
                putInt(bestSource, &out)
                out.append(UInt8(ascii: ","))
                literalStart = bestTarget + bestLength
                i = literalStart
                if i + w <= dst.count { h = blockHash(dst, i) }
                continue
            }
            if i + w >= dst.count { break }
            h = h &* rollingBase &+ UInt64(dst[i + w]) &- UInt64(dst[i]) &* power
            i += 1
        }
        insert(literalStart, dst.count)
    }

    /// The multiplier of the rolling hash, and its power for the byte leaving the window.
    private static let rollingBase: UInt64 = 0x100000001B3
    private static let rollingPower: UInt64 = {
        var p: UInt64 = 1
        for _ in 0..<window { p = p &* rollingBase }
        return p
    }()

    /// The rolling hash of the window starting at `at`.
    private static func blockHash(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt64 {
        var h: UInt64 = 0
        for k in 0..<window { h = h &* rollingBase &+ UInt64(b[at + k]) }
        return h
    }

    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ i: Int, _ b: UnsafeBufferPointer<UInt8>, _ j: Int, _ n: Int) -> Bool {
        for k in 0..<n where a[i + k] != b[j + k] { return false }
        return true
    }

    // MARK: Applying

    /// What is wrong with a delta (the caller names the blob).
    struct Malformed: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The target's size a delta declares, or nil when it has no valid header.
    static func outputSize(_ delta: [UInt8]) -> Int? {
        var i = 0
        guard let size = try? getInt(delta, &i), i < delta.count, delta[i] == 0x0A else { return nil }
        return size
    }

    /// Applies `delta` to `base`. Refuses a target larger than `limit`, a copy outside the base,
    /// an insert past the delta's end, a total that differs from the declared size, and a
    /// checksum that does not match: any damage is an error, never wrong bytes.
    static func apply(_ delta: [UInt8], to base: [UInt8], limit: Int = .max) throws -> [UInt8] {
        var i = 0
        let size = try getInt(delta, &i)
        guard i < delta.count, delta[i] == 0x0A else { throw Malformed("the size is not followed by a newline") }
        i += 1
        guard size <= limit else { throw Malformed("it declares \(size) bytes, more than the \(limit) expected") }
        var out: [UInt8] = []
        // What the delta can make: its inserts and copies of the base (a claimed size is not trusted).
        out.reserveCapacity(min(size, base.count * 4 + delta.count))
        while i < delta.count {
            let count = try getInt(delta, &i)
            guard i < delta.count else { throw Malformed("it ends inside a command") }
            let op = delta[i]
            i += 1
            switch op {
            case UInt8(ascii: "@"):
                let offset = try getInt(delta, &i)
                guard i < delta.count, delta[i] == UInt8(ascii: ",") else { throw Malformed("a copy command is not ended by ','") }
                i += 1
                guard offset <= base.count, count <= base.count - offset else { throw Malformed("a copy reaches past the end of its base") }
                guard count <= size - out.count else { throw Malformed("its commands make more than the \(size) bytes it declares") }
                out.append(contentsOf: base[offset..<offset + count])
            case UInt8(ascii: ":"):
                guard count <= delta.count - i else { throw Malformed("an insert reaches past the end of the delta") }
                guard count <= size - out.count else { throw Malformed("its commands make more than the \(size) bytes it declares") }
                out.append(contentsOf: delta[i..<i + count])
                i += count
            case UInt8(ascii: ";"):
                guard i == delta.count else { throw Malformed("bytes follow its checksum") }
                guard out.count == size else { throw Malformed("its commands make \(out.count) bytes, not the \(size) it declares") }
                guard UInt32(truncatingIfNeeded: count) == checksum(out), count <= Int(UInt32.max) else {
                    throw Malformed("its checksum does not match what it makes")
                }
                return out
            default:
                throw Malformed("unknown command byte \(op)")
            }
        }
        throw Malformed("it has no checksum at its end")
    }

    // MARK: Numbers

    /// Appends `v` in base 64.
    static func putInt(_ v: Int, _ out: inout [UInt8]) {
        if v == 0 { out.append(digits[0]); return }
        var buffer: [UInt8] = []
        var x = v
        while x > 0 {
            buffer.append(digits[x & 63])
            x >>= 6
        }
        out.append(contentsOf: buffer.reversed())
    }

    /// Reads a base-64 number at `i` (at least one digit), advancing `i`.
    static func getInt(_ b: [UInt8], _ i: inout Int) throws -> Int {
        var v = 0
        let start = i
        while i < b.count, let d = value(b[i]) {
            guard v <= (Int.max - 63) >> 6 else { throw Malformed("a number is too large") }
            v = v << 6 + d
            i += 1
        }
        guard i > start else { throw Malformed("a number is missing") }
        return v
    }

    private static func value(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c) - 48
        case 65...90: return Int(c) - 65 + 10
        case 95: return 36
        case 97...122: return Int(c) - 97 + 37
        case 126: return 63
        default: return nil
        }
    }

    static func digitCount(_ v: Int) -> Int {
        var n = 1, x = 64
        while v >= x { n += 1; x <<= 6 }
        return n
    }

    /// The sum of `bytes` as big-endian 32-bit words, the last padded with zeros, modulo 2^32.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var i = 0
        while i + 4 <= bytes.count {
            sum = sum &+ (UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3]))
            i += 4
        }
        if i < bytes.count {
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 8 | (i + k < bytes.count ? UInt32(bytes[i + k]) : 0) }
            sum = sum &+ word
        }
        return sum
    }
}
