import Foundation

/// Which character encoding a page's bytes are in, found as a browser finds it (WHATWG Encoding,
/// "encoding sniffing"): a byte-order mark first, then the charset an HTTP header declares, then
/// one a `<meta charset>` or `<meta http-equiv=Content-Type>` declares near the top of the page.
/// Labels are read as WHATWG reads them (`latin1`, `iso-8859-1` and `ascii` mean Windows-1252;
/// `gb2312` and `gbk` mean GB18030, its superset).
enum Charset {
    /// The encoding a byte-order mark names, and the mark's length.
    static func byteOrderMark(_ bytes: [UInt8]) -> (name: String, length: Int)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return ("utf-8", 3) }
        if bytes.starts(with: [0xFF, 0xFE]) { return ("utf-16le", 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return ("utf-16be", 2) }
        return nil
    }

    /// The charset parameter of a `Content-Type` value (`text/html; charset="ISO-8859-1"`), lowercased.
    static func parameter(inContentType value: String) -> String? {
        let lower = value.lowercased()
        guard let range = lower.range(of: "charset") else { return nil }
        var rest = lower[range.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" }
        let label = rest.prefix { !($0 == ";" || $0 == "\"" || $0 == "'" || $0 == " " || $0 == "," || $0 == "\t") }
        return label.isEmpty ? nil : String(label)
    }

    /// How far into a page `declaredInHTML` looks for a `<meta>` charset.
    static let prescanLength = 32 * 1024

    /// The charset the page's first `prescanLength` bytes declare in a `<meta>` element, lowercased.
    static func declaredInHTML(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(prescanLength))
        return head.withUnsafeBufferPointer { buffer -> String? in
            var scanner = HTMLScanner(buffer)
            while let token = scanner.next() {
                guard case .start(let tag) = token else {
                    if case .end("head") = token { return nil }
                    continue
                }
                if tag.name == "body" { return nil }
                guard tag.name == "meta" else { continue }
                if let charset = tag["charset"]?.trimmedWhitespace.lowercased(), !charset.isEmpty { return charset }
                if tag["http-equiv"]?.lowercased() == "content-type", let content = tag["content"], let charset = parameter(inContentType: content) {
                    return charset
                }
            }
            return nil
        }
    }

    /// The encoding a label names, as WHATWG Encoding maps labels; nil for one not known here.
    static func canonicalName(_ label: String) -> String? {
        let l = label.trimmedWhitespace.lowercased()
        switch l {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return "utf-8"
        case "utf-16", "utf-16le", "unicode", "ucs-2", "unicodefeff": return "utf-16le"
        case "utf-16be", "unicodefffe": return "utf-16be"
        case "iso-8859-1", "iso8859-1", "latin1", "l1", "ascii", "us-ascii", "windows-1252", "cp1252", "x-cp1252", "iso_8859-1", "cp819",
             "ibm819", "iso-ir-100", "csisolatin1", "iso88591", "ansi_x3.4-1968": return "windows-1252"
        case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "chinese", "csgb2312", "euc-cn", "gb_2312-80", "iso-ir-58", "windows-936": return "gb18030"
        case "big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5": return "big5"
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "csshiftjis", "ms932": return "shift_jis"
        case "iso-2022-jp", "csiso2022jp": return "iso-2022-jp"
        case "euc-kr", "ks_c_5601-1987", "windows-949", "cseuckr", "korean", "ks_c_5601-1989", "ksc5601", "ksc_5601": return "euc-kr"
        case "koi8-r", "koi8", "koi", "cskoi8r", "koi8_r": return "koi8-r"
        case "koi8-u", "koi8-ru": return "koi8-u"
        default: break
        }
        if l.hasPrefix("windows-125"), let n = Int(l.dropFirst(11)), (0...8).contains(n) { return n == 2 ? "windows-1252" : "windows-125\(n)" }
        if l.hasPrefix("cp125"), let n = Int(l.dropFirst(5)), (0...8).contains(n) { return n == 2 ? "windows-1252" : "windows-125\(n)" }
        if l == "windows-874" || l == "tis-620" || l == "iso-8859-11" { return "windows-874" }
        for prefix in ["iso-8859-", "iso8859-", "iso_8859-"] where l.hasPrefix(prefix) {
            if let n = Int(l.dropFirst(prefix.count)), [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16].contains(n) { return "iso-8859-\(n)" }
            if l.dropFirst(prefix.count) == "9" { return "windows-1254" }  // WHATWG: ISO-8859-9 is read as Windows-1254
        }
        if l == "latin2" || l == "l2" { return "iso-8859-2" }
        if l == "latin9" || l == "l9" { return "iso-8859-15" }
        return nil
    }

    /// Foundation's number for an encoding named by `canonicalName` (CFStringEncoding values with
    /// the high bit set, the NSStringEncoding form of them).
    private static func foundationEncoding(_ name: String) -> String.Encoding? {
        switch name {
        case "utf-16le": return .utf16LittleEndian
        case "utf-16be": return .utf16BigEndian
        case "gb18030": return String.Encoding(rawValue: 0x8000_0632)
        case "big5": return String.Encoding(rawValue: 0x8000_0A03)
        case "shift_jis": return .shiftJIS
        case "iso-2022-jp": return .iso2022JP
        case "euc-kr": return String.Encoding(rawValue: 0x8000_0940)
        case "koi8-r": return String.Encoding(rawValue: 0x8000_0A02)
        case "koi8-u": return String.Encoding(rawValue: 0x8000_0A08)
        case "windows-874": return String.Encoding(rawValue: 0x8000_041D)
        case "windows-1250": return .windowsCP1250
        case "windows-1251": return .windowsCP1251
        case "windows-1253": return .windowsCP1253
        case "windows-1254": return .windowsCP1254
        case "windows-1255": return String.Encoding(rawValue: 0x8000_0505)
        case "windows-1256": return String.Encoding(rawValue: 0x8000_0506)
        case "windows-1257": return String.Encoding(rawValue: 0x8000_0507)
        case "windows-1258": return String.Encoding(rawValue: 0x8000_0508)
        default:
            if name.hasPrefix("iso-8859-"), let n = UInt(name.dropFirst(9)) { return String.Encoding(rawValue: 0x8000_0200 + n) }
            return nil
        }
    }

    /// The bytes read in encoding `name` (a `canonicalName`), or nil when this build cannot read
    /// that encoding or the bytes are not valid in it.
    static func decode(_ bytes: ArraySlice<UInt8>, as name: String) -> String? {
        switch name {
        case "utf-8": return String(decoding: bytes, as: UTF8.self)
        case "windows-1252": return TextDecoding.windows1252(bytes)
        default:
            guard let encoding = foundationEncoding(name) else { return nil }
            return String(data: Data(bytes), encoding: encoding)
        }
    }
}
