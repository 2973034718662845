import Foundation
import Testing
import TestSupport

@Suite("CLI articles")
struct CLIArticlesTests {
    let ferry = "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"

    @Test("diff: text and JSON, counts, and clear errors")
    func diff() throws {
        let dir = TemporaryDirectory("cli-articles")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1", samples + "/day-2"]).status == 0)
        let text = try quire(["-A", a, "diff", ferry, "--color", "never"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdoutText.contains("[-Ferry crews and operator return to talks as strike enters third day-]"))
        #expect(text.stdoutText.contains("{+Ferry crews and operator reach tentative deal, crossings to resume Saturday+}"))
        #expect(!text.stdoutText.contains("\u{1B}["))
        let json = try #require(try parseJSON(try quire(["-A", a, "diff", ferry, "1", "2", "--json"])) as? [String: Any])
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(Set(counts.keys) == ["added", "changed", "removed", "unchanged"])
        #expect(counts["changed"]! >= 1 && counts["added"]! >= 1 && counts["unchanged"]! >= 1)
        #expect(json["same_text"] as? Bool == false && json["trivial"] as? Bool == false)
        #expect((json["sentences"] as? [[String: Any]])?.contains { $0["op"] as? String == "changed" && $0["words"] != nil } == true)

        let missing = try quire(["-A", a, "diff", ferry, "9"])
        #expect(missing.status == 1 && missing.stderr.contains("versions 1 to 2"))
        let single = try quire(["-A", a, "diff", "coastal-wire/storm-warning.txt"])
        #expect(single.status == 1 && single.stderr.contains("no earlier version"))
        #expect(try quire(["-A", a, "diff"]).status == 64)
        #expect(try quire(["-A", a, "diff", ferry, "--color", "sometimes"]).status == 64)
        let log = try #require(try parseJSON(try quire(["-A", a, "log", ferry, "--json"])) as? [String: Any])
        let versions = try #require(log["versions"] as? [[String: Any]])
        #expect(versions.map { $0["same_text"] as? Bool } == [false, false])
        #expect(versions[1]["trivial"] as? Bool == false)
    }

    @Test("--key path keys by path; --meta supplies metadata; a bad metadata file changes nothing")
    func keysAndMeta() throws {
        let dir = TemporaryDirectory("cli-articles")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", "--key", "path", samples + "/day-1"]).status == 0)
        let keys = try #require(try parseJSON(try quire(["-A", a, "ls", "--json"])) as? [[String: Any]]).compactMap { $0["key"] as? String }
        #expect(keys.contains("harbour-gazette/ferry-strike-talks.txt") && !keys.contains(ferry))

        let b = dir.file("b.quire")
        let bad = try dir.write("bad.jsonl", "{\"path\": \"x\"}\n{oops\n")
        let refused = try quire(["-A", b, "ingest", "--meta", bad, samples + "/day-1"])
        #expect(refused.status == 1 && refused.stderr.contains("line 2"))
        #expect(!FileManager.default.fileExists(atPath: b))

        let meta = try dir.write("meta.jsonl", "{\"path\": \"coastal-wire/storm-warning.txt\", \"url\": \"https://coastal-wire.example/storm\", \"title\": \"Supplied title\"}\n")
        #expect(try quire(["-A", b, "ingest", "-q", "--meta", meta, samples + "/day-1"]).status == 0)
        let show = try #require(try parseJSON(try quire(["-A", b, "show", "https://coastal-wire.example/storm", "--json"])) as? [String: Any])
        let fields = try #require((show["article"] as? [String: Any])?["fields"] as? [[String: Any]])
        #expect(fields.contains { $0["name"] as? String == "title" && $0["value"] as? String == "Supplied title" && $0["extractor"] as? String == "supplied" })
        let text = try quire(["-A", b, "show", "https://coastal-wire.example/storm"])
        #expect(text.stdoutText.contains("Supplied title  [supplied]"))
    }

    @Test("search: ranked hits with snippets as text and JSON; no query is a usage error")
    func search() throws {
        let dir = TemporaryDirectory("cli-articles")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", "--source", "samples", samples + "/day-1", samples + "/day-2"]).status == 0)
        let text = try quire(["-A", a, "search", "ferry", "deal"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdoutText.hasPrefix(ferry))
        #expect(text.stdoutText.contains("[deal]"))
        let hits = try #require(try parseJSON(try quire(["-A", a, "search", "library", "--json", "--source", "samples"])) as? [[String: Any]])
        #expect(hits.first?["key"] as? String == "https://northern-ledger.example/local/council-backs-library-funding")
        for field in ["key", "version", "blob", "current", "title", "published", "rank", "snippet"] { #expect(hits.first?[field] != nil, "\(field)") }
        #expect(try quire(["-A", a, "search", "library", "--source", "elsewhere"]).stdoutText.contains("no match"))
        let none = try quire(["-A", a, "search"])
        #expect(none.status == 64 && none.stderr.contains("Usage:"))
    }

    @Test("search: a word in more texts than the rank window says only the newest were ranked; a date filter counts them all")
    func searchRankWindow() throws {
        let dir = TemporaryDirectory("cli-search-window")
        let a = dir.file("a.quire")
        // 2,010 texts with "ferry": past the window of 2,000.
        for i in 0..<2_010 { try dir.write("corpus/\(i / 500)/s\(i).txt", "Ferry note \(i)\n\nThe ferry left at \(i).\n") }
        #expect(try quire(["-A", a, "ingest", "-q", dir.file("corpus")]).status == 0)
        let windowed = try quire(["-A", a, "search", "ferry", "-n", "3"])
        #expect(windowed.status == 0, "\(windowed.stderr)")
        #expect(windowed.stdoutText.contains("… 1997 more matches among the 2000 most recent texts with these words"), "\(windowed.stdoutText)")
        let dated = try quire(["-A", a, "search", "ferry", "-n", "3", "--since", "2000"])
        #expect(dated.stdoutText.contains("… 2007 more matches (2010 in all)"), "\(dated.stdoutText)")
    }

    @Test("dupes: the wire copy in the samples is a cluster; a bad threshold is a usage error")
    func dupes() throws {
        let dir = TemporaryDirectory("cli-articles")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1", samples + "/day-2"]).status == 0)
        let clusters = try #require(try parseJSON(try quire(["-A", a, "dupes", "--json", "-q"])) as? [[String: Any]])
        #expect(clusters.count == 1)
        let keys = (clusters.first?["members"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(keys == ["valley-times/bridge-reopens.txt", "wire-desk/valley-bridge-reopens.txt"])
        #expect(clusters.first?["similarity"] as? Double == 1)
        let text = try quire(["-A", a, "dupes", "-q"])
        #expect(text.status == 0 && text.stdoutText.contains("cluster 1: 2 documents"))
        #expect(try quire(["-A", a, "dupes", "--threshold", "2"]).status == 64)
    }
}

