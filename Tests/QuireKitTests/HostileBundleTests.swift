import Deflate
import Foundation
import Hashing
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// An import adds, never takes away (issue 14). Each class of attack a hostile peer can mount
/// with a bundle is made with `HostileBundle` and must be refused with a message naming what and
/// where, leaving the victim's digest and state as they were and `verify` clean, in bounded time.
@Suite("Hostile bundles")
struct HostileBundleTests {
    /// Ana (copy 0) and Ben (copy 1), each with a batch of their own, synced both ways.
    func pair() throws -> Copies {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha from ana\n", "shared.txt": "the same words\n"], label: "ana's")
        _ = try c.ingest(1, ["b.txt": "beta from ben\n", "c.txt": String(repeating: "gamma ", count: 400)], label: "ben's")
        try c.send(0, 1)
        try c.send(1, 0)
        try c.send(0, 1)
        return c
    }

    /// Imports `bundle` into `archive`, expecting a refusal whose message contains `expected`, in
    /// under `seconds`; the digest, state and visible rows are unchanged and verify is clean.
    func expectRefused(_ archive: Archive, _ bundle: HostileBundle, _ expected: String, seconds: Double = 20,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = FileManager.default.temporaryDirectory.path + "/hostile-\(UUID().uuidString).bundle"
        try Data(try bundle.bytes()).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let digest = try archive.digest(), state = try archive.state(), visible = try archive.visibleState()
        let started = Date()
        do {
            _ = try archive.importBundle(at: path)
            Issue.record("a hostile bundle was imported (expected: \(expected))", sourceLocation: sourceLocation)
        } catch let error as QuireError {
            #expect(error.description.contains(expected), "\(error.description)", sourceLocation: sourceLocation)
            #expect(error.code == .badBundle, "\(error.code)", sourceLocation: sourceLocation)
        }
        #expect(Date().timeIntervalSince(started) < seconds, sourceLocation: sourceLocation)
        #expect(try archive.digest() == digest, sourceLocation: sourceLocation)
        #expect(try archive.state() == state, sourceLocation: sourceLocation)
        #expect(try archive.visibleState() == visible, sourceLocation: sourceLocation)
        let report = try archive.verify(record: false)
        #expect(report.isClean, "\(report.problems.map(\.description))", sourceLocation: sourceLocation)
    }

    /// The hash, version and batch rows of one of `archive`'s documents.
    func version(_ archive: Archive, _ key: String) throws -> VersionInfo {
        try #require(try archive.log(key: key).last)
    }

    // MARK: Data loss

    @Test("a peer's redaction only quarantines: bytes this copy captures later are kept, hidden, and can be reinstated")
    func peerRedactionQuarantines() throws {
        let c = try Copies(2)
        let text = "an article ana takes down\n"
        _ = try c.ingest(0, ["takedown.txt": text])
        let hash = SHA256.hash(Array(text.utf8)).hex
        try c[0].redact(hash: hash, reason: "legal demand")
        try c.send(0, 1)   // Ben never had the bytes: he learns of the redaction only
        #expect(try c[1].custody(blob: hash) == .redacted)
        // Ben later captures the same article himself: it is stored, in quarantine, not lost.
        let report = try c.ingest(1, ["mine.txt": text])
        #expect(report.quarantined.count == 1)
        #expect(try c[1].custody(blob: hash) == .quarantined)
        #expect(throws: QuireError.self) { try c[1].blobBytes(hash: hash) }
        try c[1].reinstate(hash: hash, reason: "we hold our own capture")
        #expect(try c[1].blobBytes(hash: hash) == Array(text.utf8))
        #expect(try c[1].verify(record: false).isClean)
        // Ana's own deletion stands: her own later ingest does not bring the bytes back.
        _ = try c.ingest(0, ["again.txt": text])
        #expect(try c[0].custody(blob: hash) == .redacted)

        // The same with a one-record crafted bundle: a redaction of bytes Ben will capture.
        let d = try Copies(1)
        let other = "a story mallory wants gone\n"
        var forged = HostileBundle()
        var chain = HostileBundle.Chain()
        forged.event(&chain, "redact", ["blob": .string(SHA256.hash(Array(other.utf8)).hex), "size": .int(Int64(other.utf8.count)),
                                         "reason": "gone", "agent": "mallory", "host": "x"])
        let path = d.dir.file("one.bundle")
        try Data(try forged.bytes()).write(to: URL(fileURLWithPath: path))
        _ = try d[0].importBundle(at: path)
        let captured = try d.ingest(0, ["story.txt": other])
        #expect(captured.quarantined.count == 1 && captured.counts["new"] == 1)
        #expect(try d[0].custody(blob: SHA256.hash(Array(other.utf8)).hex) == .quarantined)
        #expect(try d[0].verify(record: false).isClean)
    }

