import Foundation

/// A generated news corpus for tests and benchmarks: `articles` articles with realistic
/// structure and sizes (2–10 KB), each with an edit history (on average about 3.6 versions, each
/// edit adding or changing a few sentences), syndicated copies of some articles at other outlets'
/// paths, and identical recaptures. Everything is a pure function of the seed, so a test can know
/// exactly what an ingest must report.
public struct NewsCorpus: Sendable {
    public let articles: Int
    public let seed: UInt64
    /// Share of articles that another outlet reprints verbatim (a byte-identical file at another path).
    public let syndicatedFraction: Double
    /// Share of articles captured twice in the first snapshot (a byte-identical file at another path).
    public let recaptureFraction: Double

    public init(articles: Int, seed: UInt64 = 1, syndicatedFraction: Double = 0.07, recaptureFraction: Double = 0.03) {
        self.articles = articles
        self.seed = seed
        self.syndicatedFraction = syndicatedFraction
        self.recaptureFraction = recaptureFraction
    }

    // MARK: - Per-article facts

    private func random(_ i: Int, _ salt: UInt64) -> SplitMix {
        SplitMix(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(i) &* 0xD1B5_4A32_D192_ED03 ^ salt)
    }

    /// The outlet that published article `i`.
    public func outlet(_ i: Int) -> String {
        var r = random(i, 1)
        return Vocabulary.outlets[r.int(Vocabulary.outlets.count)]
    }

    /// Whether article `i` is plain text, HTML or JSON.
    public func format(_ i: Int) -> String {
        var r = random(i, 2)
        let x = r.int(100)
        return x < 55 ? "txt" : x < 92 ? "html" : "json"
    }

    /// Article `i`'s path relative to the corpus root, laid out like the site's URLs:
    /// `outlet/yyyy/mm/dd/section-slug-i.ext`.
    public func path(_ i: Int) -> String {
        var r = random(i, 3)
        let section = Vocabulary.sections[r.int(Vocabulary.sections.count)]
        let day = 1 + r.int(28), month = 1 + r.int(12)
        let slugWords = (0..<(3 + r.int(3))).map { _ in Vocabulary.common[120 + r.int(Vocabulary.common.count - 120)] }
            .map { $0.replacingOccurrences(of: "'", with: "") }
        return "\(outlet(i))/2026/\(pad(month))/\(pad(day))/\(section)-\(slugWords.joined(separator: "-"))-\(i).\(format(i))"
    }

    /// How many versions article `i` goes through (1 to 8, mean about 3.6).
    public func versionCount(_ i: Int) -> Int {
        var r = random(i, 4)
        let x = r.int(100)
        // 1:20% 2:15% 3:15% 4:15% 5:15% 6:10% 7:5% 8:5%  -> mean 3.65
        let cumulative = [20, 35, 50, 65, 80, 90, 95, 100]
        return cumulative.firstIndex { x < $0 }! + 1
    }

    /// Whether article `i` has a syndicated copy, and its path.
    public func syndicatedPath(_ i: Int) -> String? {
        var r = random(i, 5)
        guard r.double() < syndicatedFraction else { return nil }
        var other = Vocabulary.outlets[r.int(Vocabulary.outlets.count)]
        if other == outlet(i) { other = "wire-" + other }
        return "\(other)/syndicated/\(path(i).split(separator: "/").last!)"
    }

    /// Whether article `i` was captured twice in the first snapshot, and the second capture's path.
    public func recapturePath(_ i: Int) -> String? {
        var r = random(i, 6)
        guard r.double() < recaptureFraction else { return nil }
        let p = path(i)
        let dot = p.lastIndex(of: ".")!
        return String(p[..<dot]) + ".recapture" + String(p[dot...])
    }

    // MARK: - Text

    /// The bytes of article `i` at `version` (1-based; versions beyond `versionCount(i)` equal the last).
    public func content(_ i: Int, version: Int) -> [UInt8] {
        let v = max(1, min(version, versionCount(i)))
        var article = baseArticle(i)
        for step in 2...max(2, v) where step <= v {
            edit(&article, i: i, step: step)
        }
        return render(article, i: i)
    }

    private struct Article {
        var title: String
        var author: String
        var date: String
        var updated: String?
        var paragraphs: [[String]]
        var url: String
    }

