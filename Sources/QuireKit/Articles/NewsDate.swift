/// Reads the date forms news pages print and writes them as ISO 8601, keeping what was given and
/// nothing more: a date alone stays a date (`2024-03-26`); a time without a zone stays without
/// one (`2024-04-26T20:38`); a zone is kept (`2024-03-26T14:05:00+01:00`, `...Z`).
enum NewsDate {
    private static let months = ["january", "february", "march", "april", "may", "june", "july", "august",
                                 "september", "october", "november", "december"]

    /// The ISO 8601 form of the first date found in `text`, or nil.
    static func find(in text: String) -> String? {
        if let iso = isoDate(in: text) { return iso }
        return writtenDate(in: text)
    }

    /// `2024-03-26`, `2024-03-26T14:05`, `2024-03-26T14:05:09.5Z`, `2024-03-26 14:05:09+01:00`.
    private static func isoDate(in text: String) -> String? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? { decimalNumber(b, at: at, count: n) }
        var i = 0
        while i + 10 <= b.count {
            if (i == 0 || !(b[i - 1] >= 0x30 && b[i - 1] <= 0x39)), let y = digits(i, 4), y >= 1900, y <= 2200,
               b[i + 4] == UInt8(ascii: "-"), let m = digits(i + 5, 2), (1...12).contains(m), b[i + 7] == UInt8(ascii: "-"),
               let d = digits(i + 8, 2), (1...31).contains(d) {
                var end = i + 10
                var out = String(decoding: b[i..<end], as: UTF8.self)
                if end + 6 <= b.count, b[end] == UInt8(ascii: "T") || b[end] == UInt8(ascii: " "),
                   let h = digits(end + 1, 2), h < 24, b[end + 3] == UInt8(ascii: ":"), let mi = digits(end + 4, 2), mi < 60 {
                    out += "T" + String(decoding: b[(end + 1)..<(end + 6)], as: UTF8.self)
                    end += 6
                    if end + 3 <= b.count, b[end] == UInt8(ascii: ":"), digits(end + 1, 2) != nil {
                        out += String(decoding: b[end..<(end + 3)], as: UTF8.self)
                        end += 3
                        if end < b.count, b[end] == UInt8(ascii: ".") {
                            var k = end + 1
                            while k < b.count, b[k] >= 0x30 && b[k] <= 0x39 { k += 1 }
                            out += String(decoding: b[end..<k], as: UTF8.self)
                            end = k
                        }
                    }
                    if end < b.count, b[end] == UInt8(ascii: "Z") {
                        out += "Z"
                    } else if end + 6 <= b.count, b[end] == UInt8(ascii: "+") || b[end] == UInt8(ascii: "-"),
                              digits(end + 1, 2) != nil, b[end + 3] == UInt8(ascii: ":"), digits(end + 4, 2) != nil {
                        out += String(decoding: b[end..<(end + 6)], as: UTF8.self)
                    } else if end + 5 <= b.count, b[end] == UInt8(ascii: "+") || b[end] == UInt8(ascii: "-"), digits(end + 1, 4) != nil {
                        let z = String(decoding: b[(end + 1)..<(end + 5)], as: UTF8.self)
                        out += String(UnicodeScalar(b[end])) + z.prefix(2) + ":" + z.suffix(2)
                    }
                }
                return out
            }
            i += 1
        }
        return nil
    }

    /// "March 26, 2024", "Mar. 26 2024", "26 March 2024", with an optional "20:38" after it.
    private static func writtenDate(in text: String) -> String? {
        let words = tokenize(text)
        for (k, word) in words.enumerated() {
            guard let month = monthNumber(word) else { continue }
            var day: Int?, year: Int?, next = k + 1
            if k + 2 < words.count, let d = Int(words[k + 1]), (1...31).contains(d), let y = Int(words[k + 2]), (1900...2200).contains(y) {
                (day, year, next) = (d, y, k + 3)            // March 26, 2024
            } else if k >= 1, k + 1 < words.count, let d = Int(words[k - 1]), (1...31).contains(d), let y = Int(words[k + 1]), (1900...2200).contains(y) {
                (day, year, next) = (d, y, k + 2)            // 26 March 2024
            }
            guard let day, let year else { continue }
            var out = "\(year)-\(pad(month))-\(pad(day))"
            if next < words.count, let time = clock(words[next], meridiem: next + 1 < words.count ? words[next + 1] : nil) { out += "T" + time }
            return out
        }
        return nil
    }

    /// Runs of ASCII letters, digits and ':' (lowercased); everything else separates them.
    private static func tokenize(_ text: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        for b in text.utf8 {
            let lower = b >= 65 && b <= 90 ? b + 32 : b
            if (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 58) {
                current.append(lower)
            } else if !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                if words.count > 400 { break }
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    private static func monthNumber(_ word: String) -> Int? {
        guard word.count >= 3 else { return nil }
        for (n, name) in months.enumerated() where name == word || (word.count == 3 && name.hasPrefix(word)) || (word == "sept" && n == 8) {
            return n + 1
        }
        return nil
    }

    private static func clock(_ word: String, meridiem: String?) -> String? {
        let parts = word.split(separator: ":")
        guard parts.count == 2 || parts.count == 3, var h = Int(parts[0]), let m = Int(parts[1]), h < 24, m < 60 else { return nil }
        if meridiem == "pm" && h < 12 { h += 12 }
        if meridiem == "am" && h == 12 { h = 0 }
        return "\(pad(h)):\(pad(m))" + (parts.count == 3 ? ":\(parts[2].prefix(2))" : "")
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