    // MARK: Events that would break the archive

    @Test("a sightings event naming a version of another document, a parent from another document, or a forged version hash is refused")
    func forgedVersions() throws {
        let c = try pair()
        let ben = c[1]
        let a = try version(ben, "a.txt"), b = try version(ben, "b.txt")
        func attack(_ sighting: SightingRecord, _ expected: String) throws {
            var forged = HostileBundle()
            var chain = HostileBundle.Chain()
            let batch = UUID().uuidString.lowercased()
            forged.event(&chain, "batch.open", HostileBundle.batchOpen(batch))
            forged.event(&chain, "sightings", HostileBundle.sightings(batch: batch, [sighting]))
            try expectRefused(ben, forged, expected)
        }
        // "unchanged", naming b's version under a's key and a's blob
        try attack(SightingRecord(key: "a.txt", path: "a.txt", size: 1, blob: a.blob, meaning: .unchanged, version: b.hash),
                   "another document or blob")
        // a new version of a.txt whose parent is b's version
        try attack(SightingRecord(key: "a.txt", path: "a.txt", size: 1, blob: b.blob, meaning: .version, parents: [b.hash]),
                   "version of another document")
        // a version hash that is not the hash of its key, blob and parents
        try attack(SightingRecord(key: "a.txt", path: "a.txt", size: 1, blob: b.blob, meaning: .version,
                                  version: String(repeating: "7", count: 64), parents: [a.hash]), "make another")
    }

    @Test("a pending WARC revisit that names a blob (a pending sighting has none) is refused, the archive unchanged; a peer's partial mark leaves this copy's whole head in place")
    func forgedPendingAndPartial() throws {
        let c = try pair()
        let ben = c[1]
        let a = try version(ben, "a.txt")
        var forged = HostileBundle()
        var chain = HostileBundle.Chain()
        let batch = UUID().uuidString.lowercased()
        forged.event(&chain, "batch.open", HostileBundle.batchOpen(batch))
        forged.event(&chain, "sightings", HostileBundle.sightings(batch: batch, [
            SightingRecord(key: "http://example.com/r", path: "crawl.warc#0", blob: a.blob, meaning: .pending)]))
        try expectRefused(ben, forged, "pending sighting")

        // A peer's capture of a.txt marked partial (say, a 404) becomes a version there and here,
        // but never the current one over ben's whole version.
        var partial = HostileBundle()
        var chain2 = HostileBundle.Chain()
        let batch2 = UUID().uuidString.lowercased()
        let bytes = Array("not found".utf8)
        partial.rawBlob(bytes)
        partial.event(&chain2, "batch.open", HostileBundle.batchOpen(batch2))
        var sighting = SightingRecord(key: "a.txt", path: "a.txt", size: bytes.count, blob: SHA256.hash(bytes).hex, meaning: .version, parents: [a.hash])
        sighting.partial = "HTTP 404"
        partial.event(&chain2, "sightings", HostileBundle.sightings(batch: batch2, [sighting]))
        let path = FileManager.default.temporaryDirectory.path + "/partial-\(UUID().uuidString).bundle"
        try Data(try partial.bytes()).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        _ = try ben.importBundle(at: path)
        let log = try ben.log(key: "a.txt")
        #expect(log.count == 2 && log.first { $0.isCurrent }?.hash == a.hash, "\(log.map(\.json.canonical))")
        #expect(log.contains { $0.partial == "HTTP 404" && !$0.isCurrent && $0.isHead })
        #expect(try ben.verify(record: false).isClean)
    }

