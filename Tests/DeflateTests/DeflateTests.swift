import Foundation
import Testing
import TestSupport
@testable import Deflate

@Suite("Deflate")
struct DeflateTests {
    static func text(_ n: Int, seed: UInt64 = 1) -> [UInt8] {
        let words = ["the", "council", "voted", "on", "a", "budget", "for", "libraries", "and", "ferries", "after", "hearing"]
        var rng = SeededRandom(seed: seed)
        var out = [UInt8]()
        while out.count < n {
            out += Array(words[Int(rng.next() % UInt64(words.count))].utf8) + [0x20]
        }
        return Array(out.prefix(n))
    }

    @Test("round trip of many sizes, zlib, gzip and raw", arguments: [DeflateFormat.zlib, .gzip, .raw])
    func roundTrip(_ format: DeflateFormat) throws {
        var rng = SeededRandom(seed: 5)
        for size in [0, 1, 100, 65_535, 65_536, 200_000] {
            for input in [Self.text(size), rng.bytes(size)] {
                let compressed = try Deflater.compress(input, format: format)
                #expect(try Inflater.decompress(compressed, format: format) == input)
            }
        }
    }

    @Test("reset: one decompressor reads many concatenated gzip members in turn")
    func resetBetweenMembers() throws {
        let parts = (0..<5).map { Self.text(1000 + $0 * 300, seed: UInt64($0)) }
        let joined = try parts.flatMap { try Deflater.compress($0, format: .gzip) }
        let inflater = try Inflater(format: .gzip)
        var outputs: [[UInt8]] = []
        var offset = 0
        while offset < joined.count {
            var out = [UInt8]()
            offset += try inflater.decompress(Array(joined[offset...])) { out.append(contentsOf: $0) }
            #expect(inflater.isAtEnd)
            outputs.append(out)
            try inflater.reset()
        }
        #expect(outputs == parts)
    }

