/// Reads the date forms news pages print, in many languages, and writes them as ISO 8601,
/// keeping what was given and nothing more: a date alone stays a date (`2024-03-26`); a time
/// without a zone stays without one (`2024-04-26T20:38`); a zone is kept
/// (`2024-03-26T14:05:00+01:00`, `...Z`).
///
/// Forms read: ISO 8601 (extended, and basic `20240326` for whole values); numeric `26.03.2024`,
/// `26/03/2024`, `3/26/2024` (month first when the day cannot be first, or when the caller says
/// the page is American), `2024/03/26`, `26.03.24`; written `March 26, 2024`, `Tue, 26 Mar 2024`,
/// `26. März 2024`, `le 3 mars 2024`, `3 de marzo de 2024`, `26 марта 2024`, `2024. március 26.`,
/// `2024年3月26日`, `2024년 3월 26일` (month names of English, German, French, Spanish, Italian,
/// Portuguese, Dutch, the Scandinavian languages, Polish, Czech, Finnish, Hungarian, Turkish,
/// Russian, Ukrainian and Indonesian); a time after the date (`20:38`, `8:38 pm`, `14.45 Uhr`,
/// `14h45`); Unix timestamps as whole values. Years 1990-2099 only: a news date outside them is
/// far more likely a number that is not a date. Never the current date: the same text gives the
/// same answer in every copy on every day.
enum NewsDate {
    /// One date found in a text.
    struct Found: Equatable {
        /// The ISO 8601 form.
        let iso: String
        let year: Int, month: Int, day: Int
        /// Whether a clock time was given with the date.
        let hasTime: Bool
    }

    /// The ISO 8601 form of the first date found in `text`, or nil.
    static func find(in text: String, monthFirst: Bool = false) -> String? {
        if let iso = isoDate(in: text) { return iso }
        return dates(in: text, monthFirst: monthFirst, limit: 1).first?.iso
    }

