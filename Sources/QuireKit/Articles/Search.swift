import Dispatch
import Foundation
import Hashing
import SQLite

/// `quire search`: full-text search over article text and metadata with SQLite FTS5.
///
/// The index (`article_search`, contentless: only the index is stored, the text stays in the
/// blobs) holds each distinct title and text once (`search_texts`), and `article_index` maps every
/// article blob to its row. Ingest and import keep it current from an archive's creation; an
/// older archive builds it at its first search.

/// One search hit: a version of a document, with a snippet of its text around the query words.
public struct SearchHit: Sendable, Equatable {
    public let key: String
    public let version: String
    public let blob: String
    public let isCurrent: Bool
    public let title: String?
    public let published: String?
    /// bm25 rank (lower is better).
    public let rank: Double
    public let snippet: String

    public var json: JSON {
        ["key": .string(key), "version": .string(version), "blob": .string(blob), "current": .bool(isCurrent),
         "title": JSON(title), "published": JSON(published), "rank": .double(rank), "snippet": .string(snippet)]
    }
}

/// What to search for and where.
public struct SearchQuery: Sendable {
    /// Words, all of which must appear (in the title or the text); `OR` between two words allows either.
    public var text: String
    /// Only articles seen in a batch with this source.
    public var source: String?
    /// Only articles published (or, without a date, first archived) on or after / before these
    /// ISO 8601 dates (compared as text, so `2024-03` means March 2024 onwards).
    public var since: String?
    public var until: String?
    /// Search every version, not only each document's current one.
    public var allVersions = false
    public var limit = 20
    /// When the words are in more texts than this, only this many of them, the most recently
    /// indexed, are ranked (at least four times the limit). Ranking a word that is in most of a
    /// million texts took seconds (each match joined to its version and scored), and a word that
    /// common tells the texts apart little; the newest are what a reader of news looks for.
    /// Searches with a phrase, a source or dates rank every match. Each ranked match costs
    /// 40-70 µs in a large archive (its version and document rows lie on scattered pages): 2,000
    /// keeps a search at a million articles under 200 ms, where 5,000 did not.
    var rankWindow = 2_000

    public init(_ text: String) { self.text = text }
}

/// The texts a search ranked when its words were in too many to rank them all (`SearchQuery.rankWindow`).
public struct SearchWindow: Sendable, Equatable {
    /// How many of the texts holding the words (each distinct text once, current or not), the
    /// most recently indexed, were ranked; more hold them.
    public let ranked: Int
}

/// The hits of a search, at most its limit, and how many matched in all.
public struct SearchResults: Sendable, Equatable {
    public let hits: [SearchHit]
    /// Every match (past the limit too), after the filters; with a `window`, every match among
    /// the texts ranked.
    public let total: Int
    /// Set when only the most recent of the matching texts were ranked.
    public var window: SearchWindow? = nil
}

extension Archive {
    /// Whether the search index is kept: from the start in archives made since schema 10, and
    /// in older ones once a search has built it ('rebuild' after migration 11 until then).
    var searchIndexEnabled: Bool {
        (try? db.text("SELECT value FROM archive WHERE key = 'search_index'")) == "on"
    }

    /// Article blobs with bytes that are not in the search index yet.
    private static let unindexedArticles = """
        SELECT a.blob FROM articles a JOIN blobs b ON b.id = a.blob
        WHERE a.kind <> 'none' AND \(StoredForm.holdsBytesSQL("b")) AND NOT EXISTS (SELECT 1 FROM article_index i WHERE i.blob = a.blob)
        """

    /// Adds every held article blob not yet in the search index (when a search turns the index
    /// on in an older archive, or finds it behind), reading the texts a batch at a time on all
    /// cores. `progress` gets blobs indexed and the total. Inside a write transaction.
    @discardableResult
    func updateSearchIndex(progress: ((Int, Int) -> Void)? = nil) throws -> Int {
        let pending = try db.rows(Self.unindexedArticles + " ORDER BY a.blob") { $0.int(0) }
        var done = 0
        if !pending.isEmpty { progress?(0, pending.count) }
        try extractArticles(pending.map { (tag: $0, blob: $0) }, each: { try addToSearchIndex(blob: $0, $1) }, batchDone: { n in
            done += n
            progress?(done, pending.count)
        })
        return pending.count
    }

