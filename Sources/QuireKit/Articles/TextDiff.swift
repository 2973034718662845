/// What changed between two texts, by sentence and, inside a changed sentence, by word.
public struct TextDiff: Sendable, Equatable {
    /// One piece of the comparison, in reading order.
    public enum Piece: Sendable, Equatable {
        case same(String)
        case added(String)
        case removed(String)
        /// A sentence rewritten: the old and new text and the word-level changes between them.
        case changed(old: String, new: String, words: [Word])
    }

    /// A word-level piece of a changed sentence.
    public enum Word: Sendable, Equatable {
        case same(String), added(String), removed(String)
    }

    public let pieces: [Piece]

    public var added: Int { pieces.filter { if case .added = $0 { return true } else { return false } }.count }
    public var removed: Int { pieces.filter { if case .removed = $0 { return true } else { return false } }.count }
    public var changed: Int { pieces.filter { if case .changed = $0 { return true } else { return false } }.count }
    public var unchanged: Int { pieces.filter { if case .same = $0 { return true } else { return false } }.count }

    /// Compares two texts sentence by sentence. A run of removed sentences followed by a run of
    /// added ones is paired into `changed` sentences where a pair shares at least half its words.
    public init(old: String, new: String) {
        let a = Self.sentences(old), b = Self.sentences(new)
        var pieces: [Piece] = []
        var removedRun: [String] = [], addedRun: [String] = []
        func flush() {
            var i = 0, j = 0
            while i < removedRun.count || j < addedRun.count {
                if i < removedRun.count, j < addedRun.count, Self.similarity(removedRun[i], addedRun[j]) >= 0.5 {
                    pieces.append(.changed(old: removedRun[i], new: addedRun[j], words: Self.words(old: removedRun[i], new: addedRun[j])))
                    i += 1; j += 1
                } else if i < removedRun.count && (j >= addedRun.count || removedRun.count - i >= addedRun.count - j) {
                    pieces.append(.removed(removedRun[i])); i += 1
                } else {
                    pieces.append(.added(addedRun[j])); j += 1
                }
            }
            removedRun.removeAll()
            addedRun.removeAll()
        }
        for op in Self.lcsDiff(a, b) {
            switch op {
            case .same(let s): flush(); pieces.append(.same(s))
            case .removed(let s): removedRun.append(s)
            case .added(let s): addedRun.append(s)
            }
        }
        flush()
        self.pieces = pieces
    }

    // MARK: Pieces of text