    @Test("a blob no event names is refused (it would count in the digest but never travel on)")
    func unreferencedBlob() throws {
        let c = try pair()
        var forged = HostileBundle()
        forged.rawBlob(Array("a blob nobody sighted\n".utf8))
        try expectRefused(c[1], forged, "named by no event")
    }

    @Test("two different events at one (origin, seq) are refused and named as that copy's conflict, with both hashes")
    func mintedUnderAnotherOrigin() throws {
        let c = try pair()
        let ana = c[0].id
        // Mallory mints Ana's next event and Ben takes it (without signatures he cannot tell).
        var forged = HostileBundle()
        var chain = HostileBundle.Chain(origin: ana, after: try c[1].state().origins[ana])
        forged.event(&chain, "batch.open", HostileBundle.batchOpen(UUID().uuidString.lowercased(), label: "planted as ana"))
        let planted = c.dir.file("planted.bundle")
        try Data(try forged.bytes()).write(to: URL(fileURLWithPath: planted))
        _ = try c[1].importBundle(at: planted)
        // Ana records her own next event; the two can no longer agree, and both sides say why.
        _ = try c.ingest(0, ["later.txt": "ana's real next batch\n"])
        let bundle = c.dir.file("real.bundle")
        _ = try c[0].writeBundle(base: ArchiveState(), to: bundle)
        let digest = try c[1].digest()
        let refused = #expect(throws: QuireError.self) { try c[1].importBundle(at: bundle) }
        let message = refused?.description ?? ""
        #expect(message.contains("conflict in the chain of copy \(ana)") && message.contains(chain.hash), "\(message)")
        #expect(try c[1].digest() == digest)
        let creating = #expect(throws: QuireError.self) { try c[0].writeBundle(base: c[1].state()) { _ in } }
        #expect(creating?.description.contains("conflict in the chain of copy \(ana)") == true, "\(creating?.description ?? "")")
        #expect(creating?.description.contains(chain.hash) == true)
    }

    @Test("a forged header is not believed: claimed tips beyond what the bundle carries do not become what the peer holds")
    func forgedHeader() throws {
        let c = try pair()
        _ = try c.ingest(1, ["new.txt": "ben's news ana lacks\n"])
        var forged = HostileBundle()
        forged.source = c[0].id
        forged.claimedTip = [c[1].id: ArchiveState.Tip(seq: 2_000_000_000, hash: String(repeating: "e", count: 64)),
                             c[0].id: ArchiveState.Tip(seq: 2_000_000_000, hash: String(repeating: "f", count: 64))]
        let path = c.dir.file("empty.bundle")
        try Data(try forged.bytes()).write(to: URL(fileURLWithPath: path))
        _ = try c[1].importBundle(at: path)
        let known = try c[1].peer(c[0].id).known
        #expect(known.seq(c[1].id) < 2_000_000_000 && known.seq(c[0].id) < 2_000_000_000)
        // What Ben sends Ana still holds his news.
        var events = 0
        let summary = try c[1].writeBundle(base: known) { _ in }
        events = summary.header.events
        #expect(events > 0)
        #expect(try c[1].verify(record: false).isClean)
    }

