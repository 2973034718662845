import Deflate
import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

/// Each kind of bad bundle the sync issue names gets a clear error, and the archive's digest is
/// unchanged.
@Suite("Bad bundles")
struct BadBundleTests {
    /// Copy 0 with a small batch, copy 1 empty, and a valid full bundle from copy 0.
    func setup() throws -> (Copies, [UInt8]) {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n", "b.txt": "beta beta beta beta\n", "c/d.txt": String(repeating: "gamma ", count: 300)])
        let path = c.dir.file("good.bundle")
        _ = try c[0].writeBundle(base: ArchiveState(), to: path)
        return (c, try readFile(path))
    }

    /// Imports `bytes` into copy `into`, expecting an error whose message contains `expected`,
    /// and checks the digest did not change.
    func expectRefused(_ c: Copies, _ bytes: [UInt8], into: Int = 1, _ expected: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = c.dir.file("bad-\(UUID().uuidString).bundle")
        try c.dir.write(String(path.dropFirst(c.dir.path.count + 1)), bytes)
        let digest = try c[into].digest()
        let state = try c[into].state()
        do {
            _ = try c[into].importBundle(at: path)
            Issue.record("a bad bundle was imported (expected: \(expected))", sourceLocation: sourceLocation)
        } catch let error as QuireError {
            #expect(error.description.contains(expected), "\(error.description)", sourceLocation: sourceLocation)
        }
        #expect(try c[into].digest() == digest, sourceLocation: sourceLocation)
        #expect(try c[into].state() == state, sourceLocation: sourceLocation)
        // verify refuses it too, with the same reason
        #expect(throws: QuireError.self, sourceLocation: sourceLocation) { try c[into].verifyBundle(at: path) }
    }

    @Test("the valid bundle this suite damages imports cleanly")
    func valid() throws {
        let (c, bytes) = try setup()
        // Taken apart and put back together by the independent reader, it is still a valid bundle.
        let parsed = try BundleBytes(bytes)
        try c.dir.write("again.bundle", try parsed.bytes())
        #expect(try c[1].importBundle(at: c.dir.file("again.bundle")).eventsAdded == 3)
    }

    @Test("not a bundle (wrong magic)")
    func wrongMagic() throws {
        let (c, bytes) = try setup()
        var bad = bytes
        bad[0] = UInt8(ascii: "X")
        try expectRefused(c, bad, "not a Quire bundle")
        try expectRefused(c, Array("hello, I am a text file\n".utf8), "not a Quire bundle")
        try expectRefused(c, [], "not a Quire bundle")
    }

    @Test("a newer format version")
    func newerVersion() throws {
        let (c, bytes) = try setup()
        var parsed = try BundleBytes(bytes)
        parsed.version = 2
        try expectRefused(c, try parsed.bytes(), "format version 2")
    }

    @Test("a capability this version does not have")
    func unknownCapability() throws {
        let (c, bytes) = try setup()
        var parsed = try BundleBytes(bytes)
        var header = parsed.headerObject
        header["requires"] = ["time-travel"]
        parsed.headerObject = header
        try expectRefused(c, try parsed.bytes(), "requires the capability 'time-travel'")
    }

    @Test("a truncated file", arguments: [10, 100, 1000])
    func truncated(_ cut: Int) throws {
        let (c, bytes) = try setup()
        try expectRefused(c, Array(bytes.dropLast(min(cut, bytes.count - 9))), "truncated")
    }

