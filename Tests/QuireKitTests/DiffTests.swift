import Foundation
import CorpusGenerator
import Testing
import TestSupport
@testable import QuireKit

@Suite("Diff, same text and trivial changes")
struct DiffTests {
    @Test("sentences: split after . ! ? before a capital, a digit or a quote; not inside abbreviations like 6.15")
    func sentences() {
        #expect(TextDiff.sentences("One here. Two there! \"Three?\" Four at 6.15 a.m. today.\nA new paragraph") ==
                ["One here.", "Two there!", "\"Three?\"", "Four at 6.15 a.m. today.", "A new paragraph"])
    }

    @Test("a diff counts sentences added, changed and removed, with word changes inside a changed one")
    func diff() {
        let old = "The council met on Tuesday. It voted 7-2 to keep the library open. Protesters gathered outside."
        let new = "The council met on Tuesday. It voted 6-3 to keep the library open. The mayor welcomed the vote."
        let d = TextDiff(old: old, new: new)
        #expect(d.unchanged == 1 && d.changed == 1 && d.added == 1 && d.removed == 1)
        guard case .changed(_, _, let words) = d.pieces[1] else { Issue.record("expected a changed sentence: \(d.pieces)"); return }
        #expect(words.contains(.removed("7-2")) && words.contains(.added("6-3")) && words.contains(.same("library")))
        #expect(TextDiff(old: old, new: old).pieces.allSatisfy { if case .same = $0 { return true } else { return false } })
    }

    @Test("a huge diff stays linear: past the table limit the differing middle is removed then added (found by fuzzing)")
    func hugeDiff() {
        let old = (0..<3000).map { "Old sentence number \($0) here." }.joined(separator: " ")
        let new = "Same start. " + (0..<3000).map { "New line \($0) there." }.joined(separator: " ")
        let d = TextDiff(old: "Same start. " + old, new: new)
        #expect(d.unchanged == 1 && d.removed + d.changed == 3000 && d.added + d.changed == 3000)
    }

    @Test("trivial: only a timestamp or a boilerplate line changed")
    func trivial() {
        let body = "Storm closes coast road\nBy Ana Ruiz\nLast update: March 26, 2024 10:05\n\nThe road was shut at noon. Crews expect to reopen it on Friday.\nShare this article"
        #expect(TextDiff.isTrivial(old: body, new: body.replacingOccurrences(of: "10:05", with: "11:40")))
        #expect(TextDiff.isTrivial(old: body, new: body.replacingOccurrences(of: "Share this article", with: "Subscribe for updates")))
        #expect(!TextDiff.isTrivial(old: body, new: body.replacingOccurrences(of: "on Friday", with: "on Monday")))
    }

    @Test("log marks a version with the same text in other bytes, and one whose change is trivial; diff compares any two")
    func archiveMarks() throws {
        let c = try Copies(1)
        let text = "Harbour strike ends\nBy Ines Calloway\nUpdated 09:10\n\nCrews accepted the offer. Ferries sail on Saturday.\n"
        _ = try c.ingest(0, ["strike.txt": text])
        _ = try c.ingest(0, ["strike.txt": text.replacingOccurrences(of: "\n", with: "\r\n")])           // same text, other bytes
        _ = try c.ingest(0, ["strike.txt": text.replacingOccurrences(of: "09:10", with: "11:45")])      // only the time changed
        _ = try c.ingest(0, ["strike.txt": text.replacingOccurrences(of: "Saturday", with: "Sunday")])  // a real change
        let log = try c[0].log(key: "strike.txt")
        #expect(log.map(\.sameText) == [false, true, false, false])
        // What `log` marks: no parent, same text, only the time changed, a real change.
        #expect(c[0].trivialChanges(log) == [nil, nil, true, false])
        #expect(try c[0].compare(key: "strike.txt", to: "3").trivial)
        let last = try c[0].compare(key: "strike.txt")
        #expect(!last.trivial && !last.sameText && last.diff.changed == 1 && last.from.number == 3 && last.to.number == 4)
        let firstToLast = try c[0].compare(key: "strike.txt", from: "1", to: "@4")
        #expect(firstToLast.diff.changed == 1 && firstToLast.diff.added == 0 && firstToLast.diff.removed == 0)
        #expect(throws: QuireError.self) { try c[0].compare(key: "strike.txt", from: "9") }
        #expect(throws: QuireError.self) { try c[0].compare(key: "strike.txt", to: "1") }
    }
}

@Suite("Near-duplicates")
struct NearDuplicateTests {
    @Test("sketch similarity tracks Jaccard similarity of shingles")
    func sketches() {
        let base = (0..<400).map { "w\($0 * 7919 % 1000)" }.joined(separator: " ")
        let a = ShingleSketch(base)
        #expect(a.values.count == ShingleSketch.k)
        #expect(a.similarity(ShingleSketch(base.uppercased())) == 1)
        #expect(a.similarity(ShingleSketch((0..<400).map { "x\($0)" }.joined(separator: " "))) < 0.05)
        var words = base.split(separator: " ").map(String.init)
        for i in stride(from: 0, to: words.count, by: 40) { words[i] = "changed\(i)" }
        let s = a.similarity(ShingleSketch(words.joined(separator: " ")))
        #expect(s > 0.6 && s < 0.95, "\(s)")
    }

    @Test("on a labelled generated set, dupes finds rewrites across outlets with high precision and recall")
    func labelled() throws {
        let c = try Copies(1)
        let corpus = NewsCorpus(articles: 300, seed: 77)
        let root = c.dir.file("corpus")
        _ = try corpus.write(to: root)
        let rewrites = try Rewrites(of: corpus, in: c.dir, folder: "corpus")
        let truth = Set(rewrites.items.map { [$0.originalKey, $0.key].sorted().joined(separator: " | ") })
        let rewritten = rewrites.items.count
        #expect(rewritten >= 40)
        _ = try c[0].ingest(paths: [root], options: quietOptions())
        let clusters = try c[0].nearDuplicates(threshold: 0.5)
        var found = Set<String>()
        for cluster in clusters {
            for pair in cluster.pairs { found.insert([cluster.members[pair.a].key, cluster.members[pair.b].key].sorted().joined(separator: " | ")) }
        }
        let right = found.intersection(truth).count
        let precision = found.isEmpty ? 0 : Double(right) / Double(found.count)
        let recall = Double(right) / Double(truth.count)
        print("near-duplicates: precision \(Int(precision * 100))%, recall \(Int(recall * 100))% (\(right) of \(truth.count) rewrites found, \(found.count) pairs reported)")
        #expect(precision >= 0.95, "false pairs: \(found.subtracting(truth).prefix(5))")
        #expect(recall >= 0.9, "missed: \(truth.subtracting(found).prefix(5))")
    }
}
