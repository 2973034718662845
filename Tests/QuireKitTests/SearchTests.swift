import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

@Suite("Search")
struct SearchTests {
    private func keys(_ hits: [SearchHit], ordered: Bool = false) -> [String] { ordered ? hits.map(\.key) : hits.map(\.key).sorted() }

    /// Whether every article blob is in the search index, checked without searching (a search
    /// would bring a lagging index up to date first).
    private func indexIsCurrent(_ archive: Archive) throws -> Bool {
        let articles = try archive.db.int("SELECT count(*) FROM articles WHERE kind <> 'none'")
        return try archive.db.int("SELECT count(*) FROM article_index") == articles && articles != 0
    }

    @Test("finds current versions by their words, ranked; all versions on request; OR; filters by source and date")
    func search() throws {
        let c = try Copies(2)
        var options = quietOptions(label: "one")
        options.source = "wire"
        _ = try c.dir.write("a/harbour.txt", "Harbour strike ends\nMarch 26, 2024\n\nCrews accepted the offer on Thursday. Ferries sail again.\n")
        _ = try c.dir.write("a/library.txt", "Library stays open\nMarch 20, 2024\n\nThe council voted to keep the library open. A strike was avoided.\n")
        _ = try c[0].ingest(paths: [c.dir.file("a")], options: options)
        #expect(keys(try c[0].search(SearchQuery("strike"))) == ["harbour.txt", "library.txt"])
        #expect(keys(try c[0].search(SearchQuery("ferries thursday"))) == ["harbour.txt"])
        #expect(keys(try c[0].search(SearchQuery("ferries OR council"))) == ["harbour.txt", "library.txt"])
        // The title counts: a word in the title ranks that article first.
        #expect(try c[0].search(SearchQuery("library")).first?.key == "library.txt")
        let hit = try #require(try c[0].search(SearchQuery("accepted")).first)
        #expect(hit.snippet.contains("[accepted]") && hit.title == "Harbour strike ends" && hit.published == "2024-03-26")

        // A new version replaces the old text unless all versions are asked for; ingest keeps the index current.
        options.source = "rss"
        _ = try c.dir.write("b/harbour.txt", "Harbour strike ends\nMarch 26, 2024\n\nCrews accepted the deal on Thursday. Ferries sail on Saturday.\n")
        _ = try c[0].ingest(paths: [c.dir.file("b")], options: options)
        #expect(try indexIsCurrent(c[0]))
        #expect(try c[0].search(SearchQuery("offer")).isEmpty)
        let old = try c[0].search({ var q = SearchQuery("offer"); q.allVersions = true; return q }())
        #expect(old.map(\.key) == ["harbour.txt"] && old[0].isCurrent == false)
        #expect(keys(try c[0].search(SearchQuery("saturday"))) == ["harbour.txt"])

        var bySource = SearchQuery("strike")
        bySource.source = "rss"
        #expect(keys(try c[0].search(bySource)) == ["harbour.txt"])
        var byDate = SearchQuery("strike")
        byDate.since = "2024-03-21"
        #expect(keys(try c[0].search(byDate)) == ["harbour.txt"])
        byDate.since = nil
        byDate.until = "2024-03-21"
        #expect(keys(try c[0].search(byDate)) == ["library.txt"])
        #expect(throws: QuireError.self) { try c[0].search(SearchQuery(" !? ")) }

        // Import keeps a searched copy's index current.
        _ = try c[1].search(SearchQuery("anything"))
        try c.send(0, 1)
        #expect(try indexIsCurrent(c[1]))
        #expect(keys(try c[1].search(SearchQuery("saturday"))) == ["harbour.txt"])
    }

