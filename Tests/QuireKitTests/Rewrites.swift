import CorpusGenerator
import Testing
import TestSupport
@testable import QuireKit

/// A labelled set of near-duplicates: light rewrites of a generated corpus's plain-text articles
/// at another outlet (a new title, URL and byline, one word in `wordsPerChange` changed, the last
/// sentence dropped), written under `folder/rewrite-desk/`.
struct Rewrites {
    struct Rewrite {
        let article: Int
        let path: String
        let key: String
        let originalKey: String
        let text: String
    }

    let items: [Rewrite]

    init(of corpus: NewsCorpus, in dir: TemporaryDirectory, folder: String, every: Int = 3, wordsPerChange: Int = 30) throws {
        var items: [Rewrite] = []
        for i in 0..<corpus.articles where corpus.format(i) == "txt" && i % every == 0 {
            let original = String(decoding: corpus.content(i, version: 1), as: UTF8.self)
            var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let originalKey = try #require(URLKey.normalize(lines[1]))
            lines[0] = "Rewritten: " + lines[0].lowercased()
            lines[1] = "https://rewrite-desk.example/story-\(i)"
            lines[2] = "By Staff and wire reports"
            var words = lines[4...].joined(separator: "\n").split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            for w in stride(from: 5, to: words.count, by: wordsPerChange) { words[w] = "reworded" }
            var body = words.joined(separator: " ")
            if let cut = body.dropLast(2).lastIndex(of: ".") { body = String(body[...cut]) }
            let text = lines[0..<4].joined(separator: "\n") + "\n" + body + "\n"
            let path = try dir.write("\(folder)/rewrite-desk/story-\(i).txt", text)
            items.append(Rewrite(article: i, path: path, key: lines[1], originalKey: originalKey, text: text))
        }
        self.items = items
    }
}
