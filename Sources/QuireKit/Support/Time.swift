import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timestamps as Quire writes them: UTC, ISO 8601, with milliseconds (`2024-03-26T14:05:09.123Z`),
/// so that text order is time order and `sqlite3` can compare them directly.
public enum Timestamp {
    /// The current time.
    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let ms = Int(ts.tv_nsec) / 1_000_000
        // Ingest asks thousands of times a second: reuse the formatted second, change the milliseconds.
        return lastSecond.withLock { cache in
            if cache.second != Int(ts.tv_sec) {
                cache = (Int(ts.tv_sec), Array(format(seconds: Int(ts.tv_sec)).utf8))
            }
            var text = cache.text
            let n = text.count
            text[n - 4] = UInt8(48 + ms / 100)
            text[n - 3] = UInt8(48 + ms / 10 % 10)
            text[n - 2] = UInt8(48 + ms % 10)
            return String(decoding: text, as: UTF8.self)
        }
    }

    private static let lastSecond = Mutex<(second: Int, text: [UInt8])>((-1, []))

    /// Formats a time given as seconds since 1970 plus nanoseconds.
    public static func format(seconds: Int, nanoseconds: Int = 0) -> String {
        format(seconds: seconds, fraction: nanoseconds / 1_000_000, digits: 3)
    }

    /// Formats a file time given as seconds and nanoseconds, keeping all nine digits when they are
    /// not zero, so the recorded mtime is exactly what the file system said.
    public static func formatFileTime(seconds: Int, nanoseconds: Int) -> String {
        format(seconds: seconds, fraction: nanoseconds, digits: nanoseconds == 0 ? 0 : 9)
    }

    private static func format(seconds: Int, fraction: Int, digits: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = [UInt8]()
        out.reserveCapacity(32)
        func put(_ value: Int, _ width: Int) {
            var v = value
            var digits = [UInt8](repeating: 0x30, count: width)
            for i in stride(from: width - 1, through: 0, by: -1) { digits[i] = UInt8(0x30 + v % 10); v /= 10 }
            out.append(contentsOf: digits)
        }
        put(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        put(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        put(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        put(Int(parts.tm_sec), 2)
        if digits > 0 { out.append(UInt8(ascii: ".")); put(fraction, digits) }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Seconds since 1970 for a timestamp in the forms Quire writes (and a few ISO 8601 variants:
    /// a date alone, a time without fraction, `+hh:mm` offsets); nil when it cannot be read.
    public static func parse(_ text: String) -> Double? {
        let s = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? { decimalNumber(s, at: from, count: count) }
        guard let year = num(0, 4), s.count >= 10, s[4] == 45, let month = num(5, 2), s[7] == 45, let day = num(8, 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day) * 86_400)
        if s.count == 10 { return seconds }
        guard s.count >= 16, s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: " "),
              let hour = num(11, 2), s[13] == 58, let minute = num(14, 2) else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        var i = 16
        if i < s.count, s[i] == 58 {
            guard let sec = num(17, 2) else { return nil }
            seconds += Double(sec)
            i = 19
            if i < s.count, s[i] == UInt8(ascii: ".") {
                i += 1
                var scale = 0.1
                while i < s.count, s[i] >= 48, s[i] <= 57 {
                    seconds += Double(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        if i == s.count { return seconds }
        if s[i] == UInt8(ascii: "Z") && i + 1 == s.count { return seconds }
        if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-"), let oh = num(i + 1, 2) {
            var om = 0
            if i + 3 < s.count {
                let j = s[i + 3] == 58 ? i + 4 : i + 3
                guard let m = num(j, 2), j + 2 == s.count else { return nil }
                om = m
            } else if i + 3 != s.count { return nil }
            let offset = Double(oh * 3600 + om * 60)
            return s[i] == UInt8(ascii: "+") ? seconds - offset : seconds + offset
        }
        return nil
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// The number written by the `count` ASCII digits of `bytes` at `at`, or nil when one of them is
/// not a digit or they run past the end. Used by the timestamp and news-date readers.
func decimalNumber(_ bytes: [UInt8], at: Int, count: Int) -> Int? {
    guard at >= 0, at + count <= bytes.count else { return nil }
    var value = 0
    for i in at..<at + count {
        guard bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return nil }
        value = value * 10 + Int(bytes[i] - 0x30)
    }
    return value
}