    /// Sentences: each line (paragraph) split after `.`, `!` or `?` (and closing quotes or
    /// brackets) where a space and a capital letter, digit or opening quote follow.
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let chars = Array(line.foldedWhitespace)
            var start = 0
            var i = 0
            while i < chars.count {
                if ".!?".contains(chars[i]) {
                    var end = i + 1
                    while end < chars.count, "\"'”’)]".contains(chars[end]) { end += 1 }
                    if end + 1 < chars.count, chars[end] == " ", chars[end + 1].isUppercase || chars[end + 1].isNumber || "\"“‘(".contains(chars[end + 1]) {
                        out.append(String(chars[start..<end]))
                        start = end + 1
                        i = start
                        continue
                    }
                }
                i += 1
            }
            if start < chars.count { out.append(String(chars[start...])) }
        }
        return out.filter { !$0.isEmpty }
    }

    /// Share of words two sentences have in common (Jaccard over lowercased words).
    static func similarity(_ a: String, _ b: String) -> Double {
        let x = Set(a.lowercased().split(separator: " ")), y = Set(b.lowercased().split(separator: " "))
        guard !x.isEmpty || !y.isEmpty else { return 1 }
        return Double(x.intersection(y).count) / Double(x.union(y).count)
    }

    /// Word-level changes inside one changed sentence.
    static func words(old: String, new: String) -> [Word] {
        lcsDiff(old.split(separator: " ").map(String.init), new.split(separator: " ").map(String.init)).map {
            switch $0 {
            case .same(let w): return .same(w)
            case .added(let w): return .added(w)
            case .removed(let w): return .removed(w)
            }
        }
    }

    enum Op: Equatable { case same(String), added(String), removed(String) }

    /// The largest LCS table built (cells); past it the differing middle is shown as removed
    /// then added, so a huge input costs linear time and memory.
    static let maxCells = 4_000_000

    /// A longest-common-subsequence diff of the part between the common prefix and suffix
    /// (quadratic in that part; the sentences and words of one article are few).
    static func lcsDiff(_ a: [String], _ b: [String]) -> [Op] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middle = lcsMiddle(Array(a[prefix..<(a.count - suffix)]), Array(b[prefix..<(b.count - suffix)]))
        return a[..<prefix].map { Op.same($0) } + middle + a[(a.count - suffix)...].map { Op.same($0) }
    }

    private static func lcsMiddle(_ a: [String], _ b: [String]) -> [Op] {
        let n = a.count, m = b.count
        if n * m > maxCells { return a.map { Op.removed($0) } + b.map { Op.added($0) } }
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
        }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                ops.append(.same(a[i])); i += 1; j += 1
            } else if j < m && (i >= n || table[i][j + 1] >= table[i + 1][j]) {
                ops.append(.added(b[j])); j += 1
            } else {
                ops.append(.removed(a[i])); i += 1
            }
        }
        // Removals before additions within each run of changes, so runs pair up.
        var ordered: [Op] = []
        var removed: [Op] = [], added: [Op] = []
        for op in ops {
            switch op {
            case .same: ordered += removed + added; removed = []; added = []; ordered.append(op)
            case .removed: removed.append(op)
            case .added: added.append(op)
            }
        }
        return ordered + removed + added
    }

    // MARK: Trivial changes

    /// Whether the new text changes nothing a reader would cite: every line that differs between
    /// the texts is a timestamp line (a date, a clock time or "5 minutes ago", with nothing but
    /// labels such as "Updated", "Stand", "um", "Uhr" around it) or a line every site prints
    /// around its articles ("Advertisement", "Share this article"). White space never counts. A
    /// changed number, name or headline is never trivial: "Death toll rises to 12" and "... to
    /// 40" are not timestamp lines, whatever their length.
    public static func isTrivial(old: String, new: String) -> Bool {
        let a = lines(old), b = lines(new)
        var counts: [String: Int] = [:]
        for line in a { counts[line, default: 0] += 1 }
        for line in b { counts[line, default: 0] -= 1 }
        let differing = counts.filter { $0.value != 0 }.map(\.key)
        return differing.allSatisfy { isTimestampLine($0) || isBoilerplateLine($0) }
    }

    /// A short line that is only a date or time and the labels printed around one.
    static func isTimestampLine(_ line: String) -> Bool {
        guard line.utf8.count <= 120 else { return false }
        var sawTime = NewsDate.find(in: line) != nil
        var words: [String] = []
        var current = ""
        for c in line.lowercased() {
            if c.isLetter || c.isNumber || c == ":" { current.append(c) } else if !current.isEmpty { words.append(current); current = "" }
        }
        if !current.isEmpty { words.append(current) }
        for var word in words {
            // A colon after a label ("Stand:", "Updated:") is punctuation, not a clock.
            while word.hasSuffix(":") { word.removeLast() }
            while word.hasPrefix(":") { word.removeFirst() }
            if word.isEmpty { continue }
            if word.allSatisfy({ $0.isNumber }) { continue }
            let parts = word.split(separator: ":")
            if parts.count >= 2 && parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy(\.isNumber) }) { sawTime = true; continue }
            if NewsDate.month(word) != nil || timeWords.contains(word) || ordinal(word) { continue }
            if relativeTimeWords.contains(word) { sawTime = true; continue }
            return false
        }
        return sawTime
    }

    private static func ordinal(_ word: String) -> Bool {
        let digits = word.prefix { $0.isNumber }
        return !digits.isEmpty && ["st", "nd", "rd", "th", "er", "e"].contains(String(word.dropFirst(digits.count)))
    }

    /// Words that may stand around a date or time in a timestamp line.
    private static let timeWords: Set<String> = [
        "updated", "update", "last", "published", "posted", "modified", "edited", "on", "at", "as", "of", "the", "am", "pm", "a", "p", "m",
        "gmt", "utc", "z", "est", "edt", "cst", "cdt", "pst", "pdt", "cet", "cest", "bst", "ist", "et", "pt",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
        "aktualisiert", "aktualisierung", "zuletzt", "veröffentlicht", "stand", "um", "uhr", "vom", "montag", "dienstag", "mittwoch",
        "donnerstag", "freitag", "samstag", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so", "mis", "à", "jour", "le", "publié",
        "actualizado", "publicado", "el", "las", "de", "h", "hrs", "time", "date", "datum", "zeit",
    ]
    /// Words of a relative time ("5 minutes ago", "vor 2 Stunden").
    private static let relativeTimeWords: Set<String> = ["ago", "vor", "minutes", "minute", "mins", "min", "hours", "hour", "seconds", "second",
                                                          "days", "day", "stunden", "stunde", "minuten", "sekunden", "tagen", "tag", "just", "now"]

    /// A line from the list of lines sites print around their articles.
    static func isBoilerplateLine(_ line: String) -> Bool {
        // The list's lines are short; a long line is never one (and is not walked: found by fuzzing).
        guard line.utf8.count <= 80 else { return false }
        var s = Substring(line.lowercased())
        while let f = s.first, f.isPunctuation || f.isWhitespace || f.isSymbol { s = s.dropFirst() }
        while let l = s.last, l.isPunctuation || l.isWhitespace || l.isSymbol { s = s.dropLast() }
        return s.isEmpty || MainText.boilerplateLines.contains(String(s))
    }

    private static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.foldedWhitespace }.filter { !$0.isEmpty }
    }
}