    /// Reads the articles of `items` (a caller's tag and a blob row each) a batch of 256 at a
    /// time and reads their metadata on all cores: `each` gets the tag and the metadata of every
    /// blob whose bytes are held (in order), `batchDone` how many items each batch covered. For
    /// the index build and the phrase check, which both need the text the index is made of.
    private func extractArticles(_ items: [(tag: Int, blob: Int)], each: (Int, ArticleMetadata) throws -> Void,
                                 batchDone: (Int) throws -> Void) throws {
        var store = blobs
        store.cache = BlobBytesCache(budget: 16 << 20)
        for start in stride(from: 0, to: items.count, by: 256) {
            let part = items[start..<min(items.count, start + 256)]
            var read: [(id: Int, bytes: [UInt8]?)] = []
            for item in part {
                guard let record = try store.record(id: item.blob), record.size <= articleExtractionLimit, record.form.holdsBytes else { continue }
                read.append((item.tag, try store.bytes(record)))
            }
            for (tag, metadata) in MetadataExtraction(read).wait() {
                if let metadata { try each(tag, metadata) }
            }
            try batchDone(part.count)
        }
    }

    /// Whether some article is newer than every indexed one (an index range, not a scan).
    private func searchIndexBehind() throws -> Bool {
        try db.int("""
            SELECT 1 FROM articles a WHERE a.blob > (SELECT coalesce(max(blob), 0) FROM article_index) AND a.kind <> 'none' LIMIT 1
            """) != nil
    }

    /// Indexes one blob from the metadata already read out of it: its text is added to
    /// `article_search` only when no other blob had the same title and text (re-captures and
    /// syndicated copies share one row). Inside a write transaction.
    func addToSearchIndex(blob id: Int, _ metadata: ArticleMetadata) throws {
        guard try db.int("SELECT 1 FROM article_index WHERE blob = ?", id) == nil else { return }   // indexed already
        let entry = metadata.searchEntry
        let (title, body, hash) = (entry.title, entry.body, entry.hash)
        if let row = try db.int("SELECT row FROM search_texts WHERE hash = ?", hash) {
            try db.run("INSERT INTO article_index (blob, row) VALUES (?, ?)", id, row)
            return
        }
        try db.run("INSERT INTO search_texts (hash, row) VALUES (?, ?)", hash, id)
        try db.run("INSERT INTO article_index (blob, row) VALUES (?, ?)", id, id)
        if deferredSearchRows != nil {
            deferredSearchRows!.append((id, title, body))
            deferredSearchBytes += title.utf8.count + body.utf8.count
        } else {
            try insertSearchRow(id, title: title, body: body)
        }
    }

    /// One distinct text's rows in the index: the title and body in `article_search`, the title
    /// alone in `article_titles` (which `presence_bm25` reads to weigh a title word twice).
    private func insertSearchRow(_ row: Int, title: String, body: String) throws {
        try db.run("INSERT INTO article_search (rowid, title, body) VALUES (?, ?, ?)", row, title, body)
        if !title.isEmpty { try db.run("INSERT INTO article_titles (rowid, title) VALUES (?, ?)", row, title) }
    }

    /// Runs `body` (inside a write transaction) with the rows it adds to the full-text index
    /// written when it ends, together. FTS5 writes the terms it holds in memory to a new segment
    /// of the index whenever a statement opens a savepoint (any update of a table with foreign
    /// keys does), so index rows mixed with ingest's other statements made one tiny segment per
    /// file, and the index's merging of them took most of an ingest's time. The bookkeeping
    /// (`article_index`, `search_texts`) is written at once, so the rest of `body` sees it.
    /// Only for work whose texts fit in memory together (a chunk of files, a batch of blobs).
    func deferringSearchIndex<T>(_ body: () throws -> T) throws -> T {
        guard deferredSearchRows == nil else { return try body() }   // already deferred by a caller
        holdSearchRows()
        defer { dropHeldSearchRows() }
        let result = try body()
        try writeHeldSearchRows()
        return result
    }

    /// Holds the full-text index rows added from now on until `writeHeldSearchRows`, for a caller
    /// whose transaction spans several chunks (an ingest): once a statement has written to an
    /// FTS5 table, SQLite calls the table at every later statement's savepoint until the
    /// transaction ends (`sqlite3VtabSavepoint`, 8 µs a statement for the two indexes), so the
    /// rows are best written just before the commit. Inside a write transaction.
    func holdSearchRows() {
        if deferredSearchRows == nil { (deferredSearchRows, deferredSearchBytes) = ([], 0) }
    }

