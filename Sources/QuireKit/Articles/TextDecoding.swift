/// Turns stored bytes into text for extraction and search: UTF-8 when the bytes are valid UTF-8
/// (a byte-order mark dropped), else Windows-1252 (a superset of Latin-1's printable range, what
/// mislabelled "Latin-1" news pages usually are). The stored bytes are never changed.
enum TextDecoding {
    /// The text and the name of the encoding used: `utf-8` or `windows-1252`.
    static func decode(_ bytes: [UInt8]) -> (text: String, encoding: String) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return (text, "utf-8") }
        // Built as UTF-8 bytes: appending scalars to a String one by one is many times slower.
        var utf8 = [UInt8]()
        utf8.reserveCapacity(bytes.count + bytes.count / 4)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else if byte < 0xA0, let mapped = windows1252[Int(byte - 0x80)] {
                utf8.append(contentsOf: String(mapped).utf8)
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        return (String(decoding: utf8, as: UTF8.self), "windows-1252")
    }

    /// Windows-1252's characters for bytes 0x80-0x9F (nil: undefined, kept as the C1 control).
    private static let windows1252: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]
}