    @Test("streaming in small pieces matches one-shot")
    func streamingPieces() throws {
        let input = Self.text(300_000)
        let deflater = try Deflater()
        var compressed = [UInt8]()
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 777)
            try deflater.compress(Array(input[offset..<end])) { compressed.append(contentsOf: $0) }
            offset = end
        }
        try deflater.finish { compressed.append(contentsOf: $0) }
        let inflater = try Inflater()
        var output = [UInt8]()
        offset = 0
        while offset < compressed.count {
            let end = min(compressed.count, offset + 101)
            try inflater.decompress(Array(compressed[offset..<end])) { output.append(contentsOf: $0) }
            offset = end
        }
        try inflater.finish()
        #expect(output == input)
        #expect(deflater.totalIn == input.count)
    }

    @Test("a preset dictionary shrinks a similar text and is required to read it")
    func dictionary() throws {
        let original = Self.text(8000, seed: 2)
        var edited = original
        edited.replaceSubrange(4000..<4010, with: Array("a new sentence was added here.".utf8))
        let plain = try Deflater.compress(edited)
        let withDictionary = try Deflater.compress(edited, dictionary: original)
        #expect(withDictionary.count * 5 < plain.count, "dictionary: \(withDictionary.count), plain: \(plain.count)")
        #expect(try Inflater.decompress(withDictionary, dictionary: original) == edited)
        #expect(throws: ZlibError.self) { try Inflater.decompress(withDictionary) }
        do {
            _ = try Inflater.decompress(withDictionary)
        } catch let error as ZlibError {
            #expect(error.kind == .dictionary)
        }
        do {
            _ = try Inflater.decompress(withDictionary, dictionary: Self.text(8000, seed: 3))
            Issue.record("a wrong dictionary was accepted")
        } catch let error as ZlibError {
            #expect(error.kind == .dictionary)
        }
    }

    @Test("truncated input is an error, not a crash")
    func truncated() throws {
        let compressed = try Deflater.compress(Self.text(50_000))
        for cut in [0, 1, 2, 10, compressed.count / 2, compressed.count - 1] {
            do {
                _ = try Inflater.decompress(Array(compressed.prefix(cut)))
                Issue.record("truncated at \(cut) was accepted")
            } catch let error as ZlibError {
                #expect(error.kind == .truncated || error.kind == .corrupt)
            }
        }
    }

    @Test("corrupt input is an error")
    func corrupt() throws {
        var compressed = try Deflater.compress(Self.text(10_000))
        compressed[0] ^= 0xFF
        do {
            _ = try Inflater.decompress(compressed)
            Issue.record("a damaged header was accepted")
        } catch let error as ZlibError {
            #expect(error.kind == .corrupt)
        }
        // A flipped byte in the middle is caught by the data or by the Adler-32 trailer.
        var middle = try Deflater.compress(Self.text(10_000))
        middle[middle.count / 2] ^= 0x55
        #expect(throws: ZlibError.self) { try Inflater.decompress(middle) }
    }

    @Test("output beyond the cap stops decompression (a bomb)")
    func outputCap() throws {
        let bomb = try Deflater.compress([UInt8](repeating: 0, count: 50_000_000), level: 9)
        #expect(bomb.count < 100_000)
        do {
            _ = try Inflater.decompress(bomb, limit: 1_000_000)
            Issue.record("the cap was ignored")
        } catch let error as ZlibError {
            #expect(error.kind == .outputLimitExceeded)
        }
    }

    @Test("bytes after the end of the stream are reported")
    func trailingData() throws {
        let compressed = try Deflater.compress(Self.text(1000)) + [1, 2, 3]
        do {
            _ = try Inflater.decompress(compressed)
            Issue.record("trailing data was accepted")
        } catch let error as ZlibError {
            #expect(error.kind == .trailingData)
        }
    }

    @Test("random mutations never crash or hang")
    func mutations() throws {
        let compressed = try Deflater.compress(Self.text(20_000))
        var rng = SeededRandom(seed: 11)
        var accepted = 0
        for _ in 0..<2000 {
            var mutated = compressed
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                mutated[Int(rng.next() % UInt64(mutated.count))] = UInt8(rng.next() & 0xff)
            }
            if Bool.random(using: &rng) { mutated = Array(mutated.prefix(Int(rng.next() % UInt64(mutated.count)))) }
            if (try? Inflater.decompress(mutated, limit: 1_000_000)) != nil { accepted += 1 }
        }
        // Adler-32 catches nearly every change that still parses.
        #expect(accepted < 20)
    }

    @Test("gzip output is read by gzip(1), zlib output by Python's zlib")
    func interop() throws {
        let input = Self.text(100_000)
        let dir = TemporaryDirectory("deflate")
        let gz = try dir.write("x.gz", try Deflater.compress(input, format: .gzip))
        let gunzip = try runProcess("gzip", ["-dc", gz])
        #expect(gunzip.status == 0)
        #expect(gunzip.stdout == input)

        let dictionary = Self.text(20_000, seed: 9)
        let z = try dir.write("x.z", try Deflater.compress(input, dictionary: dictionary))
        let dictPath = try dir.write("dict", dictionary)
        let python = try runProcess("python3", ["-c", """
            import sys, zlib
            d = zlib.decompressobj(zdict=open(sys.argv[2], 'rb').read())
            sys.stdout.buffer.write(d.decompress(open(sys.argv[1], 'rb').read()) + d.flush())
            """, z, dictPath])
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdout == input)

        // And the other way: gzip(1)'s output is read here.
        let plain = try dir.write("plain", input)
        _ = try runProcess("gzip", ["-kf", plain])
        #expect(try Inflater.decompress(try readFile(plain + ".gz"), format: .gzip) == input)
    }

    @Test("CRC-32 matches the check value")
    func crc() {
        let check = Array("123456789".utf8).withUnsafeBytes { crc32($0) }
        #expect(check == 0xCBF4_3926)
    }
}