    /// Writes the held rows and stops holding. Inside the write transaction that added them.
    func writeHeldSearchRows() throws {
        guard let rows = deferredSearchRows else { return }
        dropHeldSearchRows()
        for row in rows { try insertSearchRow(row.rowid, title: row.title, body: row.body) }
    }

    /// Stops holding, forgetting the held rows (their transaction was rolled back).
    func dropHeldSearchRows() { (deferredSearchRows, deferredSearchBytes) = (nil, 0) }


    /// Removes a blob from the search index (before its bytes are deleted: a contentless index
    /// needs the indexed text to remove it). The text's row goes only with the last blob that
    /// has it. Inside a write transaction.
    func removeFromSearchIndex(_ blob: BlobRecord) throws {
        guard let row = try db.int("SELECT row FROM article_index WHERE blob = ?", blob.id) else { return }
        try db.run("DELETE FROM article_index WHERE blob = ?", blob.id)
        guard try db.int("SELECT 1 FROM article_index WHERE row = ? LIMIT 1", row) == nil else { return }   // another blob has this text
        if let entry = try extractArticle(blob)?.searchEntry {
            try db.run("INSERT INTO article_search (article_search, rowid, title, body) VALUES ('delete', ?, ?, ?)", row, entry.title, entry.body)
            if !entry.title.isEmpty {
                try db.run("INSERT INTO article_titles (article_titles, rowid, title) VALUES ('delete', ?, ?)", row, entry.title)
            }
            try db.run("DELETE FROM search_texts WHERE hash = ?", entry.hash)
        }
    }

    /// Searches article text and metadata; builds or updates the index first.
    /// `indexProgress` hears of an index build (an archive from before the index was kept from
    /// the start): blobs indexed and the total.
    public func search(_ query: SearchQuery, indexProgress: ((Int, Int) -> Void)? = nil) throws -> [SearchHit] {
        try searchResults(query, indexProgress: indexProgress).hits
    }

    /// `search`, with how many matched in all (for "N more").
    public func searchResults(_ query: SearchQuery, indexProgress: ((Int, Int) -> Void)? = nil) throws -> SearchResults {
        let words = Self.searchTerms(query.text)
        guard !words.isEmpty else { throw QuireError(.badArgument, "the search needs at least one word") }
        guard words.count <= Self.maxTerms else {
            throw QuireError(.badArgument, "the search has \(words.count) different words; at most \(Self.maxTerms) are allowed")
        }
        if try !searchIndexEnabled || searchIndexBehind() {
            try write {
                try db.run("INSERT OR REPLACE INTO archive (key, value) VALUES ('search_index', 'on')")
                try updateSearchIndex(progress: indexProgress)
            }
        }
        let match = Self.indexMatch(words)
        let phrases = words.contains { Self.indexTokens($0).count > 1 }
        try db.registerPresenceBM25()
        return try read {
            do {
                return try rankedResults(query, match: match, phraseMatch: phrases ? Self.phraseMatch(words) : nil,
                                         words: words.filter { $0 != "OR" })
            } catch let error as DatabaseError {
                throw QuireError(.badArgument, "the search '\(query.text)' cannot be run", underlying: error)
            }
        }
    }