    @Test("an ingest writes a chunk's index rows together: a few index segments for 300 articles, not one per file; every one is found, and one bundle import into another copy does the same")
    func indexRowsWrittenTogether() throws {
        let c = try Copies(2)
        var random = SeededRandom(seed: 15)
        let words = ["harbour", "ferry", "council", "budget", "strike", "mayor", "river", "storm", "school", "bridge", "court", "market"]
        var files: [String: String] = [:]
        for i in 0..<300 {
            let text = (0..<120).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
            files[String(format: "s%03d.html", i)] = "<html><head><title>Story \(i) marker\(i)</title></head><body><p>\(text)</p></body></html>"
        }
        _ = try c.ingest(0, files)
        try c.send(0, 1)
        for i in 0..<2 {
            // FTS5 stores each segment's pages as rows of its data table: one segment per file
            // (the index flushed at every statement's savepoint) made dozens of rows here.
            let rows = try c[i].db.int("SELECT count(*) FROM article_search_data")!
            #expect(rows <= 12, "copy \(i): \(rows) rows in the index's data table")
            for n in [0, 150, 299] { #expect(keys(try c[i].search(SearchQuery("marker\(n)"))) == [String(format: "s%03d.html", n)], "copy \(i), marker\(n)") }
        }
    }

    @Test("redacted and quarantined articles are not found")
    func redactedNotFound() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["takedown.txt": "Secret memo\n\nThe zanzibar arrangement was agreed.\n", "other.txt": "Other story\n\nNothing here.\n"])
        try c.send(0, 1)
        #expect(try c[0].search(SearchQuery("zanzibar")).count == 1)
        #expect(try c[1].search(SearchQuery("zanzibar")).count == 1)
        let hash = try c[0].resolve("takedown.txt").blobHash
        try c[0].redact(hash: hash, reason: "legal")
        #expect(try c[0].search(SearchQuery("zanzibar")).isEmpty)
        #expect(try c[0].db.int("SELECT count(*) FROM article_index") == 1)
        try c.send(0, 1)
        #expect(try c[1].search(SearchQuery("zanzibar")).isEmpty)
        #expect(try c[1].search(SearchQuery("nothing")).count == 1)
    }

    @Test("re-captures with the same title and text share one index row; each stays found until the last is redacted")
    func distinctTexts() throws {
        let c = try Copies(1)
        func page(_ token: String) -> String {
            "<html><head><title>Bridge reopens</title><script>var cb='\(token)'</script></head><body><article>"
                + "<p>The quayside bridge reopened on Monday after the winter repairs, said the harbour board.</p>"
                + "</article></body></html>\n"
        }
        _ = try c.ingest(0, ["monday/bridge.html": page("1111"), "tuesday/bridge.html": page("2222"), "other.txt": "Other story\n\nNothing here.\n"])
        #expect(try c[0].db.int("SELECT count(*) FROM article_index") == 3)
        #expect(try c[0].db.int("SELECT count(*) FROM search_texts") == 2, "the two captures' text is indexed once")
        #expect(try c[0].db.int("SELECT count(DISTINCT row) FROM article_index") == 2)
        #expect(keys(try c[0].search(SearchQuery("quayside"))) == ["monday/bridge.html", "tuesday/bridge.html"])

        // Redacting one capture keeps the other found; redacting the last removes the text.
        try c[0].redact(hash: try c[0].resolve("monday/bridge.html").blobHash, reason: "test")
        #expect(keys(try c[0].search(SearchQuery("quayside"))) == ["tuesday/bridge.html"])
        #expect(try c[0].db.int("SELECT count(*) FROM search_texts") == 2)
        try c[0].redact(hash: try c[0].resolve("tuesday/bridge.html").blobHash, reason: "test")
        #expect(try c[0].search(SearchQuery("quayside")).isEmpty)
        #expect(try c[0].db.int("SELECT count(*) FROM search_texts") == 1)
        #expect(try c[0].db.int("SELECT count(*) FROM article_search WHERE article_search MATCH 'quayside'") == 0)
        #expect(try c[0].db.int("SELECT count(*) FROM article_titles WHERE article_titles MATCH 'bridge'") == 0, "the title went from the titles index too")
        #expect(try c[0].db.int("SELECT count(*) FROM article_titles WHERE article_titles MATCH 'other'") == 1)
        #expect(keys(try c[0].search(SearchQuery("nothing"))) == ["other.txt"])
    }

    @Test("ranking from an index of row ids: a word in the title ranks above the word in the body only, a text with more of an OR's words first")
    func presenceRanking() throws {
        let c = try Copies(1)
        _ = try c.ingest(0, [
            // The same length in words, `ferry` in the title of one and the body of the other: only the
            // title's weight tells them apart (on a tie, `body.txt` would come first by its key).
            "title.txt": "Ferry strike\n\nWorkers stopped the boats at the quay today.\n",
            "body.txt": "Harbour strike\n\nWorkers stopped the ferry at the quay today.\n",
            "both.txt": "Port report\n\nA ferry strike closed the quay for the whole day.\n",
            "rare.txt": "Quay report\n\nThe quay was quiet, a gull on the ferry.\n",
        ])
        // `ferry` is in the title of one text and the bodies of two: the title first.
        let ferry = try c[0].search(SearchQuery("ferry"))
        #expect(ferry.map(\.key).first == "title.txt" && ferry[0].rank < ferry[1].rank, "\(ferry.map { ($0.key, $0.rank) })")
        // `ferry OR gull`: the one text with both words first, then those with `ferry`, the rarer word.
        let either = keys(try c[0].search(SearchQuery("ferry OR gull")), ordered: true)
        #expect(either.count == 4 && either.first == "rare.txt" && either.last != "rare.txt", "\(either)")
        // Scores are negative (lower is better) and differ where the texts differ.
        #expect(ferry.allSatisfy { $0.rank < 0 } && Set(ferry.map(\.rank)).count > 1)
    }

    @Test("presence_bm25 over row ids far apart, negative and past a million: each row's words and title words are found, and no phrase list ranks without the title weight")
    func presenceRankingRowSpread() throws {
        let dir = TemporaryDirectory()
        let db = try Database(path: dir.file("rank.db"), mode: .create)
        try db.registerPresenceBM25()
        try db.execute("""
            CREATE VIRTUAL TABLE article_search USING fts5(title, body, content='', detail=none);
            CREATE VIRTUAL TABLE article_titles USING fts5(title, content='', detail=none, columnsize=0);
            """)
        // Rows with `oil` in the title and the body, and rows with it in the body only, spread so the
        // bitmaps grow many times over (and one row id is negative).
        let titled = [-70_000, 3, 4_000_000], plain = [-3, 64, 65, 900_000, 9_000_000]
        for row in titled {
            try db.run("INSERT INTO article_search (rowid, title, body) VALUES (?, 'Oil news', 'oil prices rise')", row)
            try db.run("INSERT INTO article_titles (rowid, title) VALUES (?, 'Oil news')", row)
        }
        for row in plain {
            try db.run("INSERT INTO article_search (rowid, title, body) VALUES (?, 'Market news', 'oil prices rise')", row)
            try db.run("INSERT INTO article_titles (rowid, title) VALUES (?, 'Market news')", row)
        }
        try db.run("INSERT INTO article_search (rowid, title, body) VALUES (7, 'Other', 'nothing here at all')")
        func ranks(_ phrases: String) throws -> [Int: Double] {
            Dictionary(uniqueKeysWithValues: try db.rows(
                "SELECT rowid, presence_bm25(article_search, ?) FROM article_search WHERE article_search MATCH '\"oil\"'", [phrases]) {
                ($0.int(0), $0.double(1)) })
        }
        let weighed = try ranks("\"oil\"\u{1F}")
        #expect(Set(weighed.keys) == Set(titled + plain))
        let (titleRank, plainRank) = (weighed[titled[0]]!, weighed[plain[0]]!)
        #expect(titleRank < plainRank && plainRank < 0, "\(weighed)")
        #expect(titled.allSatisfy { weighed[$0] == titleRank } && plain.allSatisfy { weighed[$0] == plainRank }, "\(weighed)")
        // Without the phrases (or with an empty list) the titles are not looked up: every row alike.
        for phrases in ["", "\u{1F}"] { #expect(Set(try ranks(phrases).values) == [plainRank]) }
    }

    @Test("ranking with a word of two tokens in an OR, and a quoted passage of more words than SQLite allows a function's arguments")
    func presenceRankingPhrases() throws {
        let c = try Copies(1)
        let passage = (0..<140).map { "w\($0)" }.joined(separator: " ")
        _ = try c.ingest(0, [
            "all.txt": "Gull watch\n\nDon't feed the gull on the quay.\n",
            "dont.txt": "Quay notes\n\nDon't walk on the quay at night.\n",
            "gull.txt": "Quay notes\n\nA gull sat on the quay at night.\n",
            "long.txt": "Long\n\nIt said \(passage) and stopped.\n",
        ])
        // `don't` is two phrases to FTS5 (`don` AND `t`), `gull` the third: the text with both words
        // (and `gull` in its title) first.
        let either = keys(try c[0].search(SearchQuery("don't OR gull")), ordered: true)
        #expect(either.first == "all.txt" && Set(either) == ["all.txt", "dont.txt", "gull.txt"], "\(either)")
        let long = try c[0].searchResults(SearchQuery("\"" + passage + "\""))
        #expect(long.hits.map(\.key) == ["long.txt"] && long.total == 1)
    }

    @Test("a phrase is confirmed in each text: its words apart or out of order are no hit, and the total counts confirmed texts only")
    func phrasesConfirmed() throws {
        let c = try Copies(1)
        _ = try c.ingest(0, [
            "together.txt": "Toolbar news\n\nA Google toolbar was sold to thousands of users.\n",
            "punctuated.txt": "More news\n\nThey said: Google. Toolbar sales fell.\n",
            "apart.txt": "Apart\n\nGoogle said the new toolbar was ready.\n",
            "reversed.txt": "Reversed\n\nThe toolbar from Google is gone.\n",
            "split.txt": "Toolbar makers\n\nGoogle bought one on Monday.\n",
            "other.txt": "Other story\n\nThe harbour ferry sails at noon. Don't miss it.\n",
        ])
        #expect(try c[0].db.text("SELECT sql FROM sqlite_master WHERE name = 'article_search'")?.contains("detail=none") == true)
        #expect(keys(try c[0].search(SearchQuery("google toolbar"))) == ["apart.txt", "punctuated.txt", "reversed.txt", "split.txt", "together.txt"])
        #expect(try c[0].search(SearchQuery("\"google toolbar\"")).contains { $0.snippet.contains("[Google toolbar]") })
        let phrase = try c[0].searchResults(SearchQuery("\"google toolbar\""))
        // Words apart or reversed (`toolbar makers` then `google`) are not the phrase;
        // punctuation between the words is allowed, as FTS5 with positions allowed it.
        #expect(keys(phrase.hits) == ["punctuated.txt", "together.txt"] && phrase.total == 2)
        var one = SearchQuery("\"google toolbar\"")
        one.limit = 1
        let limited = try c[0].searchResults(one)
        #expect(limited.hits.count == 1 && limited.total == 2, "the total counts every confirmed text past the limit")
        #expect(try c[0].search(SearchQuery("\"toolbar google\"")).isEmpty)
        #expect(keys(try c[0].search(SearchQuery("\"google toolbar\" OR ferry"))) == ["other.txt", "punctuated.txt", "together.txt"])
        #expect(keys(try c[0].search(SearchQuery("ferry OR \"google toolbar\""))) == ["other.txt", "punctuated.txt", "together.txt"])
        #expect(keys(try c[0].search(SearchQuery("\"google toolbar\" thousands"))) == ["together.txt"])
        #expect(keys(try c[0].search(SearchQuery("\"toolbar makers\" monday"))) == ["split.txt"])
        // A word with an apostrophe is two tokens to the index: a phrase, found, not an error.
        #expect(keys(try c[0].search(SearchQuery("don't"))) == ["other.txt"])
        #expect(try c[0].search(SearchQuery("\"don't sail\"")).isEmpty)
        #expect(try c[0].search(SearchQuery("\"harbour ferry sails\"")).first?.snippet.contains("[harbour ferry sails]") == true)
    }

    /// `count` documents in two batches, each an old and a new edition of a story with "ferry";
    /// every seventh new edition also has "rarity".
    func twoEditions(of count: Int) throws -> Copies {
        let c = try Copies(1)
        var first: [String: String] = [:], second: [String: String] = [:]
        for i in 0..<count {
            first["d\(i).txt"] = "Story \(i)\n\nThe ferry left at \(i) past noon. Old edition.\n"
            second["d\(i).txt"] = "Story \(i)\n\nThe ferry left at \(i) past noon. New edition\(i % 7 == 0 ? " with a rarity" : "").\n"
        }
        _ = try c.ingest(0, first, label: "one")
        _ = try c.ingest(0, second, label: "two")
        return c
    }

    @Test("a word in more texts than there are documents (past 1,000) gives the same current hits and total as a rare one")
    func commonWordCurrentVersions() throws {
        // 1,200 texts with "ferry", 600 of them current.
        let c = try twoEditions(of: 600)
        #expect(try c[0].db.int("SELECT count(*) FROM article_search WHERE article_search MATCH 'ferry'") == 1200)
        var ferry = SearchQuery("ferry")
        ferry.limit = 5
        let common = try c[0].searchResults(ferry)
        #expect(common.total == 600 && common.hits.count == 5 && common.hits.allSatisfy(\.isCurrent))
        // The one pass that counts and keeps the best (its buffer cut back several times over 600
        // rows) gives the hits SQLite's own ORDER BY ... LIMIT gives.
        let reference = try c[0].db.rows("""
            SELECT d.key FROM article_search JOIN article_index i ON i.row = article_search.rowid
            JOIN versions v ON v.blob = i.blob JOIN documents d ON d.id = v.document
            WHERE article_search MATCH 'ferry' AND d.head = v.id ORDER BY presence_bm25(article_search, '"ferry"' || char(31)), d.key, v.hash LIMIT 5
            """) { $0.text(0) }
        #expect(common.hits.map(\.key) == reference)
        #expect(try c[0].searchResults(SearchQuery("old")).total == 0, "no old version is found by default")
        ferry.allVersions = true
        #expect(try c[0].searchResults(ferry).total == 1200)
        let both = try c[0].searchResults(SearchQuery("ferry rarity"))
        #expect(both.total == 86 && both.hits.count == 20)
    }

    @Test("a word in more texts than the rank window: only the most recent texts are ranked, and the window is reported; filters rank every match")
    func rankWindow() throws {
        // 300 texts with "ferry", the 150 newest current.
        let c = try twoEditions(of: 150)
        var ferry = SearchQuery("ferry")
        ferry.limit = 5
        ferry.rankWindow = 40
        let windowed = try c[0].searchResults(ferry)
        #expect(windowed.window == SearchWindow(ranked: 40))
        // The 40 newest texts are second versions, all current: each is a match, and the hits come from them.
        let newest = Set(try c[0].db.rows("""
            SELECT b.hash FROM article_index i JOIN blobs b ON b.id = i.blob
            WHERE i.row >= (SELECT rowid FROM article_search WHERE article_search MATCH 'ferry' ORDER BY rowid DESC LIMIT 1 OFFSET 39)
            """) { $0.text(0) })
        #expect(newest.count == 40)
        #expect(windowed.total == 40 && windowed.hits.count == 5)
        #expect(windowed.hits.allSatisfy { $0.isCurrent && newest.contains($0.blob) })
        // Past the window's size in the limit, the window grows to four times the limit.
        ferry.limit = 20
        #expect(try c[0].searchResults(ferry).window == SearchWindow(ranked: 80))
        ferry.limit = 5
        // A date filter ranks every match: all 150 current versions, no window.
        ferry.since = "2000"
        let dated = try c[0].searchResults(ferry)
        #expect(dated.window == nil && dated.total == 150)
        // Under the window's size, every match is ranked.
        ferry.since = nil
        ferry.rankWindow = 5_000
        let whole = try c[0].searchResults(ferry)
        #expect(whole.window == nil && whole.total == 150)
    }
}