    /// A structured value (a meta tag's content, a JSON-LD date, a `datetime` attribute): ISO
    /// 8601 extended or basic, a Unix timestamp, or any form `find` reads.
    static func parseValue(_ value: String, monthFirst: Bool = false) -> String? {
        let v = value.trimmedWhitespace
        guard !v.isEmpty, v.utf8.count <= 200 else { return v.isEmpty ? nil : find(in: String(v.prefix(200)), monthFirst: monthFirst) }
        if let iso = isoDate(in: v) { return iso }
        let b = Array(v.utf8)
        if b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            if b.count == 8, let y = decimalNumber(b, at: 0, count: 4), let m = decimalNumber(b, at: 4, count: 2), let d = decimalNumber(b, at: 6, count: 2),
               valid(y, m, d) {
                return "\(y)-\(pad(m))-\(pad(d))"
            }
            if b.count == 10 || b.count == 13, let seconds = Int(v.prefix(10)) { return unixTime(seconds) }
            return nil
        }
        // Basic format with a time: 20240326T140500Z, 20240326T1405+0100.
        if b.count >= 13, b[8] == UInt8(ascii: "T"), let y = decimalNumber(b, at: 0, count: 4), let m = decimalNumber(b, at: 4, count: 2),
           let d = decimalNumber(b, at: 6, count: 2), valid(y, m, d), let h = decimalNumber(b, at: 9, count: 2), let mi = decimalNumber(b, at: 11, count: 2),
           h < 24, mi < 60 {
            var out = "\(y)-\(pad(m))-\(pad(d))T\(pad(h)):\(pad(mi))"
            var k = 13
            if let s = decimalNumber(b, at: 13, count: 2) { out += ":\(pad(s))"; k = 15 }
            if k < b.count, b[k] == UInt8(ascii: "Z") { out += "Z" } else if k + 5 <= b.count, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-"),
                                                                             let z = decimalNumber(b, at: k + 1, count: 4) {
                out += String(UnicodeScalar(b[k])) + pad(z / 100) + ":" + pad(z % 100)
            }
            return out
        }
        return find(in: v, monthFirst: monthFirst)
    }

    /// Every date in `text`, in order (at most `limit`).
    static func dates(in text: String, monthFirst: Bool = false, limit: Int = .max) -> [Found] {
        let tokens = tokenize(text)
        var out: [Found] = []
        var k = 0
        while k < tokens.count && out.count < limit {
            if let (found, next) = match(tokens, at: k, monthFirst: monthFirst) {
                out.append(found)
                k = next
            } else {
                k += 1
            }
        }
        return out
    }

    // MARK: ISO 8601

    /// `2024-03-26`, `2024-03-26T14:05`, `2024-03-26T14:05:09.5Z`, `2024-03-26 14:05:09+01:00`.
    private static func isoDate(in text: String) -> String? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? { decimalNumber(b, at: at, count: n) }
        var i = 0
        while i + 10 <= b.count {
            if (i == 0 || !(b[i - 1] >= 0x30 && b[i - 1] <= 0x39)), let y = digits(i, 4), y >= 1990, y <= 2099,
               b[i + 4] == UInt8(ascii: "-"), let m = digits(i + 5, 2), b[i + 7] == UInt8(ascii: "-"),
               let d = digits(i + 8, 2), valid(y, m, d), i + 10 == b.count || !(b[i + 10] >= 0x30 && b[i + 10] <= 0x39) {
                var end = i + 10
                var out = String(decoding: b[i..<end], as: UTF8.self)
                if end + 6 <= b.count, b[end] == UInt8(ascii: "T") || b[end] == UInt8(ascii: " "),
                   let h = digits(end + 1, 2), h < 24, b[end + 3] == UInt8(ascii: ":"), let mi = digits(end + 4, 2), mi < 60 {
                    out += "T" + String(decoding: b[(end + 1)..<(end + 6)], as: UTF8.self)
                    end += 6
                    if end + 3 <= b.count, b[end] == UInt8(ascii: ":"), digits(end + 1, 2) != nil {
                        out += String(decoding: b[end..<(end + 3)], as: UTF8.self)
                        end += 3
                        if end < b.count, b[end] == UInt8(ascii: ".") || b[end] == UInt8(ascii: ",") {
                            var k = end + 1
                            while k < b.count, b[k] >= 0x30 && b[k] <= 0x39 { k += 1 }
                            if k > end + 1 { out += "." + String(decoding: b[(end + 1)..<k], as: UTF8.self) }
                            end = k
                        }
                    }
                    while end < b.count, b[end] == UInt8(ascii: " ") { end += 1 }
                    if end < b.count, b[end] == UInt8(ascii: "Z") {
                        out += "Z"
                    } else if end + 6 <= b.count, b[end] == UInt8(ascii: "+") || b[end] == UInt8(ascii: "-"),
                              digits(end + 1, 2) != nil, b[end + 3] == UInt8(ascii: ":"), digits(end + 4, 2) != nil {
                        out += String(decoding: b[end..<(end + 6)], as: UTF8.self)
                    } else if end + 5 <= b.count, b[end] == UInt8(ascii: "+") || b[end] == UInt8(ascii: "-"), digits(end + 1, 4) != nil {
                        let z = String(decoding: b[(end + 1)..<(end + 5)], as: UTF8.self)
                        out += String(UnicodeScalar(b[end])) + z.prefix(2) + ":" + z.suffix(2)
                    } else if end + 3 <= b.count, b[end] == UInt8(ascii: "+") || b[end] == UInt8(ascii: "-"), let z = digits(end + 1, 2),
                              end + 3 == b.count || !(b[end + 3] >= 0x30 && b[end + 3] <= 0x39) {
                        out += String(UnicodeScalar(b[end])) + pad(z) + ":00"
                    }
                }
                return out
            }
            i += 1
        }
        return nil
    }

    // MARK: Tokens

    private enum Kind: Equatable { case number, word, mark }

    private struct Token {
        let kind: Kind
        /// A word lowercased, a mark's character, a number's count of digits.
        let text: String
        let value: Int
        /// Whether white space came before it.
        let spaced: Bool
    }

    /// Words (runs of letters, lowercased), numbers (runs of ASCII digits) and single marks
    /// (punctuation, and 年月日년월일 as marks of their own); white space only separates.
    private static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var word = String.UnicodeScalarView()
        var number = 0, digits = 0
        var spaced = false
        func flush() {
            if !word.isEmpty {
                tokens.append(Token(kind: .word, text: String(word).lowercased(), value: 0, spaced: spaced))
                word.removeAll(keepingCapacity: true)
                spaced = false
            } else if digits > 0 {
                tokens.append(Token(kind: .number, text: String(digits), value: digits > 9 ? Int.max : number, spaced: spaced))
                number = 0; digits = 0
                spaced = false
            }
        }
        for s in text.unicodeScalars {
            let v = s.value
            if v >= 0x30 && v <= 0x39 {
                if !word.isEmpty { flush() }
                number = digits < 10 ? number * 10 + Int(v - 0x30) : number
                digits += 1
            } else if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0xC0 && !isMarkScalar(v) && s.properties.isAlphabetic) {
                if digits > 0 { flush() }
                word.append(s)
            } else {
                flush()
                if v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D || v == 0xA0 || v == 0x202F || v == 0x2009 {
                    spaced = true
                } else {
                    tokens.append(Token(kind: .mark, text: String(Character(s)), value: 0, spaced: spaced))
                    spaced = false
                }
            }
        }
        flush()
        return tokens
    }

    private static func isMarkScalar(_ v: UInt32) -> Bool {
        v == 0x5E74 || v == 0x6708 || v == 0x65E5 || v == 0xB144 || v == 0xC6D4 || v == 0xC77C  // 年 月 日 년 월 일
    }

    // MARK: Patterns

    /// A date starting at token `k`, and the index after it (and after a time that follows).
    private static func match(_ t: [Token], at k: Int, monthFirst: Bool) -> (Found, Int)? {
        let tk = t[k]
        if tk.kind == .number { return numeric(t, at: k, monthFirst: monthFirst) ?? dayMonthYear(t, at: k) ?? yearMonthDay(t, at: k) }
        if tk.kind == .word, month(tk.text) != nil { return monthDayYear(t, at: k) }
        return nil
    }

    private static func digitCount(_ token: Token) -> Int { Int(token.text) ?? 0 }
    private static func isMark(_ t: [Token], _ k: Int, _ marks: String) -> Bool { k < t.count && t[k].kind == .mark && marks.contains(t[k].text) }
    private static func number(_ t: [Token], _ k: Int) -> Token? { k < t.count && t[k].kind == .number ? t[k] : nil }
    private static func word(_ t: [Token], _ k: Int) -> String? { k < t.count && t[k].kind == .word ? t[k].text : nil }

    /// `26.03.2024`, `26/03/2024`, `03/26/2024`, `2024-03-26`, `2024/03/26`, `26.03.24`.
    private static func numeric(_ t: [Token], at k: Int, monthFirst: Bool) -> (Found, Int)? {
        guard k + 4 < t.count, let a = number(t, k), t[k + 1].kind == .mark, let b = number(t, k + 2), let c = number(t, k + 4),
              t[k + 3].kind == .mark, t[k + 3].text == t[k + 1].text else { return nil }
        let sep = t[k + 1].text
        guard sep == "." || sep == "/" || sep == "-" else { return nil }
        // No spaces inside, except after the dots of "26. 03. 2024".
        if (t[k + 1].spaced || t[k + 3].spaced) || ((t[k + 2].spaced || t[k + 4].spaced) && sep != ".") { return nil }
        // Not part of a longer run of numbers (a version, an IP address, a phone number).
        if k > 0, t[k - 1].kind == .mark, t[k - 1].text == sep || t[k - 1].text == ",", !t[k].spaced, k > 1, t[k - 2].kind == .number { return nil }
        if isMark(t, k + 5, sep), !t[k + 5].spaced, number(t, k + 6) != nil, !t[k + 6].spaced { return nil }
        let ad = digitCount(a), bd = digitCount(b), cd = digitCount(c)
        var y = 0, m = 0, d = 0
        if ad == 4 && bd <= 2 && cd <= 2 {
            (y, m, d) = (a.value, b.value, c.value)
        } else if ad <= 2 && bd <= 2 && cd == 4 {
            if sep == "/" && (b.value > 12 || (monthFirst && a.value <= 12)) { (y, m, d) = (c.value, a.value, b.value) } else { (y, m, d) = (c.value, b.value, a.value) }
        } else if ad <= 2 && bd == 2 && cd == 2 && sep == "." {
            (y, m, d) = (c.value < 70 ? 2000 + c.value : 1900 + c.value, b.value, a.value)
        } else {
            return nil
        }
        guard valid(y, m, d) else { return nil }
        return withTime(t, after: k + 5, y, m, d)
    }

    /// `26 March 2024`, `26. März 2024`, `26th of March, 2024`, `3 de marzo de 2024`, `1er mars 2024`.
    private static func dayMonthYear(_ t: [Token], at k: Int) -> (Found, Int)? {
        guard let dayToken = number(t, k), digitCount(dayToken) <= 2, (1...31).contains(dayToken.value) else { return nil }
        var j = k + 1
        if isMark(t, j, ".") { j += 1 }
        if let w = word(t, j), ["st", "nd", "rd", "th", "er", "e", "º", "o"].contains(w), !t[j].spaced { j += 1 }
        if let w = word(t, j), w == "of" || w == "de" || w == "di" { j += 1 }
        guard let w = word(t, j), let m = month(w) else { return nil }
        j += 1
        if isMark(t, j, ".") { j += 1 }
        if isMark(t, j, ",") { j += 1 }
        if let w = word(t, j), w == "de" || w == "del" { j += 1 }
        guard let yearToken = number(t, j), digitCount(yearToken) == 4 else { return nil }
        guard valid(yearToken.value, m, dayToken.value) else { return nil }
        return withTime(t, after: j + 1, yearToken.value, m, dayToken.value)
    }

    /// `March 26, 2024`, `Mar. 26th 2024`, and `Nov 23 16:00:00 EDT 2014` (a time before the year).
    private static func monthDayYear(_ t: [Token], at k: Int) -> (Found, Int)? {
        guard let m = month(t[k].text) else { return nil }
        var j = k + 1
        if isMark(t, j, ".") { j += 1 }
        guard let dayToken = number(t, j), digitCount(dayToken) <= 2, (1...31).contains(dayToken.value) else { return nil }
        j += 1
        if let w = word(t, j), ["st", "nd", "rd", "th"].contains(w), !t[j].spaced { j += 1 }
        if isMark(t, j, ",.") { j += 1 }
        if let yearToken = number(t, j), digitCount(yearToken) == 4 {
            guard valid(yearToken.value, m, dayToken.value) else { return nil }
            return withTime(t, after: j + 1, yearToken.value, m, dayToken.value)
        }
        // A time, maybe a zone, then the year.
        if let (h, mi, s, next) = clock(t, at: j) {
            var n = next
            if let w = word(t, n), w.count <= 4, w.allSatisfy({ $0.isLetter }) { n += 1 }
            if let yearToken = number(t, n), digitCount(yearToken) == 4, valid(yearToken.value, m, dayToken.value) {
                let found = make(yearToken.value, m, dayToken.value, time: (h, mi, s))
                return (found, n + 1)
            }
        }
        return nil
    }

    /// `2024年3月26日`, `2024년 3월 26일`, `2024. március 26.`
    private static func yearMonthDay(_ t: [Token], at k: Int) -> (Found, Int)? {
        guard let yearToken = number(t, k), digitCount(yearToken) == 4 else { return nil }
        if isMark(t, k + 1, "年년"), let m = number(t, k + 2), isMark(t, k + 3, "月월"), let d = number(t, k + 4), isMark(t, k + 5, "日일"),
           valid(yearToken.value, m.value, d.value) {
            return withTime(t, after: k + 6, yearToken.value, m.value, d.value)
        }
        var j = k + 1
        if isMark(t, j, ".") { j += 1 }
        if let w = word(t, j), let m = month(w), let d = number(t, j + 1), digitCount(d) <= 2, valid(yearToken.value, m, d.value) {
            j += 2
            if isMark(t, j, ".") { j += 1 }
            return withTime(t, after: j, yearToken.value, m, d.value)
        }
        return nil
    }

    /// The date with the clock time that follows at `k` (after at most a few connecting words or
    /// marks: `, 20:38`, `um 14:45 Uhr`, `at 8:38 pm`, `- 14h45`).
    private static func withTime(_ t: [Token], after k: Int, _ y: Int, _ m: Int, _ d: Int) -> (Found, Int) {
        var j = k
        var skipped = 0
        while j < t.count, skipped < 3 {
            if let (h, mi, s, next) = clock(t, at: j) {
                var found = make(y, m, d, time: (h, mi, s))
                // A zone right after: Z, UTC/GMT, +0100, +01:00.
                var n = next
                if let w = word(t, n), w == "utc" || w == "gmt" || w == "z" {
                    if isMark(t, n + 1, "+-"), let z = number(t, n + 2) {
                        found = Found(iso: found.iso + zone(t[n + 1].text, z, t, n + 3), year: y, month: m, day: d, hasTime: true)
                        n += 3
                    } else {
                        found = Found(iso: found.iso + "Z", year: y, month: m, day: d, hasTime: true)
                        n += 1
                    }
                } else if isMark(t, n, "+-"), let z = number(t, n + 1), digitCount(z) == 4 || (digitCount(z) == 2 && isMark(t, n + 2, ":")) {
                    found = Found(iso: found.iso + zone(t[n].text, z, t, n + 2), year: y, month: m, day: d, hasTime: true)
                    n += 2
                }
                return (found, n)
            }
            guard j < t.count else { break }
            let token = t[j]
            let connector = token.kind == .mark ? ",-–—|·@(/".contains(token.text) :
                token.kind == .word ? ["at", "um", "à", "a", "las", "alle", "ore", "kl", "klo", "om", "o", "godz", "в", "saat", "le", "den", "der"].contains(token.text) : false
            guard connector else { break }
            j += 1
            skipped += 1
        }
        return (make(y, m, d, time: nil), k)
    }

    /// The zone `sign` + `z` (`0100`, or `01` with `:00` following at `k`).
    private static func zone(_ sign: String, _ z: Token, _ t: [Token], _ k: Int) -> String {
        if digitCount(z) == 4 { return sign + pad(z.value / 100) + ":" + pad(z.value % 100) }
        if isMark(t, k, ":"), let mm = number(t, k + 1) { return sign + pad(z.value) + ":" + pad(mm.value) }
        return sign + pad(z.value) + ":00"
    }

    /// A clock time at token `k`: `20:38`, `20:38:05`, `8:38 pm`, `8.38 p.m.`, `14.45 Uhr`, `14h45`.
    private static func clock(_ t: [Token], at k: Int) -> (Int, Int, Int?, Int)? {
        guard let hToken = number(t, k), digitCount(hToken) <= 2, hToken.value < 24 else { return nil }
        var h = hToken.value
        var j = k + 1
        let separator: String
        if isMark(t, j, ":.") && !t[j].spaced {
            separator = t[j].text
            j += 1
        } else if let w = word(t, j), w == "h", !t[j].spaced {
            separator = "h"
            j += 1
        } else {
            return nil
        }
        guard let mToken = number(t, j), digitCount(mToken) == 2, mToken.value < 60, !t[j].spaced else { return nil }
        j += 1
        var s: Int? = nil
        if separator == ":", isMark(t, j, ":"), let sToken = number(t, j + 1), digitCount(sToken) == 2, sToken.value < 60 {
            s = sToken.value
            j += 2
        }
        var meridiem: String? = nil
        if let w = word(t, j), w == "am" || w == "pm" { meridiem = w; j += 1 } else if let w = word(t, j), w == "a" || w == "p", isMark(t, j + 1, "."), word(t, j + 2) == "m" {
            meridiem = w + "m"
            j += 3
            if isMark(t, j, ".") { j += 1 }
        }
        let uhr = word(t, j) == "uhr"
        if uhr { j += 1 }
        // "14.45" is a time only as "14.45 Uhr" or with am/pm; otherwise it may be a number.
        if separator == "." && !uhr && meridiem == nil { return nil }
        if meridiem == "pm" && h < 12 { h += 12 }
        if meridiem == "am" && h == 12 { h = 0 }
        return (h, mToken.value, s, j)
    }

    private static func make(_ y: Int, _ m: Int, _ d: Int, time: (Int, Int, Int?)?) -> Found {
        var iso = "\(y)-\(pad(m))-\(pad(d))"
        if let (h, mi, s) = time {
            iso += "T\(pad(h)):\(pad(mi))"
            if let s { iso += ":\(pad(s))" }
        }
        return Found(iso: iso, year: y, month: m, day: d, hasTime: time != nil)
    }

    /// Whether y-m-d is a real day in the years news dates are read for.
    static func valid(_ y: Int, _ m: Int, _ d: Int) -> Bool {
        guard (1990...2099).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let days = [31, y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }

    /// A Unix time as an ISO 8601 UTC date and time.
    private static func unixTime(_ seconds: Int) -> String? {
        guard seconds > 631_152_000, seconds < 4_102_444_800 else { return nil }  // 1990-2099
        let days = seconds / 86_400, rest = seconds % 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return "\(y)-\(pad(m))-\(pad(d))T\(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60))Z"
    }

    // MARK: Month names

    /// The month a word names, in any of the languages read.
    static func month(_ word: String) -> Int? { monthNames[word] }

    private static let monthNames: [String: Int] = {
        let lists: [[String]] = [
            // English
            ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"],
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            // German
            ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"],
            ["jänner", "feber", "maerz", "", "", "", "", "", "sept", "okt", "", "dez"],
            ["", "", "mär", "", "", "", "", "", "", "", "", ""], ["", "", "mrz", "", "", "", "", "", "", "", "", ""],
            // French
            ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
            ["janv", "févr", "", "avr", "", "", "juil", "aout", "", "", "", "déc"],
            ["", "fevrier", "", "", "", "", "", "", "", "", "", "decembre"], ["", "fév", "", "", "", "", "", "", "", "", "", ""],
            // Spanish
            ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
            ["ene", "", "", "abr", "", "", "", "ago", "setiembre", "", "", "dic"],
            // Italian
            ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
            ["gen", "", "", "", "mag", "giu", "lug", "", "set", "ott", "", ""],
            // Portuguese
            ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
            ["", "fev", "marco", "", "", "", "", "", "", "out", "", ""],
            // Dutch
            ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
            ["", "", "mrt", "", "", "", "", "", "", "", "", ""],
            // Swedish, Danish, Norwegian
            ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"],
            ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "desember"],
            // Polish (genitive, as dates say it, and nominative)
            ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"],
            ["styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"],
            // Czech
            ["ledna", "února", "března", "dubna", "května", "června", "července", "srpna", "září", "října", "listopadu", "prosince"],
            // Finnish
            ["tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"],
            // Hungarian
            ["január", "február", "március", "április", "május", "június", "július", "augusztus", "szeptember", "október", "november", "december"],
            // Turkish
            ["ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim", "kasım", "aralık"],
            // Russian (genitive and nominative), Ukrainian (genitive)
            ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
            ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"],
            ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"],
            // Indonesian
            ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november", "desember"],
        ]
        var table: [String: Int] = [:]
        for list in lists {
            for (n, name) in list.enumerated() where !name.isEmpty && table[name] == nil { table[name] = n + 1 }
        }
        return table
    }()

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