    /// The search itself, in a read transaction. FTS5 finds the texts; the version, document
    /// and filters come from the archive, all in SQL, in one query whose rows are counted (the
    /// total) while the best `limit` of them are kept. A query with a phrase (`phraseMatch`)
    /// first confirms the candidate texts (`confirmPhrases`) and the query keeps to those.
    private func rankedResults(_ query: SearchQuery, match: String, phraseMatch: String?, words: [String]) throws -> SearchResults {
        var from = """
            FROM article_search JOIN article_index i ON i.row = article_search.rowid
            JOIN versions v ON v.blob = i.blob JOIN documents d ON d.id = v.document
            """
        var filters = "article_search MATCH ? AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.blob = i.blob)"
        var values: [any DatabaseValueConvertible] = [match]
        // The texts with the words, counted only as far as a decision needs (counting every one
        // of a million took 80 ms): up to one past the window first.
        func texts(upTo limit: Int) throws -> Int {
            try db.int("SELECT count(*) FROM (SELECT 1 FROM article_search WHERE article_search MATCH ? LIMIT ?)", match, limit) ?? 0
        }
        let windowSize = max(query.rankWindow, 4 * query.limit)
        let matches = try texts(upTo: windowSize + 1)
        // Words in too many texts: rank only the most recent (a rowid bound FTS5 seeks to, so the
        // rest of each word's list is not even read).
        var window: SearchWindow? = nil
        if matches > windowSize, phraseMatch == nil, query.source == nil, query.since == nil, query.until == nil,
           let cutoff = try db.int("SELECT rowid FROM article_search WHERE article_search MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                                   match, windowSize - 1) {
            filters += " AND article_search.rowid >= \(cutoff)"
            window = SearchWindow(ranked: windowSize)
        }
        if !query.allVersions {
            filters += " AND d.head = v.id"
            // A common word is in many more texts than there are documents: keep to the texts of
            // current versions first (one probe of a small set per text, not four joins). The `+`
            // keeps the set a filter: as a constraint FTS5 would look up each row in the word's list.
            // (Past the window's count, with a filter that ranks every match, counted on as far as
            // the documents.)
            if window == nil, matches > 1000 {
                let documents = try db.int("SELECT max(id) FROM documents") ?? 0
                if (matches > windowSize ? try texts(upTo: documents + 1) : matches) > documents {
                    filters += """
                         AND +article_search.rowid IN (SELECT h.row FROM documents hd JOIN versions hv ON hv.id = hd.head
                                                      JOIN article_index h ON h.blob = hv.blob)
                        """
                }
            }
        }
        if let source = query.source {
            filters += " AND EXISTS (SELECT 1 FROM sightings x JOIN batches y ON y.id = x.batch WHERE x.version = v.id AND y.source = ?)"
            values.append(source)
        }
        // The date compared: published, else first archived (text, so a prefix is a period).
        if query.since != nil || query.until != nil {
            from += " JOIN articles a ON a.blob = i.blob"
            let date = """
                coalesce((SELECT json_extract(f.value, '$[1]') FROM json_each(a.fields) f WHERE json_extract(f.value, '$[0]') = 'published'), v.created_at)
                """
            if let since = query.since {
                filters += " AND \(date) >= ?"
                values.append(since)
            }
            if let until = query.until {
                filters += " AND (\(date) < ? OR substr(\(date), 1, length(?)) = ?)"
                values += [until, until, until]
            }
        }
        if let phraseMatch {
            var candidates: [Int: Int] = [:]   // index row -> one blob with that text
            try db.forEach("SELECT article_search.rowid, i.blob \(from) WHERE \(filters)", values) { r in
                if candidates[r.int(0)] == nil { candidates[r.int(0)] = r.int(1) }
            }
            try confirmPhrases(phraseMatch, candidates: candidates)
            filters += " AND +article_search.rowid IN (SELECT row FROM temp.phrase_rows)"
        }
        // One pass over the matches counts them and keeps the best `limit`: a count and a ranked
        // query each joined every match to its version and document, and at a million articles
        // the second pass read the same scattered pages back (most of a search of a word in a few
        // thousand old texts). The best rows are kept in a buffer cut back to `limit` whenever it
        // fills, so memory stays bounded whatever the number of matches.
        typealias Hit = (key: String, version: String, blob: Int, isCurrent: Bool, rank: Double)
        // Score, then key and version by their bytes, as `ORDER BY score, d.key, v.hash` does.
        func before(_ a: Hit, _ b: Hit) -> Bool {
            if a.rank != b.rank { return a.rank < b.rank }
            if a.key != b.key { return a.key.utf8.lexicographicallyPrecedes(b.key.utf8) }
            return a.version.utf8.lexicographicallyPrecedes(b.version.utf8)
        }
        var top: [Hit] = []
        var total = 0
        let limit = max(query.limit, 0)
        // The rank function gets the query's FTS5 phrases, in order, to find them in the titles:
        // one argument (SQLite allows a function 127), each phrase ended by the unit separator.
        let phrases = Self.indexPhrases(words).map { $0 + "\u{1F}" }.joined()
        try db.forEach("""
            SELECT d.key, v.hash, i.blob, d.head = v.id, presence_bm25(article_search, ?) \(from) WHERE \(filters)
            """, [phrases] + values) { r in
            total += 1
            top.append((key: r.text(0), version: r.text(1), blob: r.int(2), isCurrent: r.int(3) != 0, rank: r.double(4)))
            if top.count >= 4 * max(limit, 64) { top = Array(top.sorted(by: before).prefix(limit)) }
        }
        top = Array(top.sorted(by: before).prefix(limit))
        let field = "SELECT json_extract(f.value, '$[1]') FROM articles a, json_each(a.fields) f WHERE a.blob = ? AND json_extract(f.value, '$[0]') = ?"
        // The hits' texts, for their snippets, read out of their blobs on all cores (a quarter of a
        // search's time went to these extractions one after another).
        var texts = [String](repeating: "", count: top.count)
        try extractArticles(top.enumerated().map { (tag: $0.offset, blob: $0.element.blob) },
                            each: { i, metadata in texts[i] = metadata.searchEntry.text }, batchDone: { _ in })
        let hits = try top.enumerated().map { i, hit in
            let hash = try blobs.hash(id: hit.blob) ?? ""
            let text = texts[i]
            return SearchHit(key: hit.key, version: hit.version, blob: hash, isCurrent: hit.isCurrent,
                             title: try db.text(field, hit.blob, "title"), published: try db.text(field, hit.blob, "published"),
                             rank: hit.rank, snippet: Self.snippet(text, words: words))
        }
        return SearchResults(hits: hits, total: total, window: window)
    }