    @Test("a peer cannot reopen, close or write into this copy's batches")
    func batchesAreScopedToTheirCopy() throws {
        let c = try pair()
        let benBatch = try #require(try c[1].batches().first { $0.label == "ben's" }).id
        var reopen = HostileBundle(), chain = HostileBundle.Chain()
        reopen.event(&chain, "batch.open", HostileBundle.batchOpen(benBatch))
        try expectRefused(c[1], reopen, "reuses batch id \(benBatch)")
        var close = HostileBundle(), chain2 = HostileBundle.Chain()
        close.event(&chain2, "batch.close", ["id": .string(benBatch), "finished": "1999-01-01T00:00:00.000Z"])
        try expectRefused(c[1], close, "belongs to copy \(c[1].id)")
        var plant = HostileBundle(), chain3 = HostileBundle.Chain()
        let b = try version(c[1], "b.txt")
        plant.event(&chain3, "sightings", HostileBundle.sightings(batch: benBatch, [
            SightingRecord(key: "b.txt", path: "b.txt", size: 1, blob: b.blob, meaning: .unchanged, version: b.hash)]))
        try expectRefused(c[1], plant, "belongs to copy \(c[1].id)")
    }

    // MARK: Resources

    @Test("every declared size bounds the work: a blob over the limit, a size-only record of 1024 TiB, bad redaction sizes and hashes")
    func declaredSizes() throws {
        let c = try pair()
        let ben = c[1]
        var huge = HostileBundle()
        huge.rawBlob(Array("x".utf8))
        huge.zlibBlob(hash: [UInt8](repeating: 1, count: 32), size: 8 << 30, stream: try Deflater.compress([UInt8](repeating: 0, count: 1000)))
        try expectRefused(ben, huge, "more than the largest blob this archive accepts", seconds: 5)

        ben.largestIncomingBlob = 1 << 20
        var overLimit = HostileBundle()
        try overLimit.zlibBlob([UInt8](repeating: 7, count: 2 << 20))
        try expectRefused(ben, overLimit, "more than the largest blob", seconds: 5)
        ben.largestIncomingBlob = Archive.defaultLargestIncomingBlob

        var sizeOnly = HostileBundle()
        sizeOnly.redactedBlob(hash: [UInt8](repeating: 2, count: 32), size: 1 << 50)
        try expectRefused(ben, sizeOnly, "more than the largest blob", seconds: 5)

        for (hash, size, expected) in [(String(repeating: "a", count: 64), -5, "outside 0 to"),
                                       ("not hex at all, but sixty-four characters long, padded out here!!", 10, "64 lowercase hex")] {
            var redaction = HostileBundle(), chain = HostileBundle.Chain()
            redaction.event(&chain, "redact", ["blob": .string(hash), "size": .int(Int64(size)), "reason": "r", "agent": "m", "host": "h"])
            try expectRefused(ben, redaction, expected, seconds: 5)
        }
    }

    @Test("a record whose bytes inflate past what it declares stops there, and a base chain deeper than the limit is streamed, not held")
    func inflationIsBounded() throws {
        let c = try pair()
        var bomb = HostileBundle()
        bomb.zlibBlob(hash: [UInt8](repeating: 3, count: 32), size: 1000, stream: try Deflater.compress([UInt8](repeating: 0, count: 64 << 20)))
        try expectRefused(c[1], bomb, "more than the 1000 bytes its record declares", seconds: 5)

        // Seventeen blobs each compressed against the one before: the last is over the depth
        // limit here, so it is recompressed on its own as it streams in; it is imported whole.
        var chained = HostileBundle(), chain = HostileBundle.Chain()
        var previous: [UInt8]? = nil
        let batch = UUID().uuidString.lowercased()
        var sightings: [SightingRecord] = []
        for i in 0..<17 {
            let bytes = Array(("layer \(i) " + String(repeating: "of the same story ", count: 200 + i)).utf8)
            try chained.zlibBlob(bytes, base: previous)
            sightings.append(SightingRecord(key: "layer-\(i).txt", path: "layer-\(i).txt", size: bytes.count,
                                            blob: SHA256.hash(bytes).hex, meaning: .new, parents: []))
            previous = bytes
        }
        chained.event(&chain, "batch.open", HostileBundle.batchOpen(batch))
        chained.event(&chain, "sightings", HostileBundle.sightings(batch: batch, sightings))
        let path = c.dir.file("chained.bundle")
        try Data(try chained.bytes()).write(to: URL(fileURLWithPath: path))
        #expect(try c[1].importBundle(at: path).blobsAdded == 17)
        #expect(try c[1].blobBytes(hash: sightings[16].blob!) == previous)
        #expect(try c[1].verify(record: false).isClean)
    }

