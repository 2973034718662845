import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

/// Two shortcuts the WARC ingest profile asked for (docs/benchmarks.md): payloads already
/// compressed are stored raw, without deflate or deltas; no-break spaces are replaced on bytes.
@Suite("Compressed payloads and no-break spaces")
struct CompressedPayloadTests {
    @Test("PNG, JPEG, gzip, WOFF2 and WebP bytes are stored raw and read back exactly; text is still deflated; a WAV (RIFF, not WebP) is not taken for compressed")
    func storedRaw() throws {
        var rng = SeededRandom(seed: 16)
        let noise = (0..<20_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let heads: [[UInt8]] = [[0x89, 0x50, 0x4E, 0x47], [0xFF, 0xD8, 0xFF, 0xE0], [0x1F, 0x8B, 0x08, 0x00], Array("wOF2".utf8),
                                Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)]
        let scratch = try Scratch("compressed")
        for (i, head) in heads.enumerated() { try scratch.dir.write("in/\(i).bin", head + noise) }
        let text = Array(String(repeating: "the harbour ferry runs every hour. ", count: 500).utf8)
        try scratch.dir.write("in/text.txt", text)
        _ = try scratch.archive.ingest(paths: [scratch.dir.file("in")], options: quietOptions())
        for head in heads {
            let hash = SHA256.hash(head + noise).hex
            #expect(try scratch.archive.blobInfo(hash: hash)?.encoding == "raw")
            #expect(try scratch.archive.blobBytes(hash: hash) == head + noise)
        }
        #expect(try scratch.archive.blobInfo(hash: SHA256.hash(text).hex)?.encoding == "zlib")
        #expect(!BlobEncoding.isCompressed(Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WAVE".utf8)))
        #expect(!BlobEncoding.isCompressed(Array("%PDF-1.4".utf8)) && !BlobEncoding.isCompressed([0x89]))
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("replacingNoBreakSpaces on bytes gives what the scalar-by-scalar version gave")
    func noBreakSpaces() {
        func reference(_ s: String) -> String {
            guard s.utf8.contains(0xC2) else { return s }
            return String(s.unicodeScalars.map { $0 == "\u{00A0}" ? " " : Character($0) }).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        let samples = ["plain text", "\u{00A0}lead", "trail\u{00A0}", "a\u{00A0}\u{00A0} b", "  © 2024\u{00A0}« quoted »  ", "\u{00A0}",
                       "e\u{0301}\u{00A0}x", "日本\u{00A0}語", "·\u{00A0}·", "tab\t\u{00A0}x", ""]
        for s in samples { #expect(s.replacingNoBreakSpaces() == reference(s), "\(s.debugDescription)") }
        var rng = SeededRandom(seed: 3)
        // (A combining mark right after a space is left out: Swift joins the two into one
        // Character, which the old version did not take for a space; the byte version does.)
        let alphabet: [String] = ["a", " ", "\u{00A0}", "©", "é", "e\u{0301}", "x", "  "]
        for _ in 0..<500 {
            let s = (0..<Int(rng.next() % 20)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            #expect(s.replacingNoBreakSpaces() == reference(s), "\(s.debugDescription)")
        }
    }
}
