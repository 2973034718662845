import Deflate
import Foundation
import Testing
import TestSupport
@testable import QuireKit

@Suite("Article metadata")
struct MetadataTests {
    @Test("HTML: JSON-LD first, then og:/meta tags, then <title>; each field names its extractor")
    func html() throws {
        let page = """
            <!DOCTYPE html><html lang="en-GB"><head>
            <title>Storm closes coast road | The Coastal Wire</title>
            <link rel="canonical" href="HTTPS://Coastal-Wire.example/news/storm?utm_source=feed&amp;id=7#top">
            <meta property="og:title" content="Storm closes coast road">
            <meta property="og:site_name" content="The Coastal Wire">
            <meta name="author" content="By Ana Ruiz">
            <meta property="article:modified_time" content="2024-03-27T08:00:00Z">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},
              {"@type":"ReportageNewsArticle","headline":"Storm closes the coast road","datePublished":"2024-03-26T14:05:00+01:00",
               "author":[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Li Wei"}],
               "publisher":{"@type":"Organization","name":"Coastal Wire"}}]}</script>
            </head><body><nav>Home | News</nav><article><h1>Storm closes the coast road</h1>
            <p>The road was shut at noon &mdash; crews said.</p><p>It reopens Friday.</p></article>
            <footer>© 2024</footer></body></html>
            """
        let m = MetadataExtractor.extract(Array(page.utf8))
        #expect(m.kind == "html")
        #expect(m.value("title") == "Storm closes the coast road")
        #expect(m.fields.first { $0.name == "title" }?.extractor == "html-jsonld/2")
        #expect(m.values("author") == ["Ana Ruiz", "Li Wei"])
        #expect(m.value("published") == "2024-03-26T14:05:00+01:00")
        #expect(m.value("modified") == "2024-03-27T08:00:00Z")
        #expect(m.fields.first { $0.name == "modified" }?.extractor == "html-meta/2")
        #expect(m.value("publication") == "Coastal Wire")
        #expect(m.value("language") == "en-GB")
        #expect(m.value("url") == "HTTPS://Coastal-Wire.example/news/storm?utm_source=feed&id=7#top")
        #expect(URLKey.normalize(m.value("url")!) == "https://coastal-wire.example/news/storm?id=7")
        #expect(m.text.contains("The road was shut at noon \u{2014} crews said."))
        #expect(!m.text.contains("Home | News") && !m.text.contains("© 2024"))
    }

    @Test("plain text: title line, By-line, dates in common forms, a URL line")
    func plainText() throws {
        let text = """
            Council votes to keep the library open

            https://ledger.example/local/library
            By Dev Raman and Ana Ruiz
            March 26, 2024
            Last update: April 26, 2024 20:38

            The council voted 7-2 on Tuesday.
            """
        let m = MetadataExtractor.extract(Array(text.utf8))
        #expect(m.kind == "text")
        #expect(m.value("title") == "Council votes to keep the library open")
        #expect(m.value("url") == "https://ledger.example/local/library")
        #expect(m.values("author") == ["Dev Raman", "Ana Ruiz"])
        #expect(m.value("published") == "2024-03-26")
        #expect(m.value("modified") == "2024-04-26T20:38")
        #expect(m.fields.allSatisfy { $0.extractor == "text/2" })
    }

