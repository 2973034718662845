/// Turns stored bytes into text for extraction and search. The stored bytes are never changed.
///
/// In order: a byte-order mark decides (UTF-8, UTF-16); bytes that are valid UTF-8 are UTF-8
/// whatever a page declares (a page labelled Latin-1 that is valid UTF-8 was mislabelled: real
/// Latin-1 text almost never forms valid multi-byte sequences); otherwise the charset an HTTP
/// header or, for HTML, a `<meta>` declares (`Charset`), when this build can read it; a page
/// declared UTF-8 with a few bad bytes is read as UTF-8 with U+FFFD for them; everything else as
/// Windows-1252 (a superset of Latin-1's printable range, what mislabelled "Latin-1" news pages
/// usually are).
enum TextDecoding {
    /// The text and the name of the encoding used (`utf-8`, `windows-1252`, `gb18030`, ...).
    /// `declared` is a charset from outside the bytes (an HTTP `Content-Type`); `html` says
    /// whether to look for a `<meta>` charset.
    static func decode(_ bytes: [UInt8], declared: String? = nil, html: Bool = false) -> (text: String, encoding: String) {
        if let (name, length) = Charset.byteOrderMark(bytes), let text = Charset.decode(bytes[length...], as: name) {
            return (text, name)
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, "utf-8") }
        let label = declared.flatMap(Charset.canonicalName) ?? (html ? Charset.declaredInHTML(bytes).flatMap(Charset.canonicalName) : nil)
        if let label {
            if label == "utf-8" {
                if mostlyUTF8(bytes) { return (String(decoding: bytes, as: UTF8.self), "utf-8") }
            } else if let text = Charset.decode(bytes[...], as: label) {
                return (text, label)
            }
        }
        return (windows1252(bytes[...]), "windows-1252")
    }

    /// Whether bytes that are not valid UTF-8 still hold more valid multi-byte sequences than
    /// invalid bytes (a UTF-8 page with a few stray bytes, not a Latin-1 page labelled UTF-8).
    private static func mostlyUTF8(_ bytes: [UInt8]) -> Bool {
        var valid = 0, invalid = 0, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0
            if length == 1 { i += 1; continue }
            if length == 0 || i + length > bytes.count || !bytes[(i + 1)..<(i + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) {
                invalid += 1
                i += 1
            } else {
                valid += 1
                i += length
            }
        }
        return valid > invalid
    }

    /// The bytes read as Windows-1252, written straight into UTF-8 (each byte is one character).
    static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else if byte < 0xA0, let mapped = windows1252High[Int(byte - 0x80)] {
                utf8.append(contentsOf: String(Character(mapped)).utf8)
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Windows-1252's characters for bytes 0x80-0x9F (nil: undefined, kept as the C1 control).
    private static let windows1252High: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]
}
