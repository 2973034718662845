import Hashing
import Testing
import TestSupport
@testable import QuireKit

@Suite("Version hashes")
struct VersionHashTests {
    @Test("the direct writer gives the SHA-256 of exactly the canonical JSON {blob, key, parents sorted}")
    func matchesCanonicalJSON() {
        var rng = SeededRandom(seed: 22)
        for i in 0..<300 {
            let key = "doc \(i) \"quoted\" \\ é \u{1}/\(rng.next() % 1000)"
            let blob = String(repeating: String(i % 10), count: 64)
            let parents = (0..<Int(rng.next() % 4)).map { _ in SHA256.hash(rng.bytes(8)).hex }
            let json: JSON = .object(["key": .string(key), "blob": .string(blob), "parents": .array(parents.sorted().map { .string($0) })])
            #expect(versionHash(key: key, blob: blob, parents: parents) == SHA256.hash(json.canonical).hex)
        }
    }
}
