import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

/// Hostile WARC input finishes in time linear in its size, with bounded memory, and damage is
/// reported clearly while the rest of the file is read.
@Suite("WARC hostile input")
struct WARCHostileTests {
    typealias Files = WARCTestFiles
    let page = Array("<html><head><title>t</title></head><body>x</body></html>".utf8)

    /// Seconds to read every item of a WARC file with Quire's reader, and the items.
    func read(_ path: String) throws -> (seconds: Double, records: Int, damaged: [String]) {
        let start = DispatchTime.now().uptimeNanoseconds
        var reader = try WARCReader(path: path)
        var records = 0
        var damaged: [String] = []
        while let item = reader.next() {
            switch item {
            case .record: records += 1
            case .damaged(let offset, let reason): damaged.append("\(offset): \(reason)")
            }
        }
        reader.close()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, records, damaged)
    }

    /// Fails when four times the input takes far more than four times as long (quadratic work
    /// would take sixteen).
    func expectLinear(_ small: Double, _ large: Double, _ what: String) {
        #expect(large < max(8 * small, 0.5), "\(what): \(small) s, then \(large) s for four times as much")
    }

    @Test("a header line of 16 MiB (and 64 MiB) without a line end: one damage report, the next record read, linear time")
    func hugeHeaderLine() throws {
        let dir = TemporaryDirectory("warc-hostile")
        var times: [Double] = []
        for mib in [16, 64] {
            let bytes = Array("WARC/1.0\r\nWARC-Type: response\r\nX-Long: ".utf8) + [UInt8](repeating: 0x61, count: mib << 20)
                + Array("\r\n".utf8) + Files.response("http://example.com/after", id: 1, body: page)
            let path = try dir.write("long-\(mib).warc", bytes)
            let result = try read(path)
            #expect(result.records == 1 && result.damaged.count == 1, "\(result.damaged)")
            #expect(result.damaged.first?.contains("longer than 1 MiB") == true)
            times.append(result.seconds)
        }
        expectLinear(times[0], times[1], "huge header line")
    }

    @Test("a line of 32 MiB of stray bytes between records: skipped in linear time, reported once")
    func strayBytes() throws {
        let dir = TemporaryDirectory("warc-hostile")
        var times: [Double] = []
        for mib in [8, 32] {
            let bytes = Files.response("http://example.com/a", id: 1, body: page) + [UInt8](repeating: 0x7A, count: mib << 20) + [0x0A]
                + Files.response("http://example.com/b", id: 2, body: page)
            let result = try read(try dir.write("stray-\(mib).warc", bytes))
            #expect(result.records == 2 && result.damaged.count == 1, "\(result.damaged)")
            times.append(result.seconds)
        }
        expectLinear(times[0], times[1], "stray bytes")
    }

    @Test("many tiny records, plain and in one gzip member: linear time")
    func tinyRecords() throws {
        let dir = TemporaryDirectory("warc-hostile")
        let tiny = Array("WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 0\r\n\r\n\r\n\r\n".utf8)
        for gzip in [false, true] {
            var times: [Double] = []
            for count in [20_000, 80_000] {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(tiny.count * count)
                for _ in 0..<count { bytes += tiny }
                if gzip { bytes = try Files.gzipMember(bytes) }
                let result = try read(try dir.write("tiny-\(count).warc" + (gzip ? ".gz" : ""), bytes))
                #expect(result.records == count && result.damaged.isEmpty)
                times.append(result.seconds)
            }
            expectLinear(times[0], times[1], gzip ? "tiny records in one gzip member" : "tiny records")
        }
    }

    @Test("an HTML page with a 4 MiB run of '<' is ingested (metadata and text read) in linear time")
    func angleBrackets() throws {
        var times: [Double] = []
        for mib in [1, 4] {
            let body = Array("<html><head><title>brackets</title></head><body>".utf8) + [UInt8](repeating: 0x3C, count: mib << 20)
            let scratch = try Scratch("warc-hostile")
            let start = DispatchTime.now().uptimeNanoseconds
            let (report, _) = try Files.ingest([("lt.warc", Files.response("http://example.com/lt", id: 1, body: body))], into: scratch)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            #expect(report.counts["new"] == 1)
            #expect(try scratch.archive.articleTitle(blob: SHA256Hex(body)) == "brackets")
        }
        expectLinear(times[0], times[1], "a run of '<'")
    }

    @Test("bad input: a file that is no WARC at all, a truncated gzip member, a block over the limit: clear failures naming file and offset, verify clean, other documents untouched")
    func badFiles() throws {
        let scratch = try Scratch("warc-hostile")
        let (_, good) = try Files.ingest([("good.warc", Files.response("http://example.com/keep", id: 1, body: page))], into: scratch)
        let before = try scratch.archive.documents().map { $0.json.canonical }
        let member = try Files.gzipMember(Files.response("http://example.com/t", id: 2, body: page))
        let huge = Array("WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: http://example.com/huge\r\nContent-Length: \(WARCReader.maxBlock + 1)\r\n\r\n".utf8)
        let (report, s) = try Files.ingest([("garbage.warc", Array("this is not a web archive\n".utf8)),
                                            ("cut.warc.gz", Array(member.prefix(20))),
                                            ("huge.warc", huge + [UInt8](repeating: 0x61, count: 1000))], into: scratch)
        #expect(report.counts["failed"] == 3 && s.allSatisfy { $0.meaning == "failed" }, "\(s.map(\.error))")
        let reasons = Dictionary(uniqueKeysWithValues: s.map { ($0.path, $0.error ?? "") })
        #expect(reasons["garbage.warc#0"]?.contains("not a WARC or ARC record") == true, "\(reasons)")
        #expect(reasons["cut.warc.gz#0"]?.contains("truncated") == true, "\(reasons)")
        #expect(reasons["huge.warc#0"]?.contains("over the 256 MiB limit") == true, "\(reasons)")
        #expect(try scratch.archive.documents().map { $0.json.canonical } == before)
        #expect(good.count == 1)
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("revisits waiting for originals that never come, and a file of many payloads: memory stays bounded, time linear")
    func revisitBounds() {
        func run(_ n: Int) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            var index = WARCRevisitIndex()
            var gaveUp = 0
            for t in 0..<n {
                index.wait(.init(digest: WARCDigest(algorithm: "sha1", bytes: [UInt8(t & 255), UInt8(t >> 8 & 255), UInt8(t >> 16 & 255)])), token: t)
                if index.waitingCount > WARCRevisitIndex.maxWaiting, let oldest = index.oldestWaiting() {
                    index.giveUp(oldest)
                    gaveUp += 1
                }
                _ = index.add(("h\(t)", 1, "x.warc#\(t)", []), recordID: "<urn:uuid:\(t)>", uri: "http://example.com/\(t)", date: nil)
            }
            #expect(index.waitingCount == min(n, WARCRevisitIndex.maxWaiting) && gaveUp == max(0, n - WARCRevisitIndex.maxWaiting))
            #expect(index.find(.init(refersTo: "<urn:uuid:\(n - 1)>")) != nil)
            #expect((index.find(.init(refersTo: "<urn:uuid:0>")) != nil) == (n <= WARCRevisitIndex.maxPayloads))
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        expectLinear(run(75_000), run(300_000), "waiting revisits and remembered payloads")
    }
}

private func SHA256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(bytes).hex }
