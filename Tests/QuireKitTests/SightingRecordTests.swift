import Testing
import TestSupport
@testable import QuireKit

@Suite("Sighting records")
struct SightingRecordTests {
    static func samples() -> [SightingRecord] {
        var rng = SeededRandom(seed: 6)
        func maybe<T>(_ value: T) -> T? { rng.next() % 2 == 0 ? value : nil }
        var out: [SightingRecord] = []
        for i in 0..<300 {
            let key = "outlet/\(i)/story \"quoted\"\n\u{1}é.txt"
            out.append(SightingRecord(key: maybe(key), path: rng.next() % 3 == 0 ? "other/\(i)" : key,
                                      pathRaw: maybe("ff00"), size: maybe(Int(rng.next() % 100_000)),
                                      mtime: maybe("2026-01-02T03:04:05.123456789Z"), blob: maybe(String(repeating: "a", count: 64)),
                                      meaning: SightingMeaning.allCases[i % SightingMeaning.allCases.count],
                                      version: maybe(String(repeating: "b", count: 64)),
                                      parents: maybe((0..<Int(rng.next() % 3)).map { String(repeating: "\($0)", count: 64) }),
                                      error: maybe("Permission denied")))
            out[out.count - 1].partial = maybe("HTTP 404")
        }
        return out
    }

    @Test("the direct canonical writer gives exactly JSON.canonical, and the text reads back")
    func canonicalMatches() throws {
        for record in Self.samples() {
            var bytes: [UInt8] = []
            record.writeCanonical(to: &bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text == record.json.canonical)
            guard record.key != nil || record.path != record.key else { continue }
            #expect(try SightingRecord(json: JSON.parse(text)) == record)
        }
    }

    @Test("the event payload is the canonical JSON of batch and sightings")
    func payload() throws {
        let records = Array(Self.samples().prefix(20))
        let rendered = records.map { r -> [UInt8] in var b: [UInt8] = []; r.writeCanonical(to: &b); return b }
        let text = SightingRecord.eventPayload(batch: "b-1", rendered: rendered)
        let expected: JSON = ["batch": "b-1", "sightings": .array(records.map(\.json))]
        #expect(text == expected.canonical)
    }
}