    @Test("dates: the forms news pages print")
    func dates() {
        let cases: [(String, String?)] = [
            ("March 26, 2024", "2024-03-26"), ("26 March 2024", "2024-03-26"), ("Mar. 26, 2024", "2024-03-26"),
            ("Sept 3 2025", "2025-09-03"), ("2024-03-26", "2024-03-26"), ("2024-03-26T14:05:09.123Z", "2024-03-26T14:05:09.123Z"),
            ("2024-03-26 14:05", "2024-03-26T14:05"), ("2024-03-26T14:05:00+0100", "2024-03-26T14:05:00+01:00"),
            ("Last update: April 26, 2024 20:38", "2024-04-26T20:38"), ("Published 5 May 2024 3:15 pm", "2024-05-05T15:15"),
            ("no date here", nil), ("1234-56-78", nil),
        ]
        for (input, expected) in cases { #expect(NewsDate.find(in: input) == expected, "\(input)") }
    }

    @Test("JSON and JSON Lines articles")
    func json() {
        let m = MetadataExtractor.extract(Array(#"{"url":"https://x.example/a","title":"T","text":"Body text.","date":"26 March 2024","author":["A","B"]}"#.utf8))
        #expect(m.kind == "json" && m.value("url") == "https://x.example/a" && m.value("title") == "T")
        #expect(m.value("published") == "2024-03-26" && m.values("author") == ["A", "B"] && m.text == "Body text.")
        let lines = MetadataExtractor.extract(Array("{\"url\":\"https://x.example/b\",\"title\":\"One\"}\n{\"url\":\"https://x.example/c\"}\n".utf8))
        #expect(lines.kind == "json" && lines.value("url") == "https://x.example/b")
    }

    @Test("text that is not UTF-8 is read as Windows-1252; the stored bytes stay as they were")
    func encodings() throws {
        let latin1: [UInt8] = Array("Caf".utf8) + [0xE9] + Array(" au lait \u{0}".utf8.dropLast()) + [0x93] + Array("quoted".utf8) + [0x94]
        let m = MetadataExtractor.extract(latin1)
        #expect(m.encoding == "windows-1252")
        #expect(m.text.hasPrefix("Café au lait \u{201C}quoted\u{201D}"))
        let scratch = try Scratch()
        _ = try scratch.dir.write("in/latin1.txt", latin1)
        _ = try scratch.archive.ingest(paths: [scratch.dir.file("in")], options: quietOptions())
        let hash = try scratch.archive.resolve("latin1.txt").blobHash
        #expect(try scratch.archive.blobBytes(hash: hash) == latin1)
        #expect(try scratch.archive.articleFields(blob: hash).encoding == "windows-1252")
    }

    @Test("URL keys: scheme and host lowercased, default port, fragment and utm_* dropped")
    func urlKeys() {
        #expect(URLKey.normalize("HTTP://Example.COM:80/A/b?utm_medium=x&q=1&UTM_campaign=y#frag") == "http://example.com/A/b?q=1")
        #expect(URLKey.normalize("https://example.com") == "https://example.com/")
        #expect(URLKey.normalize("ftp://example.com/x") == nil)
        #expect(URLKey.normalize("not a url") == nil)
    }

    @Test("real news pages: the canonical URL is right for at least 90%")
    func realPagesCanonicalURL() throws {
        let root = sharedDirectory + "/corpora/news-html"
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(readFile(root + "/ground-truth.json"))) as? [String: [String: Any]])
        var right = 0, total = 0
        var wrong: [String] = []
        for (name, facts) in truth.sorted(by: { $0.key < $1.key }) {
            guard let url = facts["url"] as? String else { continue }
            let page = try Inflater.decompress(try readFile(root + "/html/\(name).html.gz"), format: .gzip)
            total += 1
            let found = MetadataExtractor.extract(page).value("url").flatMap(URLKey.normalize)
            if found == URLKey.normalize(url) { right += 1 } else { wrong.append("\(name.prefix(8)): \(found ?? "none") vs \(url)") }
        }
        let share = Double(right) / Double(max(total, 1))
        print("canonical URL right for \(right) of \(total) real pages (\(Int(share * 100))%)")
        #expect(total == 90)
        #expect(share >= 0.9, "\(wrong.joined(separator: "\n"))")
    }

    @Test("ingest keys documents by canonical URL: one article under two file names is one document with two versions")
    func identityByURL() throws {
        let scratch = try Scratch()
        let page = { (body: String) in "<html><head><link rel=\"canonical\" href=\"https://news.example/a?utm_source=x\"></head><body><p>\(body)</p></body></html>" }
        _ = try scratch.dir.write("monday/capture-0412.html", page("First text."))
        _ = try scratch.dir.write("tuesday/capture-9931.html", page("First text, corrected."))
        _ = try scratch.archive.ingest(paths: [scratch.dir.file("monday")], options: quietOptions())
        let second = try scratch.archive.ingest(paths: [scratch.dir.file("tuesday")], options: quietOptions())
        #expect(second.counts["version"] == 1)
        #expect(try scratch.archive.documents().map(\.key) == ["https://news.example/a"])
        // Each version names the full path it was read from (its folder, since schema 12).
        #expect(try scratch.archive.log(key: "https://news.example/a").map(\.path) == [scratch.dir.file("monday/capture-0412.html"), scratch.dir.file("tuesday/capture-9931.html")])
        // --key path keeps them apart.
        let byPath = try Scratch()
        var options = quietOptions()
        options.keyMode = .path
        _ = try byPath.archive.ingest(paths: [scratch.dir.file("monday")], options: options)
        _ = try byPath.archive.ingest(paths: [scratch.dir.file("tuesday")], options: options)
        #expect(try byPath.archive.documents().map(\.key) == ["capture-0412.html", "capture-9931.html"])
    }

    @Test("metadata supplied by the scraper takes precedence, keys the document, and travels with the sighting")
    func supplied() throws {
        let c = try Copies(2)
        _ = try c.dir.write("in/a.txt", "Some title\nBy Somebody\n\nText.\n")
        let meta = try c.dir.write("meta.jsonl", """
            {"path": "a.txt", "url": "https://scraper.example/a", "title": "The real title", "author": ["X", "Y"]}

            """)
        var options = quietOptions()
        options.supplied = try SuppliedMetadata.load(meta)
        _ = try c[0].ingest(paths: [c.dir.file("in")], options: options)
        let key = try #require(try c[0].documents().first?.key)
        #expect(key == "https://scraper.example/a")
        let hash = try c[0].resolve(key).blobHash
        let fields = try c[0].articleFields(blob: hash).fields
        #expect(fields.first { $0.name == "title" }?.value == "The real title")
        #expect(fields.first { $0.name == "title" }?.extractor == "supplied")
        #expect(fields.filter { $0.name == "author" }.map(\.value) == ["X", "Y"])
        try c.send(0, 1)
        #expect(try c[1].articleFields(blob: hash).fields == fields)
        let bad = try c.dir.write("bad.jsonl", "{\"path\": \"a.txt\"}\nnot json\n")
        #expect { _ = try SuppliedMetadata.load(bad) } throws: { ($0 as? QuireError)?.message.contains("line 2") ?? false }
        let noPath = try c.dir.write("nopath.jsonl", "{\"title\": \"x\"}\n")
        #expect { _ = try SuppliedMetadata.load(noPath) } throws: { ($0 as? QuireError)?.message.contains("path") ?? false }
    }
}
