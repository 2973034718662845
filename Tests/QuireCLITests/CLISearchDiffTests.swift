import Foundation
import Testing
import TestSupport

/// Search phrases, whole-word highlights, limits; diff context, --stat, colour rules; version
/// references spelled the same way everywhere — through the real binary.
@Suite("CLI search, diff and version references")
struct CLISearchDiffTests {
    /// An archive of 25 short stories plus two about a toolbar (one with the phrase, one not).
    func searchArchive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("search")
        try dir.write("in/a.txt", "Thousands of handheld devices and a Google toolbar were sold.\n")
        try dir.write("in/b.txt", "The toolbar from Google is gone; google it.\n")
        for i in 1...25 { try dir.write("in/s\(i).txt", "Story \(i) about the ferry.\n") }
        let path = dir.file("s.quire")
        #expect(try quire(["-A", path, "ingest", "-q", dir.file("in")]).status == 0)
        return (dir, path)
    }

    @Test("a quoted phrase matches the words together and in order; one argument with spaces is a phrase")
    func phrases() throws {
        let (dir, path) = try searchArchive()
        defer { withExtendedLifetime(dir) {} }
        func keys(_ words: [String]) throws -> [String] {
            let hits = try #require(try parseJSON(try quire(["-A", path, "search", "--json"] + words)) as? [[String: Any]])
            return hits.compactMap { $0["key"] as? String }.sorted()
        }
        #expect(try keys(["google", "toolbar"]) == ["a.txt", "b.txt"])
        #expect(try keys(["google toolbar"]) == ["a.txt"])            // as the shell passes "google toolbar"
        #expect(try keys(["\"google toolbar\""]) == ["a.txt"])        // quotes inside the query
        #expect(try keys(["\"toolbar google\""]).isEmpty)
        let text = try quire(["-A", path, "search", "google toolbar"]).stdoutText
        #expect(text.contains("[Google toolbar]"))
    }

    @Test("highlights mark whole words only")
    func wholeWords() throws {
        let (dir, path) = try searchArchive()
        defer { withExtendedLifetime(dir) {} }
        let text = try quire(["-A", path, "search", "and"]).stdoutText
        #expect(text.contains("devices [and] a"))
        #expect(!text.contains("h[and]held") && !text.contains("Thous[and]s"))
        let google = try quire(["-A", path, "search", "google"]).stdoutText
        #expect(google.contains("[Google] is gone; [google] it"))
    }

    @Test("-n/--limit, and a hint of how many more matched")
    func limits() throws {
        let (dir, path) = try searchArchive()
        defer { withExtendedLifetime(dir) {} }
        let three = try quire(["-A", path, "search", "ferry", "-n", "3"])
        #expect(three.status == 0)
        #expect(three.stdoutText.split(separator: "\n").filter { $0.hasPrefix("s") }.count == 3)
        #expect(three.stdoutText.contains("22 more matches (25 in all)"))
        let byDefault = try quire(["-A", path, "search", "ferry"]).stdoutText
        #expect(byDefault.contains("5 more matches (25 in all)"))
        let all = try quire(["-A", path, "search", "ferry", "--limit", "25"]).stdoutText
        #expect(!all.contains("more match"))
        #expect(try quire(["-A", path, "search", "ferry", "-n", "0"]).status == 64)
    }

    /// A document `x.txt` of 20 sentences whose 10th changed.
    func diffArchive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("diff")
        let sentences = (1...20).map { "Sentence number \($0) is here." }
        try dir.write("a/x.txt", sentences.joined(separator: " ") + "\n")
        let path = dir.file("d.quire")
        #expect(try quire(["-A", path, "ingest", "-q", "--key", "path", dir.file("a")]).status == 0)
        var changed = sentences
        changed[9] = "Sentence number ten is here now."
        try dir.write("a/x.txt", changed.joined(separator: " ") + "\n")
        #expect(try quire(["-A", path, "ingest", "-q", "--key", "path", dir.file("a")]).status == 0)
        return (dir, path)
    }

    @Test("diff shows 3 sentences of context by default, -U N as asked, --stat only the counts")
    func diffContext() throws {
        let (dir, path) = try diffArchive()
        defer { withExtendedLifetime(dir) {} }
        let byDefault = try quire(["-A", path, "diff", "x.txt"]).stdoutText
        #expect(byDefault.contains("Sentence number 7 is here.") && byDefault.contains("Sentence number 13 is here."))
        #expect(!byDefault.contains("Sentence number 6 is here.") && !byDefault.contains("Sentence number 14 is here."))
        #expect(byDefault.contains("… 6 unchanged sentences") && byDefault.contains("… 7 unchanged sentences"))
        let one = try quire(["-A", path, "diff", "x.txt", "-U", "1"]).stdoutText
        #expect(one.contains("Sentence number 9 is here.") && !one.contains("Sentence number 8 is here."))
        let zero = try quire(["-A", path, "diff", "x.txt", "-U0"]).stdoutText
        #expect(!zero.contains("Sentence number 9 is here.") && zero.contains("[-Sentence number 10 is here.-]"))
        let whole = try quire(["-A", path, "diff", "x.txt", "--unified", "100"]).stdoutText
        #expect(whole.contains("Sentence number 1 is here.") && !whole.contains("unchanged sentences\n  "))
        let stat = try quire(["-A", path, "diff", "x.txt", "--stat"])
        #expect(stat.status == 0)
        #expect(stat.stdoutText == "x.txt @1 -> @2: 1 sentence added, 0 changed, 1 removed, 19 unchanged\n  6 words added, 5 removed\n")
        #expect(try quire(["-A", path, "diff", "x.txt", "-U", "many"]).status == 64)
    }

    @Test("colour: on a terminal by default, not with NO_COLOR or TERM=dumb; --color=always|never decide")
    func colour() throws {
        try requireTool("script (util-linux)", check: ["script", "--version"])
        let (dir, path) = try diffArchive()
        defer { withExtendedLifetime(dir) {} }
        let escape = "\u{1B}[31m"
        func onTerminal(_ environment: [String: String], _ extra: String = "") throws -> String {
            // The test runner's own NO_COLOR (if any) is taken away unless the case sets it.
            let unset = environment["NO_COLOR"] == nil ? "env -u NO_COLOR " : ""
            return try runProcess("script", ["-qec", "\(unset)'\(quireBinary)' --no-pager -A '\(path)' diff x.txt \(extra)", "/dev/null"],
                           environment: environment.merging(["TERM": environment["TERM"] ?? "xterm"]) { a, _ in a }).stdoutText
        }
        #expect(try onTerminal([:]).contains(escape))
        #expect(!(try onTerminal(["NO_COLOR": "1"])).contains(escape))
        #expect(!(try onTerminal(["TERM": "dumb"])).contains(escape))
        #expect(!(try onTerminal([:], "--color=never")).contains(escape))
        #expect(try onTerminal(["NO_COLOR": "1"], "--color=always").contains(escape))
        // In a pipe: none unless asked.
        #expect(!(try quire(["-A", path, "diff", "x.txt"])).stdoutText.contains(escape))
        #expect(try quire(["-A", path, "diff", "x.txt", "--color=always"]).stdoutText.contains(escape))
    }

    @Test("version references: N, @N, KEY@N and a hash prefix name the same version in diff and show")
    func references() throws {
        let (dir, path) = try diffArchive()
        defer { withExtendedLifetime(dir) {} }
        let log = try #require(try parseJSON(try quire(["-A", path, "log", "x.txt", "--json"])) as? [String: Any])
        let versions = try #require(log["versions"] as? [[String: Any]])
        let v1 = try #require(versions[0]["version"] as? String)
        let b1 = try #require(versions[0]["blob"] as? String)
        var outputs: Set<String> = []
        for reference in ["1", "@1", "x.txt@1", String(v1.prefix(8)), String(b1.prefix(8))] {
            let r = try quire(["-A", path, "diff", "x.txt", reference, "2", "--stat"])
            #expect(r.status == 0, "\(reference): \(r.stderr)")
            outputs.insert(r.stdoutText)
        }
        #expect(outputs.count == 1)
        let bad = try quire(["-A", path, "diff", "x.txt", "@7"])
        #expect(bad.status == 1 && bad.stderr.contains("versions 1 to 2"))
        #expect(try quire(["-A", path, "show", "x.txt@1", "--json"]).status == 0)
    }
}