    @Test("peak memory stays under 150 MB for a 1 GiB bomb inside its declared size and a 200 MiB blob on a base chain over the depth limit (real binary)")
    func memoryIsBounded() throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let binary = (exe as NSString).deletingLastPathComponent + "/quire"
        guard FileManager.default.isExecutableFile(atPath: binary), FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            print("skipped: the quire binary or /usr/bin/time is missing, so peak memory was not measured")
            return
        }
        let c = try pair()
        let zeros = [UInt8](repeating: 0, count: 200 << 20)
        // A bomb: 1 GiB of zeros declared as such, under a hash it does not have.
        var bomb = HostileBundle()
        bomb.zlibBlob(hash: [UInt8](repeating: 9, count: 32), size: 1 << 30, stream: try {
            let deflater = try Deflater(level: 1)
            var out: [UInt8] = []
            for _ in 0..<(1 << 30) / zeros.count { try zeros.withUnsafeBytes { try deflater.compress($0) { out += $0 } } }
            try zeros.prefix((1 << 30) % zeros.count).withUnsafeBytes { try deflater.compress(UnsafeRawBufferPointer($0)) { out += $0 } }
            try deflater.finish { out += $0 }
            return out
        }())
        // A 200 MiB blob compressed against the 16th of a chain of small blobs.
        var deep = HostileBundle(), chain = HostileBundle.Chain()
        var previous: [UInt8]? = nil
        var sightings: [SightingRecord] = []
        for i in 0..<16 {
            let bytes = [UInt8](repeating: 0, count: 1000 + i)
            try deep.zlibBlob(bytes, base: previous)
            sightings.append(SightingRecord(key: "z\(i)", path: "z\(i)", size: bytes.count, blob: SHA256.hash(bytes).hex, meaning: .new, parents: []))
            previous = bytes
        }
        try deep.zlibBlob(zeros, base: previous)
        sightings.append(SightingRecord(key: "big", path: "big", size: zeros.count, blob: SHA256.hash(zeros).hex, meaning: .new, parents: []))
        let batch = UUID().uuidString.lowercased()
        deep.event(&chain, "batch.open", HostileBundle.batchOpen(batch))
        deep.event(&chain, "sightings", HostileBundle.sightings(batch: batch, sightings))
        for (name, bundle, shouldImport) in [("bomb", bomb, false), ("deep", deep, true)] {
            let path = c.dir.file("\(name).bundle")
            try Data(try bundle.bytes()).write(to: URL(fileURLWithPath: path))
            let started = Date()
            let r = try runProcess("/usr/bin/time", ["-f", "%M", binary, "-A", c[1].path, "bundle", "import", path])
            let kib = Int(r.stderr.split(separator: "\n").last.map(String.init) ?? "") ?? .max
            #expect(kib < 150 * 1024, "\(name): peak \(kib) KiB")
            #expect((r.status == 0) == shouldImport, "\(name): \(r.stderr)")
            #expect(Date().timeIntervalSince(started) < 60, "\(name) took too long")
        }
        #expect(try c[1].verify(record: false).isClean)
    }

    @Test("bundle verify reads only: it works while another process holds the write lock, and changes nothing")
    func verifyTakesNoWriteLock() throws {
        let c = try pair()
        _ = try c.ingest(0, ["more.txt": "news for ben\n"])
        let path = c.dir.file("more.bundle")
        _ = try c[0].writeBundle(base: try c[1].state(), to: path)
        let holder = try Database(path: c[1].path)
        try holder.execute("BEGIN IMMEDIATE")
        defer { try? holder.execute("ROLLBACK") }
        let digest = try c[1].digest()
        let report = try c[1].verifyBundle(at: path)
        #expect(report.eventsAdded > 0 && !report.changed)
        #expect(try c[1].digest() == digest)
    }

    @Test("repeating one search word 1,000 times costs what one does")
    func repeatedSearchWords() throws {
        let c = try pair()
        let started = Date()
        let hits = try c[1].search(SearchQuery(Array(repeating: "gamma", count: 1000).joined(separator: " ")))
        #expect(hits.count == 1)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(throws: QuireError.self) { try c[1].search(SearchQuery((0..<100).map { "w\($0)" }.joined(separator: " "))) }
    }

    // MARK: Random damage

    @Test("random mutations of valid bundles are refused with nothing changed, or imported with verify clean")
    func randomMutations() throws {
        let c = try Copies(2)
        _ = try c.ingest(0, ["a.txt": "alpha\n", "b.txt": String(repeating: "beta ", count: 300), "c/d.txt": "gamma delta\n"])
        _ = try c.ingest(0, ["a.txt": "alpha, revised\n", "e.txt": String(repeating: "beta ", count: 290) + "epsilon\n"])
        _ = try c.ingest(1, ["z.txt": "ben's own\n"])
        let goodPath = c.dir.file("good.bundle")
        _ = try c[0].writeBundle(base: ArchiveState(), to: goodPath)
        let good = try BundleBytes(try readFile(goodPath))
        var rng = SeededRandom(seed: 14)
        let cases = Int(ProcessInfo.processInfo.environment["QUIRE_MUTATION_CASES"] ?? "") ?? 120
        var refused = 0, imported = 0
        for n in 0..<cases {
            var bundle = good
            switch rng.next() % 5 {
            case 0: // flip a byte of one record's body
                let i = Int(rng.next() % UInt64(bundle.records.count))
                if !bundle.records[i].body.isEmpty {
                    let j = Int(rng.next() % UInt64(bundle.records[i].body.count))
                    bundle.records[i].body[j] ^= UInt8(1 << (rng.next() % 8))
                }
            case 1: // delete a record
                bundle.records.remove(at: Int(rng.next() % UInt64(bundle.records.count - 1)))
            case 2: // duplicate a record
                let i = Int(rng.next() % UInt64(bundle.records.count - 1))
                bundle.records.insert(bundle.records[i], at: i)
            case 3: // swap two records
                let i = Int(rng.next() % UInt64(bundle.records.count - 1)), j = Int(rng.next() % UInt64(bundle.records.count - 1))
                bundle.records.swapAt(i, j)
            default: // change an event's payload and chain it again (a forger with no key)
                let events = bundle.records.indices.filter { bundle.records[$0].type == 0x45 }
                let i = events[Int(rng.next() % UInt64(events.count))]
                var f = BundleBytes.eventFields(bundle.records[i].body)
                var payload = Array(f[5].utf8)
                if !payload.isEmpty { payload[Int(rng.next() % UInt64(payload.count))] = UInt8(ascii: "0") + UInt8(rng.next() % 10) }
                f[5] = String(decoding: payload, as: UTF8.self)
                let previous = events.filter { $0 < i }.last.map { BundleBytes.eventFields(bundle.records[$0].body)[4] } ?? Event.genesis
                f[4] = Event.chainHash(previous: previous, origin: f[0], seq: Int(f[1]) ?? 0, kind: f[2], at: f[3], payload: f[5])
                bundle.records[i].body = BundleBytes.eventBody(f)
            }
            var header = bundle.headerObject
            header["records_bytes"] = bundle.body.count
            bundle.headerObject = header
            let path = c.dir.file("m\(n).bundle")
            try Data(try bundle.bytes()).write(to: URL(fileURLWithPath: path))
            let digest = try c[1].digest()
            do {
                _ = try c[1].importBundle(at: path)
                imported += 1
                let report = try c[1].verify(record: false)
                #expect(report.isClean, "case \(n): \(report.problems.map(\.description))")
            } catch is QuireError {
                refused += 1
                #expect(try c[1].digest() == digest, "case \(n) was refused but changed the archive")
            }
        }
        #expect(refused > 0)
        _ = imported
    }
}