    /// The words of a term as the index's tokenizer (unicode61) splits them: runs of letters
    /// and digits. A term of more than one (a phrase, or `don't`) is a phrase to FTS5.
    static func indexTokens(_ term: String) -> [Substring] {
        term.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
    }

    /// The FTS5 query the index (detail=none: row ids only, no positions) can answer: each word quoted, a
    /// phrase as the AND of its words; `OR` kept. AND binds tighter than OR, as in the user's
    /// query (`a b OR c` is `(a AND b) OR c`).
    static func indexMatch(_ terms: [String]) -> String {
        var out = ""
        for (i, term) in terms.enumerated() {
            // FTS5 has an implicit AND between phrases only, not after a parenthesis: write it.
            if i > 0 { out += term == "OR" || terms[i - 1] == "OR" ? " " : " AND " }
            if term == "OR" { out += "OR"; continue }
            let phrases = termPhrases(term)
            out += phrases.count > 1 ? "(" + phrases.joined(separator: " AND ") + ")" : phrases[0]
        }
        return out
    }

    /// The FTS5 phrases of `indexMatch(terms)`, in the order FTS5 numbers them (what
    /// `presence_bm25` looks up in the titles).
    static func indexPhrases(_ terms: [String]) -> [String] {
        terms.filter { $0 != "OR" }.flatMap(termPhrases)
    }

    /// One term's FTS5 phrases: the term quoted, or each of its words when it has several.
    private static func termPhrases(_ term: String) -> [String] {
        let tokens = indexTokens(term)
        return tokens.count > 1 ? tokens.map { quoted(String($0)) } : [quoted(term)]
    }