    private func baseArticle(_ i: Int) -> Article {
        var r = random(i, 7)
        // Sizes 2-10 KB: about 160 bytes per sentence.
        let targetBytes = 1800 + r.int(7800)
        var paragraphs: [[String]] = []
        var bytes = 0
        while bytes < targetBytes {
            let sentences = (0..<(2 + r.int(3))).map { _ in sentence(&r) }
            bytes += sentences.reduce(0) { $0 + $1.utf8.count + 1 }
            paragraphs.append(sentences)
        }
        let title = capitalized((0..<(6 + r.int(6))).map { _ in word(&r) }.joined(separator: " "))
        let author = Vocabulary.firstNames[r.int(Vocabulary.firstNames.count)] + " " + Vocabulary.lastNames[r.int(Vocabulary.lastNames.count)]
        let parts = path(i).split(separator: "/")
        let date = "\(Vocabulary.months[Int(parts[2])! - 1]) \(Int(parts[3])!), 2026"
        let url = "https://\(outlet(i)).example/2026/\(parts[2])/\(parts[3])/\(parts[4].split(separator: ".").first!)"
        return Article(title: title, author: author, date: date, updated: nil, paragraphs: paragraphs, url: url)
    }

    /// One edit as newsrooms make them: a sentence added, a few words changed, sometimes a new
    /// paragraph or a correction, and the "Last update" line.
    private func edit(_ a: inout Article, i: Int, step: Int) {
        var r = random(i, 100 + UInt64(step))
        let kinds = 1 + r.int(3)
        for _ in 0..<kinds {
            switch r.int(4) {
            case 0: // add a sentence to a paragraph
                let p = r.int(a.paragraphs.count)
                a.paragraphs[p].insert(sentence(&r), at: r.int(a.paragraphs[p].count + 1))
            case 1: // change a few words in a sentence
                let p = r.int(a.paragraphs.count)
                let s = r.int(a.paragraphs[p].count)
                var words = a.paragraphs[p][s].split(separator: " ").map(String.init)
                for _ in 0..<(1 + r.int(3)) where words.count > 2 {
                    words[1 + r.int(words.count - 2)] = word(&r)
                }
                a.paragraphs[p][s] = words.joined(separator: " ")
            case 2: // a new paragraph
                a.paragraphs.insert((0..<(2 + r.int(2))).map { _ in sentence(&r) }, at: r.int(a.paragraphs.count + 1))
            default: // a figure corrected
                let p = r.int(a.paragraphs.count)
                a.paragraphs[p].append("Correction: an earlier version of this article gave the wrong figure of \(r.int(900) + 10) for \(word(&r)) \(word(&r)).")
            }
        }
        a.updated = "\(Vocabulary.months[r.int(12)]) \(1 + r.int(28)), 2026 \(pad(r.int(24))):\(pad(r.int(60)))"
    }

