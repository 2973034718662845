import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// The sync property: copies that ingest different things and exchange bundles in random
/// orders, with replays and syncs, end with the same content once everyone has exchanged with
/// everyone.
@Suite("Convergence")
struct ConvergenceTests {
    @Test("random ingests and random exchanges between 3 to 5 copies converge", arguments: [11, 22, 33, 44])
    func converge(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let count = 3 + Int(seed % 3)
        let c = try Copies(count)
        let sharedKeys = ["wire/story-a.txt", "wire/story-b.txt", "wire/story-c.txt"]
        var bundles: [String] = []
        var refused = 0
        var step = 0
        for _ in 0..<40 {
            step += 1
            let a = Int(rng.next() % UInt64(count))
            var b = Int(rng.next() % UInt64(count))
            if b == a { b = (a + 1) % count }
            switch rng.next() % 6 {
            case 0, 1:
                // Ingest: a new document, a new version of a shared key (forks), a duplicate.
                var files: [String: String] = ["own/\(a)-\(step).txt": "copy \(a) step \(step)\n"]
                files[sharedKeys[Int(rng.next() % 3)]] = "shared text \(rng.next() % 4)\n"
                if rng.next() % 2 == 0 { files["dup/\(step).txt"] = "shared text \(rng.next() % 4)\n" }
                _ = try c.ingest(a, files, label: "step \(step)")
            case 2:
                // An incremental bundle for what b holds.
                let path = c.dir.file("s\(step).bundle")
                _ = try c[a].writeBundle(base: try c[b].state(), to: path)
                bundles.append(path)
                _ = try c[b].importBundle(at: path)
            case 3:
                // Everything.
                try c.send(a, b, all: true)
            case 4:
                // Replay an old bundle somewhere: it adds what is new, or is refused whole.
                guard !bundles.isEmpty else { continue }
                let path = bundles[Int(rng.next() % UInt64(bundles.count))]
                let digest = try c[b].digest()
                do { _ = try c[b].importBundle(at: path) } catch is QuireError {
                    refused += 1
                    #expect(try c[b].digest() == digest)
                }
            default:
                _ = try c[a].sync(with: c[b])
            }
        }
        // Everyone exchanges with everyone until nothing moves.
        var rounds = 0
        var moved = true
        while moved && rounds < 6 {
            moved = false
            rounds += 1
            for a in 0..<count {
                for b in 0..<count where a != b {
                    if try c.send(a, b).eventsAdded > 0 { moved = true }
                }
            }
        }
        #expect(!moved, "still exchanging after \(rounds) rounds")
        let digests = try c.archives.map { try $0.digest() }
        #expect(Set(digests).count == 1, "digests differ: \(digests)")
        let listings = try c.archives.map { try $0.documents().map(\.json.canonical).joined(separator: "\n") }
        #expect(Set(listings).count == 1)
        let heads = try c.archives.map { try $0.forkedDocuments().map { "\($0.key) \($0.heads.map(\.hash))" } }
        #expect(Set(heads.map { $0.joined(separator: ";") }).count == 1)
        for archive in c.archives { #expect(try archive.chainProblems().isEmpty) }
    }
}