    /// The query with its phrases as FTS5 phrases, run on the candidates' own texts.
    static func phraseMatch(_ terms: [String]) -> String {
        terms.map { $0 == "OR" ? "OR" : quoted($0) }.joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String { "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Puts in `temp.phrase_rows` the index rows among `candidates` (row -> a blob with that
    /// row's text) whose text matches `match` with its phrases: each candidate's title and text
    /// are read again from its bytes (on all cores) and put, a batch at a time, in a temporary
    /// FTS5 table with positions and the index's tokenizer, which runs the query exactly as an
    /// index with positions would. In a read transaction (temporary tables are the connection's own).
    private func confirmPhrases(_ match: String, candidates: [Int: Int]) throws {
        try db.execute("""
            CREATE VIRTUAL TABLE IF NOT EXISTS temp.phrase_check USING fts5(title, body, tokenize='unicode61 remove_diacritics 2');
            CREATE TABLE IF NOT EXISTS temp.phrase_rows (row INTEGER PRIMARY KEY);
            DELETE FROM temp.phrase_check;
            DELETE FROM temp.phrase_rows;
            """)
        defer { try? db.execute("DELETE FROM temp.phrase_check") }
        try extractArticles(candidates.sorted { $0.key < $1.key }.map { (tag: $0.key, blob: $0.value) }, each: { row, metadata in
            try db.run("INSERT INTO temp.phrase_check (rowid, title, body) VALUES (?, ?, ?)", row, metadata.searchEntry.title, metadata.searchEntry.body)
        }, batchDone: { _ in
            try db.run("INSERT INTO temp.phrase_rows (row) SELECT rowid FROM temp.phrase_check WHERE phrase_check MATCH ?", match)
            try db.execute("DELETE FROM temp.phrase_check")
        })
    }

    /// The most different words one search may have (each costs a pass over the matches).
    static let maxTerms = 64

    /// The terms of a query: words (letters and digits, lowercased) and phrases (the words
    /// between double quotes, which must appear together and in order: `"google toolbar"`), each
    /// once (a repeated term adds nothing to what matches); `OR` kept as an operator.
    static func searchTerms(_ text: String) -> [String] {
        func words(_ part: Substring) -> [String] {
            part.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" }).map { $0 == "OR" ? "OR" : $0.lowercased() }
        }
        var terms: [String] = []
        for (i, part) in text.split(separator: "\"", omittingEmptySubsequences: false).enumerated() {
            if i % 2 == 1 {
                let phrase = words(part).filter { $0 != "OR" }.map { $0.lowercased() }.joined(separator: " ")
                if !phrase.isEmpty { terms.append(phrase) }
            } else {
                terms += words(part)
            }
        }
        var seen = Set<String>()
        return terms.filter { !$0.isEmpty && ($0 == "OR" || seen.insert($0).inserted) }
    }

    /// Where `term` occurs in `text` as whole words (not inside a longer word: `and` is not
    /// found in `handheld`), case ignored; a phrase's words may be apart by spaces and punctuation.
    static func wholeWordRanges(of term: String, in text: String) -> [Range<String.Index>] {
        let parts = term.split(separator: " ").map(String.init)
        guard !parts.isEmpty else { return [] }
        var out: [Range<String.Index>] = []
        var from = text.startIndex
        func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber }
        while let first = text.range(of: parts[0], options: [.caseInsensitive, .diacriticInsensitive], range: from..<text.endIndex) {
            from = first.upperBound
            guard first.lowerBound == text.startIndex || !isWord(text[text.index(before: first.lowerBound)]) else { continue }
            var end = first.upperBound
            var ok = true
            for next in parts.dropFirst() {
                var i = end
                while i < text.endIndex, !isWord(text[i]) { i = text.index(after: i) }
                guard i > end, let r = text.range(of: next, options: [.caseInsensitive, .diacriticInsensitive, .anchored], range: i..<text.endIndex) else {
                    ok = false
                    break
                }
                end = r.upperBound
            }
            guard ok, end == text.endIndex || !isWord(text[end]) else { continue }
            out.append(first.lowerBound..<end)
            from = end
        }
        return out
    }

    /// About 160 characters of `text` around the first query term found, each whole-word
    /// occurrence of a term (a phrase as a whole) in [brackets].
    static func snippet(_ text: String, words: [String]) -> String {
        let flat = text.foldedWhitespace
        guard let hit = words.compactMap({ wholeWordRanges(of: $0, in: flat).first }).min(by: { $0.lowerBound < $1.lowerBound }) else {
            return String(flat.prefix(160))
        }
        let startOffset = min(flat.count, max(0, flat.distance(from: flat.startIndex, to: hit.lowerBound) - 60))
        let start = flat.index(flat.startIndex, offsetBy: startOffset)
        let end = flat.index(start, offsetBy: 160, limitedBy: flat.endIndex) ?? flat.endIndex
        let piece = String(flat[start..<end])
        // Every term's occurrences, longest first where they overlap, marked once.
        var marks: [Range<String.Index>] = []
        for word in words.sorted(by: { $0.count > $1.count }) {
            for r in wholeWordRanges(of: word, in: piece) where !marks.contains(where: { $0.overlaps(r) }) { marks.append(r) }
        }
        var result = ""
        var at = piece.startIndex
        for r in marks.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            result += piece[at..<r.lowerBound] + "[" + piece[r] + "]"
            at = r.upperBound
        }
        result += piece[at...]
        return (startOffset > 0 ? "…" : "") + result + (end < flat.endIndex ? "…" : "")
    }
}
