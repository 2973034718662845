import Deflate
import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// The achieved figures on the shared corpora, kept from falling. The scoring is meta-eval.py's
/// and body-eval.py's (../shared/tools), written again here so the test needs neither Python nor
/// a release binary; the figures it prints agree with the scripts' (docs/articles.md).
@Suite("Extraction floor on the shared corpora")
struct ExtractionFloorTests {
    /// Floors: the issue's targets (the best peer on each field; trafilatura's main-text F1 0.955).
    static let floors: [(metric: String, floor: Double)] = [
        ("date (same day)", 0.895), ("authors: any name right", 0.599), ("title loose", 0.850), ("url", 0.813),
        ("no-author pages: none given", 0.71),
    ]

    @Test("meta-eval: date, authors, title, URL and no-author figures at or above the targets")
    func metaEval() throws {
        let root = sharedDirectory + "/corpora/meta-eval"
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(readFile(root + "/expected.json"))) as? [String: [String: Any]])
        var applicable: [String: Int] = [:], right: [String: Int] = [:]
        for (name, exp) in expected {
            let m = MetadataExtractor.extract(try readFile(root + "/html/" + name))
            for (metric, _) in Self.floors {
                guard let ok = Score.page(metric, exp, m) else { continue }
                applicable[metric, default: 0] += 1
                if ok { right[metric, default: 0] += 1 }
            }
        }
        #expect(expected.count == 430)
        for (metric, floor) in Self.floors {
            let share = Double(right[metric, default: 0]) / Double(max(applicable[metric, default: 0], 1))
            print("meta-eval \(metric): \(String(format: "%.1f", share * 100))% (\(right[metric, default: 0])/\(applicable[metric, default: 0]))")
            #expect(share >= floor, "\(metric): \(share) < \(floor)")
        }
    }

    @Test("news-html: main-text F1 by the article-extraction-benchmark's metric at or above 0.96")
    func mainTextF1() throws {
        let root = sharedDirectory + "/corpora/news-html"
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(readFile(root + "/ground-truth.json"))) as? [String: [String: Any]])
        var precisions: [Double] = [], recalls: [Double] = []
        for (name, facts) in truth {
            let page = try Inflater.decompress(try readFile(root + "/html/\(name).html.gz"), format: .gzip)
            let text = MetadataExtractor.tidy(MetadataExtractor.extract(page).text)
            let (p, r) = Score.shingles(truth: facts["articleBody"] as? String ?? "", predicted: text)
            if let p { precisions.append(p) }
            if let r { recalls.append(r) }
        }
        let p = precisions.reduce(0, +) / Double(max(precisions.count, 1)), r = recalls.reduce(0, +) / Double(max(recalls.count, 1))
        let f1 = p + r > 0 ? 2 * p * r / (p + r) : 0
        print("news-html main text: F1 \(String(format: "%.3f", f1)) precision \(String(format: "%.3f", p)) recall \(String(format: "%.3f", r))")
        #expect(truth.count == 90)
        #expect(f1 >= 0.96)
    }
}

/// meta-eval.py's and body-eval.py's scoring rules.
private enum Score {
    /// Whether the page counts for the metric (nil: it does not) and whether the answer is right.
    static func page(_ metric: String, _ exp: [String: Any], _ m: ArticleMetadata) -> Bool? {
        let disputed = exp["disputed"] as? [String: Any] ?? [:]
        switch metric {
        case "title loose":
            guard let title = exp["title"] as? String, disputed["title"] == nil else { return nil }
            guard let got = m.value("title") else { return false }
            let a = loose(title), b = loose(got)
            if a == b { return true }
            let (short, long) = a.count <= b.count ? (a, b) : (b, a)
            return long.contains(short) && short.count >= 8 && Double(short.count) >= 0.3 * Double(long.count)
        case "date (same day)":
            guard let published = exp["published"] as? String, disputed["published"] == nil,
                  !((exp["date_check"] as? String ?? "").contains("DISPUTED")) else { return nil }
            guard let got = m.value("published"), let e = day(published), let g = day(got) else { return false }
            return e == g
        case "authors: any name right":
            guard let authors = exp["authors"] as? [String], !authors.isEmpty, disputed["authors"] == nil else { return nil }
            let e = Set(authors.map(nameNorm).filter { !$0.isEmpty }), g = Set(m.values("author").map(nameNorm).filter { !$0.isEmpty })
            return !e.isDisjoint(with: g)
        case "no-author pages: none given":
            guard exp["author_absent"] as? Bool == true else { return nil }
            return m.values("author").isEmpty
        case "url":
            guard let url = exp["url"] as? String, disputed["url"] == nil else { return nil }
            return urlNorm(url) == m.value("url").flatMap(urlNorm)
        default:
            return nil
        }
    }