    @Test("any flipped byte is caught by the trailing hash")
    func flippedByte() throws {
        let (c, bytes) = try setup()
        for position in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) where position >= 8 {
            var bad = bytes
            bad[position] ^= 0x20
            let path = c.dir.file("flip.bundle")
            try c.dir.write("flip.bundle", bad)
            #expect(throws: QuireError.self) { try c[1].importBundle(at: path) }
        }
        var bad = bytes
        bad[bytes.count / 2] ^= 0x01
        try expectRefused(c, bad, "trailing SHA-256 does not match")
    }

    @Test("a blob whose bytes do not match its hash (with a valid trailer)")
    func blobMismatch() throws {
        let (c, bytes) = try setup()
        var parsed = try BundleBytes(bytes)
        let index = try #require(parsed.records.firstIndex { $0.type == UInt8(ascii: "Z") || $0.type == UInt8(ascii: "B") })
        // Replace the blob with other bytes of the same size, keeping its declared hash.
        var record = parsed.records[index]
        if record.type == UInt8(ascii: "Z") {
            let size = record.body[32..<40].reduce(0) { $0 << 8 | Int($1) }
            let other = try Deflater.compress([UInt8](repeating: UInt8(ascii: "z"), count: size))
            record.body = Array(record.body[0..<72]) + other
        } else {
            record.body[record.body.count - 1] ^= 0xFF
        }
        parsed.records[index] = record
        var header = parsed.headerObject
        header["records_bytes"] = parsed.body.count
        parsed.headerObject = header
        try expectRefused(c, try parsed.bytes(), "does not match its hash")
    }

    /// Rewrites one event record's fields (origin, seq, kind, at, hash, payload) with a valid trailer.
    func alterEvent(_ bytes: [UInt8], _ change: (inout [String]) -> Void) throws -> [UInt8] {
        var parsed = try BundleBytes(bytes)
        let index = try #require(parsed.records.firstIndex { $0.type == UInt8(ascii: "E") })
        var fields = BundleBytes.eventFields(parsed.records[index].body)
        change(&fields)
        parsed.records[index].body = BundleBytes.eventBody(fields)
        var header = parsed.headerObject
        header["records_bytes"] = parsed.body.count
        parsed.headerObject = header
        return try parsed.bytes()
    }

    @Test("an event whose chain does not link")
    func brokenChain() throws {
        let (c, bytes) = try setup()
        // Change the payload without fixing the hash.
        try expectRefused(c, try alterEvent(bytes) { $0[5] = $0[5].replacingOccurrences(of: "\"label\":\"batch\"", with: "\"label\":\"forged\"") },
                          "does not link")
        // Or a wrong hash altogether.
        try expectRefused(c, try alterEvent(bytes) { $0[4] = String(repeating: "0", count: 64) }, "does not link")
    }

    @Test("an event claiming this archive's own origin that it never wrote")
    func claimsOwnOrigin() throws {
        let (c, bytes) = try setup()
        let target = c[1].id
        // Re-chain the first event as if copy 1 had written it.
        let forged = try alterEvent(bytes) { f in
            f[0] = target
            f[4] = Event.chainHash(previous: Event.genesis, origin: target, seq: Int(f[1])!, kind: f[2], at: f[3], payload: f[5])
        }
        try expectRefused(c, forged, "claims this archive's own origin")
    }

    @Test("a decompression bomb stops at the declared size")
    func bomb() throws {
        let (c, bytes) = try setup()
        var parsed = try BundleBytes(bytes)
        // A huge event record of zeros, behind a header that declares the original small size.
        let declared = parsed.body.count
        parsed.records.insert(.init(type: UInt8(ascii: "E"), body: [UInt8](repeating: 0x30, count: 70_000_000)), at: 0)
        let compressed = try Deflater.compress(parsed.body, level: 9)
        #expect(compressed.count < 200_000)
        var header = parsed.headerObject
        header["records_bytes"] = declared
        parsed.headerObject = header
        try expectRefused(c, try parsed.bytes(compressedBody: compressed), "decompresses to more than the \(declared) bytes")
        // Even with a matching declared size the record is over the event limit.
        header["records_bytes"] = parsed.body.count
        parsed.headerObject = header
        try expectRefused(c, try parsed.bytes(compressedBody: compressed), "over the limit")
    }

    @Test("a bomb inside one blob record stops at the blob's declared size")
    func blobBomb() throws {
        let (c, bytes) = try setup()
        var parsed = try BundleBytes(bytes)
        let index = try #require(parsed.records.firstIndex { $0.type == UInt8(ascii: "Z") })
        let huge = try Deflater.compress([UInt8](repeating: 0x41, count: 80_000_000), level: 9)
        parsed.records[index].body = Array(parsed.records[index].body[0..<72]) + huge
        var header = parsed.headerObject
        header["records_bytes"] = parsed.body.count
        parsed.headerObject = header
        try expectRefused(c, try parsed.bytes(), "damaged")
    }

    @Test("a bundle whose prerequisites are missing")
    func prerequisites() throws {
        let c = try Copies(3)
        _ = try c.ingest(0, ["a.txt": "alpha\n"])
        try c.send(0, 1)
        _ = try c.ingest(0, ["b.txt": "beta\n"])
        let path = c.dir.file("inc.bundle")
        _ = try c[0].writeBundle(base: try c[1].state(), to: path)
        try expectRefused(c, try readFile(path), into: 2, "builds on events this archive lacks")
    }

    @Test("counts that disagree with the header, and bytes after the end record")
    func inconsistentBody() throws {
        let (c, bytes) = try setup()
        var parsed = try BundleBytes(bytes)
        var header = parsed.headerObject
        header["events"] = 99
        parsed.headerObject = header
        try expectRefused(c, try parsed.bytes(), "its header says")

        var extra = try BundleBytes(bytes)
        extra.records.append(.init(type: UInt8(ascii: "E"), body: Array("junk".utf8)))
        var h2 = extra.headerObject
        h2["records_bytes"] = extra.body.count
        extra.headerObject = h2
        try expectRefused(c, try extra.bytes(), "after its end record")
    }

    @Test("thousands of random mutations: import never crashes, never hangs, never changes the archive")
    func fuzz() throws {
        let (c, bytes) = try setup()
        let parsed = try BundleBytes(bytes)
        let body = parsed.body
        var rng = SeededRandom(seed: 2024)
        let digest = try c[1].digest()
        var accepted = 0
        let path = c.dir.file("fuzz.bundle")
        for round in 0..<2500 {
            var candidate: [UInt8]
            switch round % 3 {
            case 0:
                // Raw bytes: almost always stopped by the trailer.
                candidate = bytes
                for _ in 0..<(1 + Int(rng.next() % 3)) { candidate[Int(rng.next() % UInt64(candidate.count))] ^= UInt8(1 + rng.next() % 255) }
            case 1:
                // The decompressed records, damaged and rewrapped with a valid trailer and size.
                var mutated = body
                for _ in 0..<(1 + Int(rng.next() % 4)) { mutated[Int(rng.next() % UInt64(mutated.count))] = UInt8(rng.next() & 0xff) }
                if rng.next() % 4 == 0 { mutated = Array(mutated.prefix(Int(rng.next() % UInt64(mutated.count)))) }
                var p = parsed
                var h = p.headerObject
                h["records_bytes"] = mutated.count
                p.headerObject = h
                candidate = try p.bytes(compressedBody: try Deflater.compress(mutated))
            default:
                // The compressed stream damaged, with a valid trailer.
                var compressed = try Deflater.compress(body)
                compressed[Int(rng.next() % UInt64(compressed.count))] ^= UInt8(1 + rng.next() % 255)
                candidate = try parsed.bytes(compressedBody: compressed)
            }
            try c.dir.write("fuzz.bundle", candidate)
            if (try? c[1].verifyBundle(at: path)) != nil { accepted += 1 }
        }
        #expect(try c[1].digest() == digest)
        // A few mutations are harmless (for instance inside a timestamp); most must be refused.
        #expect(accepted < 250)
        // And the valid bundle still imports afterwards.
        try c.dir.write("fuzz.bundle", bytes)
        #expect(try c[1].importBundle(at: path).eventsAdded == 3)
    }
}
