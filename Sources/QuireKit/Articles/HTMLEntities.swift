/// Decodes HTML character references as a browser does (WHATWG HTML, "character reference
/// state"): every named reference of HTML5 (`&rsquo;`, `&raquo;`, `&NotSquareSupersetEqual;`),
/// the legacy names without `;` (`&amp`, `&eacute`), and numeric ones in decimal or hex, with or
/// without `;` (`&#8217;`, `&#x00E4;`, `&#038`). Numbers 0x80-0x9F mean their Windows-1252
/// characters, as browsers read them; zero, surrogates and numbers past U+10FFFF become U+FFFD.
/// What is not a reference stays as it was. Each `&` looks at no more than 40 bytes after it, so
/// decoding is linear in the input.
enum HTMLEntities {
    /// Name (without `;`) to its text and whether the legacy form without `;` is accepted.
    private static let named: [String: (text: [UInt8], legacy: Bool)] = {
        var table: [String: (text: [UInt8], legacy: Bool)] = [:]
        table.reserveCapacity(2200)
        for line in HTMLEntityTable.text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            var name = line[..<space]
            let legacy = name.hasPrefix("*")
            if legacy { name = name.dropFirst() }
            var text = ""
            for hex in line[line.index(after: space)...].split(separator: ",") {
                if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) { text.unicodeScalars.append(scalar) }
            }
            table[String(name)] = (Array(text.utf8), legacy)
        }
        return table
    }()

    /// The longest legacy name (`AElig`, `middot`...: at most 6 letters).
    private static let longestLegacy = 6
    /// The longest name of all (`CounterClockwiseContourIntegral`: 31 letters).
    private static let longestName = 32

    /// Windows-1252's characters for numeric references 0x80-0x9F (0: keep the number).
    private static let windows1252: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    /// `s` with its character references decoded. In an attribute value a legacy name without
    /// `;` followed by a letter, digit or `=` is left alone (`?a=1&copy=2` stays), as HTML says.
    static func decode(_ s: String, inAttribute: Bool = false) -> String {
        guard s.utf8.contains(UInt8(ascii: "&")) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var s = s
        s.withUTF8 { decode($0[...], inAttribute: inAttribute, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the bytes with their character references decoded to `out`.
    static func decode(_ b: Slice<UnsafeBufferPointer<UInt8>>, inAttribute: Bool, into out: inout [UInt8]) {
        var i = b.startIndex
        let end = b.endIndex
        while i < end {
            let c = b[i]
            guard c == UInt8(ascii: "&") else {
                // Copy the run up to the next '&' at once.
                var j = i + 1
                while j < end && b[j] != UInt8(ascii: "&") { j += 1 }
                out.append(contentsOf: b[i..<j])
                i = j
                continue
            }
            // An '&' before anything but a letter, a digit or '#' starts no reference.
            if i + 1 >= end || !(isAlphanumeric(b[i + 1]) || b[i + 1] == UInt8(ascii: "#")) {
                out.append(c)
                i += 1
                continue
            }
            if let (decoded, next) = reference(b, at: i, inAttribute: inAttribute) {
                appendScalars(decoded, to: &out)
                i = next
            } else {
                out.append(c)
                i += 1
            }
        }
    }

    private enum Decoded { case scalar(UInt32), text([UInt8]) }

    private static func appendScalars(_ d: Decoded, to out: inout [UInt8]) {
        switch d {
        case .text(let t): out += t
        case .scalar(let v):
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            out += Array(String(Character(scalar)).utf8)
        }
    }

    /// The reference starting at the `&` at `i`, and the index after it; nil when there is none.
    private static func reference(_ b: Slice<UnsafeBufferPointer<UInt8>>, at i: Int, inAttribute: Bool) -> (Decoded, Int)? {
        let end = b.endIndex
        var j = i + 1
        guard j < end else { return nil }
        if b[j] == UInt8(ascii: "#") {
            j += 1
            var hex = false
            if j < end && (b[j] == UInt8(ascii: "x") || b[j] == UInt8(ascii: "X")) { hex = true; j += 1 }
            let digitsStart = j
            var value: UInt32 = 0
            while j < end, let d = digit(b[j], hex: hex) {
                value = value > 0x10FFFF ? value : value * (hex ? 16 : 10) + d
                j += 1
            }
            guard j > digitsStart else { return nil }
            if j < end && b[j] == UInt8(ascii: ";") { j += 1 }
            switch value {
            case 0, 0xD800...0xDFFF, 0x110000...: value = 0xFFFD
            case 0x80...0x9F: value = windows1252[Int(value - 0x80)]
            default: break
            }
            return (.scalar(value), j)
        }
        // A run of letters and digits: the name, when a `;` follows and it is known; otherwise
        // the longest legacy name it starts with.
        let nameStart = j
        while j < end && j - nameStart < longestName && isAlphanumeric(b[j]) { j += 1 }
        guard j > nameStart else { return nil }
        if j < end && b[j] == UInt8(ascii: ";"), let entry = named[String(decoding: b[nameStart..<j], as: UTF8.self)] {
            return (.text(entry.text), j + 1)
        }
        var length = min(j - nameStart, longestLegacy)
        while length >= 2 {
            let nameEnd = nameStart + length
            if let entry = named[String(decoding: b[nameStart..<nameEnd], as: UTF8.self)], entry.legacy {
                if inAttribute && nameEnd < end && (isAlphanumeric(b[nameEnd]) || b[nameEnd] == UInt8(ascii: "=")) { return nil }
                return (.text(entry.text), nameEnd)
            }
            length -= 1
        }
        return nil
    }

    private static func digit(_ c: UInt8, hex: Bool) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46 where hex: return UInt32(c - 0x41 + 10)
        case 0x61...0x66 where hex: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