    static func ws(_ s: String) -> String {
        s.precomposedStringWithCanonicalMapping.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static let fold: [Character: Character] = [
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'", "`": "'", "\u{201C}": "\"", "\u{201D}": "\"",
        "\u{201E}": "\"", "\u{00AB}": "\"", "\u{00BB}": "\"", "\u{2013}": "-", "\u{2014}": "-", "\u{2012}": "-", "\u{2212}": "-", "\u{00A0}": " ",
    ]

    static func loose(_ s: String) -> String {
        ws(String(ws(s).map { fold[$0] ?? $0 }).lowercased())
    }

    /// The calendar day of an ISO 8601 value, as written.
    static func day(_ s: String) -> String? {
        let b = Array(s.trimmedWhitespace.utf8)
        guard b.count >= 10, let y = decimalNumber(b, at: 0, count: 4), b[4] == UInt8(ascii: "-") || b[4] == UInt8(ascii: "/"),
              let m = decimalNumber(b, at: 5, count: 2), let d = decimalNumber(b, at: 8, count: 2) else { return nil }
        return "\(y)-\(m)-\(d)"
    }

    static func nameNorm(_ n: String) -> String {
        var s = ws(n).lowercased()
        for prefix in ["by ", "von ", "par ", "por ", "di "] where s.hasPrefix(prefix) { s = String(s.dropFirst(prefix.count)) }
        s = String(s.map { ".,;:!".contains($0) ? " " : $0 })
        return s.split(separator: " ").joined(separator: " ")
    }

    static func urlNorm(_ u: String) -> String? {
        var s = ws(u)
        if let hash = s.firstIndex(of: "#") { s = String(s[..<hash]) }
        guard let range = s.range(of: "//") else { return s.hasSuffix("/") ? String(s.dropLast()) : s }
        let prefix = s[..<range.lowerBound]
        guard prefix.isEmpty || (prefix.hasSuffix(":") && prefix.dropLast().allSatisfy { $0.isLetter || $0.isNumber || "+.-".contains($0) }) else { return s }
        let rest = s[range.upperBound...]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var host = rest[..<hostEnd].lowercased()
        if host.hasSuffix(":80") { host.removeLast(3) } else if host.hasSuffix(":443") { host.removeLast(4) }
        var out = host + rest[hostEnd...]
        while out.hasSuffix("/") { out.removeLast() }
        return out
    }

    /// The benchmark's per-page shingle precision and recall (nil where it does not count one).
    static func shingles(truth: String, predicted: String) -> (Double?, Double?) {
        let a = counts(truth), b = counts(predicted)
        var tp = 0.0, fp = 0.0, fn = 0.0
        for key in Set(a.keys).union(b.keys) {
            let x = Double(a[key] ?? 0), y = Double(b[key] ?? 0)
            tp += min(x, y); fp += max(0, y - x); fn += max(0, x - y)
        }
        let total = tp + fp + fn
        if total > 0 { tp /= total; fp /= total; fn /= total }
        let p: Double = fp == 0 && fn == 0 ? 1 : (tp == 0 && fp == 0 ? 0 : tp / (tp + fp))
        let r: Double = fp == 0 && fn == 0 ? 1 : (tp == 0 && fn == 0 ? 0 : tp / (tp + fn))
        return (tp + fp > 0 || (fp == 0 && fn == 0) ? p : nil, tp + fn > 0 || (fp == 0 && fn == 0) ? r : nil)
    }

    /// Python's `\w+` words in 4-word shingles, counted.
    private static func counts(_ text: String) -> [String: Int] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_" || scalar.properties.generalCategory == .decimalNumber
                || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var out: [String: Int] = [:]
        let n = max(1, words.count - 3)
        for i in 0..<n where i < words.count {
            out[words[i..<min(i + 4, words.count)].joined(separator: " "), default: 0] += 1
        }
        return out
    }
}