    private func render(_ a: Article, i: Int) -> [UInt8] {
        let body = a.paragraphs.map { $0.joined(separator: " ") }
        switch format(i) {
        case "html":
            let site = outlet(i).split(separator: "-").map { $0.capitalized }.joined(separator: " ")
            var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(a.title) | \(site)</title>
            <link rel="canonical" href="\(a.url)">
            <meta property="og:title" content="\(a.title)">
            <meta property="og:site_name" content="\(site)">
            <meta name="author" content="\(a.author)">
            <link rel="stylesheet" href="/static/css/main.css">
            </head>
            <body>
            <header><a href="/">\(site)</a><nav><a href="/local">Local</a> <a href="/politics">Politics</a> <a href="/business">Business</a> <a href="/sport">Sport</a> <a href="/opinion">Opinion</a> <a href="/subscribe">Subscribe</a></nav></header>
            <article>
            <h1>\(a.title)</h1>
            <p class="byline">By \(a.author)</p>
            <p class="date">\(a.date)\(a.updated.map { " · Updated \($0)" } ?? "")</p>

            """
            for p in body { html += "<p>\(p)</p>\n" }
            html += """
            </article>
            <footer><p>&copy; 2026 \(site). All rights reserved.</p><p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/contact">Contact us</a></p></footer>
            </body>
            </html>

            """
            return Array(html.utf8)
        case "json":
            let text = body.joined(separator: "\n\n")
            let fields = [("url", a.url), ("title", a.title), ("author", a.author), ("date", a.date), ("text", text)]
            let json = "{" + fields.map { "\"\($0.0)\": \"\(escapeJSON($0.1))\"" }.joined(separator: ", ") + "}\n"
            return Array(json.utf8)
        default:
            var text = "\(a.title)\n\(a.url)\nBy \(a.author)\n\(a.date)\n"
            if let updated = a.updated { text += "Last update: \(updated)\n" }
            text += "\n" + body.joined(separator: "\n\n") + "\n"
            return Array(text.utf8)
        }
    }

    private func escapeJSON(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private func word(_ r: inout SplitMix) -> String {
        // One word in 14 from the long tail (itself skewed); the rest Zipf-like over common words.
        if r.int(12) == 0 { let u = r.double(); return Vocabulary.rare[min(Vocabulary.rare.count - 1, Int(Double(Vocabulary.rare.count) * u*u))] }
        let u = r.double()
        let index = Int(Double(Vocabulary.common.count) * u * u * u)
        return Vocabulary.common[min(index, Vocabulary.common.count - 1)]
    }

    private func sentence(_ r: inout SplitMix) -> String {
        let length = 10 + r.int(20)
        var words: [String] = []
        for k in 0..<length {
            let x = r.int(100)
            if x < 3 {
                words.append(Vocabulary.places[r.int(Vocabulary.places.count)])
            } else if x < 5 {
                words.append(Vocabulary.firstNames[r.int(Vocabulary.firstNames.count)] + " " + Vocabulary.lastNames[r.int(Vocabulary.lastNames.count)])
            } else if x < 7 {
                words.append(String(r.int(x < 6 ? 100 : 10_000)))
            } else if x < 35 {
                let u = r.double()
                words.append(Vocabulary.phrases[min(Vocabulary.phrases.count - 1, Int(Double(Vocabulary.phrases.count) * u * u))])
            } else {
                words.append(word(&r))
            }
            if k > 2 && k < length - 2 && r.int(12) == 0 { words[words.count - 1] += "," }
        }
        var s = capitalized(words.joined(separator: " ")) + "."
        if r.int(8) == 0 { s = "\u{201C}" + s + "\u{201D} said " + Vocabulary.firstNames[r.int(Vocabulary.firstNames.count)] + " " + Vocabulary.lastNames[r.int(Vocabulary.lastNames.count)] + "." }
        return s
    }

    private func capitalized(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst()
    }

    private func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    // MARK: - Writing snapshots

    /// What a snapshot holds.
    public struct Snapshot: Sendable, Equatable {
        /// Files written.
        public var files = 0
        /// Bytes written.
        public var bytes = 0
        /// Article files (one per article).
        public var articleFiles = 0
        /// Syndicated copies and recaptures written (byte-identical to an article file).
        public var copies = 0
    }

    /// Writes every article at version `version(i)` under `directory`, plus (when `withCopies`)
    /// the syndicated copies and recaptures, which always hold version 1 (they were captured once).
    @discardableResult
    public func write(to directory: String, withCopies: Bool = true, version: (Int) -> Int = { _ in 1 }) throws -> Snapshot {
        var snapshot = Snapshot()
        let fm = FileManager.default
        var madeDirectories = Set<String>()
        func put(_ relative: String, _ bytes: [UInt8]) throws {
            let full = directory + "/" + relative
            let parent = (full as NSString).deletingLastPathComponent
            if !madeDirectories.contains(parent) {
                try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
                madeDirectories.insert(parent)
            }
            guard fm.createFile(atPath: full, contents: Data(bytes)) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: full])
            }
            snapshot.files += 1
            snapshot.bytes += bytes.count
        }
        for i in 0..<articles {
            let v = version(i)
            try put(path(i), content(i, version: v))
            snapshot.articleFiles += 1
            guard withCopies else { continue }
            let first = v == 1 ? nil : content(i, version: 1)
            if let p = syndicatedPath(i) { try put(p, first ?? content(i, version: 1)); snapshot.copies += 1 }
            if let p = recapturePath(i) { try put(p, first ?? content(i, version: 1)); snapshot.copies += 1 }
        }
        return snapshot
    }

    /// The articles an "edit batch" changes: every article whose index falls in the first
    /// `fraction` of a seeded shuffle, restricted to articles with at least two versions.
    public func editedArticles(fraction: Double, seed editSeed: UInt64 = 77) -> Set<Int> {
        var chosen = Set<Int>()
        let wanted = Int((Double(articles) * fraction).rounded())
        var r = SplitMix(seed: seed ^ editSeed)
        var candidates = (0..<articles).filter { versionCount($0) >= 2 }
        // Fisher-Yates, partial.
        for k in 0..<min(wanted, candidates.count) {
            let j = k + r.int(candidates.count - k)
            candidates.swapAt(k, j)
            chosen.insert(candidates[k])
        }
        return chosen
    }
}

/// SplitMix64: a small, fast, seeded generator (not for secrets).
struct SplitMix: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
