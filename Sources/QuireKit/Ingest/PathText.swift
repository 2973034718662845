/// How a file's path becomes text (for display and document keys).
enum PathText {
    /// The path as text, one text per path (so distinct files never share a key): itself when it
    /// is valid UTF-8, except that a `%` followed by two hex digits is written `%25` (else the
    /// name `caf%E9.txt` would read like the Latin-1 name `caf\xE9.txt`); otherwise each byte that
    /// is not part of valid UTF-8, and each `%`, written as `%XX`. Every `%XX` in the text is then
    /// exactly one byte of the name. The exact bytes are also recorded separately.
    static func display(_ bytes: [UInt8]) -> (text: String, isExact: Bool) {
        if let s = String(validating: bytes, as: UTF8.self) {
            guard bytes.contains(UInt8(ascii: "%")) else { return (s, true) }
            return (escapingPercentBeforeHex(s), true)
        }
        var out = ""
        var i = 0
        while i < bytes.count {
            let length = validSequenceLength(bytes, at: i)
            if length > 0 {
                if bytes[i] == UInt8(ascii: "%") {
                    out += "%25"
                } else {
                    out += String(decoding: bytes[i..<i + length], as: UTF8.self)
                }
                i += length
            } else {
                out += "%" + Hex.encode([bytes[i]]).uppercased()
                i += 1
            }
        }
        return (out, false)
    }

    /// `text` with each `%` that is followed by two hex digits written `%25`.
    static func escapingPercentBeforeHex(_ text: String) -> String {
        let b = Array(text.utf8)
        func hex(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) }
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 8)
        for (i, c) in b.enumerated() {
            out.append(c)
            if c == UInt8(ascii: "%"), i + 2 < b.count, hex(b[i + 1]), hex(b[i + 2]) { out += [UInt8(ascii: "2"), UInt8(ascii: "5")] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there does not start one.
    private static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let length: Int
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard i + length <= b.count else { return 0 }
        return String(validating: b[i..<i + length], as: UTF8.self) != nil ? length : 0
    }

    /// Lexically normalizes a relative or absolute path: empty and `.` components dropped, `..`
    /// folded into its parent where there is one.
    static func normalize(_ path: [UInt8]) -> [UInt8] {
        let slash = UInt8(ascii: "/")
        let absolute = path.first == slash
        var parts: [ArraySlice<UInt8>] = []
        for part in path.split(separator: slash, omittingEmptySubsequences: true) {
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([0x2E, 0x2E]) {
                if let last = parts.last, !last.elementsEqual([0x2E, 0x2E]) { parts.removeLast(); continue }
                if absolute { continue }
            }
            parts.append(part)
        }
        var out: [UInt8] = absolute ? [slash] : []
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(slash) }
            out.append(contentsOf: part)
        }
        return out.isEmpty ? [UInt8(ascii: ".")] : out
    }
}
