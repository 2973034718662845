import Foundation
import Testing
import TestSupport

/// `quire cat --text`, `show --text` and `export jsonl --text`: the article's main text.
@Suite("CLI main text")
struct CLITextTests {
    static let page = """
        <!DOCTYPE html><html><head><title>Storm closes coast road</title>
        <link rel="canonical" href="https://coastal.example/storm"></head><body>
        <nav><a href="/">Home</a> <a href="/news">News</a></nav>
        <article><h1>Storm closes coast road</h1>
        <p>The harbour authority closed the coast road at noon on Tuesday, after waves broke over the wall.</p>
        <p>Engineers said the road would reopen on Friday, if the weather allows it, and crews kept working.</p>
        </article><div class="related"><a href="/x">Ten other stories you may like</a></div>
        <footer>© 2024 Coastal Wire</footer></body></html>
        """
    static let text = """
        The harbour authority closed the coast road at noon on Tuesday, after waves broke over the wall.

        Engineers said the road would reopen on Friday, if the weather allows it, and crews kept working.
        """

    @Test("cat --text KEY, KEY@N and HASH; show --text; export jsonl --text has a \"text\" per version")
    func mainText() throws {
        let dir = TemporaryDirectory("cli-text")
        let a = dir.file("a.quire")
        try dir.write("in/storm.html", Self.page)
        #expect(try quire(["-A", a, "ingest", "-q", dir.file("in")]).status == 0)
        let key = "https://coastal.example/storm"
        for reference in [key, key + "@1"] {
            let result = try quire(["-A", a, "cat", "--text", reference])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutText == Self.text + "\n")
        }
        let show = try #require(try parseJSON(try quire(["-A", a, "show", key, "--json", "--text"])) as? [String: Any])
        #expect(show["text"] as? String == Self.text)
        let blob = try #require((show["blob"] as? [String: Any])?["hash"] as? String)
        #expect(try quire(["-A", a, "cat", "--text", String(blob.prefix(12))]).stdoutText == Self.text + "\n")
        // Without --text, cat still writes the exact bytes.
        #expect(try quire(["-A", a, "cat", key]).stdoutText == Self.page)
        #expect(try quire(["-A", a, "show", key, "--text"]).stdoutText.hasSuffix("text:\n" + Self.text + "\n"))
        let lines = try quire(["-A", a, "export", "jsonl", "--text"]).stdoutText.split(separator: "\n")
        #expect(lines.count == 1)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(line["text"] as? String == Self.text)
        let plain = try quire(["-A", a, "export", "jsonl"]).stdoutText
        #expect(!plain.contains("\"text\""))
    }
}
