import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// The delta format is Fossil's: proven against the real `fossil` (both directions), on real
/// pages re-captured as re-scrapes do, and against damage.
@Suite("Deltas")
struct DeltaTests {
    /// Pairs of (base, target): edits, moves, nothing shared, empty sides, binary.
    static func pairs() -> [([UInt8], [UInt8])] {
        var rng = SeededRandom(seed: 15)
        let text = Array((0..<400).map { "Sentence \($0) of the article, with words that repeat. " }.joined().utf8)
        var edited = text
        edited.replaceSubrange(1000..<1040, with: Array("a changed figure: 40 dead, not 12".utf8))
        edited += Array(" An update at the end.".utf8)
        let moved = Array(text[8000...]) + Array(text[..<8000])
        let random = rng.bytes(50_000)
        var randomEdited = random
        for k in stride(from: 0, to: randomEdited.count, by: 5000) { randomEdited[k] ^= 0xFF }
        return [(text, edited), (text, moved), (text, text), (random, randomEdited), (random, rng.bytes(3000)),
                ([], text), (text, []), ([], []), (Array("short".utf8), Array("shorter".utf8)),
                (Array(repeating: UInt8(ascii: "a"), count: 100_000), Array(repeating: UInt8(ascii: "a"), count: 100_001))]
    }

    @Test("deltas turn each base into its target, and are small when the two share most bytes")
    func roundTrip() throws {
        for (base, target) in Self.pairs() {
            let delta = Delta.create(from: base, to: target)
            #expect(try Delta.apply(delta, to: base) == target)
            #expect(Delta.outputSize(delta) == target.count)
        }
        let (text, edited) = Self.pairs()[0]
        #expect(Delta.create(from: text, to: edited).count < 200)
    }

    @Test("fossil applies our deltas, and we apply fossil's")
    func fossilInterop() throws {
        guard toolExists("fossil") else {
            print("skipped: fossil is not installed (apt-get install fossil), so interop with Fossil's deltas was not checked")
            return
        }
        let dir = TemporaryDirectory("delta")
        for (n, (base, target)) in Self.pairs().enumerated() {
            let b = try dir.write("base\(n)", base), t = try dir.write("target\(n)", target)
            let ours = try dir.write("ours\(n)", Delta.create(from: base, to: target))
            let made = dir.file("made\(n)")
            let applied = try runProcess("fossil", ["test-delta-apply", b, ours, made])
            #expect(applied.status == 0, "pair \(n): \(applied.stderr)")
            #expect(try readFile(made) == target, "pair \(n): fossil made other bytes from our delta")
            let theirs = dir.file("theirs\(n)")
            #expect(try runProcess("fossil", ["test-delta-create", b, t, theirs]).status == 0)
            #expect(try Delta.apply(try readFile(theirs), to: base) == target, "pair \(n)")
        }
    }

    @Test("a re-captured real page costs about its differences")
    func realRecapture() throws {
        let folder = sharedDirectory + "/corpora/news-html/html"
        guard let name = try? FileManager.default.contentsOfDirectory(atPath: folder).sorted().first,
              let page = try? runProcess("gzip", ["-dc", folder + "/" + name]).stdout, !page.isEmpty else {
            print("skipped: ../shared/corpora/news-html is missing")
            return
        }
        var recaptured = page
        let stamp = Array("<!-- captured 2026-12-02T06:00:00Z cb=8f3a91 -->".utf8)
        recaptured.insert(contentsOf: stamp, at: page.count / 3)
        recaptured.replaceSubrange((page.count * 2 / 3)..<(page.count * 2 / 3 + 20), with: Array("ad-slot-77812-bottom".utf8))
        let delta = Delta.create(from: page, to: recaptured)
        #expect(try Delta.apply(delta, to: page) == recaptured)
        #expect(delta.count < 200, "\(delta.count) bytes for a \(page.count)-byte page")
    }

    @Test("damaged deltas are errors, never wrong bytes")
    func damage() throws {
        let (base, target) = Self.pairs()[0]
        let delta = Delta.create(from: base, to: target)
        var rng = SeededRandom(seed: 151)
        for _ in 0..<300 {
            var bad = delta
            let i = Int(rng.next() % UInt64(bad.count))
            bad[i] = UInt8(truncatingIfNeeded: rng.next())
            if bad == delta { continue }
            if let out = try? Delta.apply(bad, to: base) { #expect(out == target, "a damaged delta made other bytes") }
        }
        #expect(throws: Delta.Malformed.self) { try Delta.apply(Array(delta.prefix(delta.count / 2)), to: base) }
        #expect(throws: Delta.Malformed.self) { try Delta.apply(delta, to: base, limit: target.count - 1) }
        #expect(throws: Delta.Malformed.self) { try Delta.apply(Array("5\n3@99999,2:ab0;".utf8), to: base) }
        #expect(throws: Delta.Malformed.self) { try Delta.apply(Array("~~~~~~~~~~~~~~~\n".utf8), to: base) }
    }

    @Test("encoding is linear in its input, even on repetitive bytes")
    func linear() throws {
        let a = [UInt8](repeating: UInt8(ascii: "<"), count: 4 << 20)
        var b = a
        b[b.count / 2] = UInt8(ascii: ">")
        let started = Date()
        let delta = Delta.create(from: a, to: b)
        #expect(try Delta.apply(delta, to: a) == b)
        #expect(Date().timeIntervalSince(started) < 20)
    }
}
