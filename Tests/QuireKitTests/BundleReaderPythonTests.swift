import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// docs/bundle-format.md promises that a person with only zlib and a SHA-256 tool can read and
/// check a bundle. This reader, in Python with zlib and hashlib only, follows the document.
@Suite("Bundle readable without Quire")
struct BundleReaderPythonTests {
    static let reader = #"""
    import hashlib, json, struct, sys, zlib
    \#(PythonDeltaReader.applyDelta)
    data = open(sys.argv[1], "rb").read()
    assert data[:8] == b"QUIREBDL", "magic"
    assert hashlib.sha256(data[:-32]).digest() == data[-32:], "trailer"
    version, hlen = struct.unpack(">HI", data[8:14])
    assert version == 1
    header = json.loads(data[14:14 + hlen])
    body = zlib.decompress(data[14 + hlen:-32])
    assert len(body) == header["records_bytes"]
    blobs, events, tips, i = {}, 0, {}, 0
    while True:
        kind = body[i:i + 1]; (length,) = struct.unpack(">Q", body[i + 1:i + 9]); rec = body[i + 9:i + 9 + length]; i += 9 + length
        if kind == b".":
            break
        if kind == b"B":
            digest, original = rec[:32], rec[32:]
        elif kind == b"Z":
            digest, (size,), base = rec[:32], struct.unpack(">Q", rec[32:40]), rec[40:72]
            d = zlib.decompressobj(zdict=blobs[base][:32768]) if base != bytes(32) else zlib.decompressobj()
            original = d.decompress(rec[72:]) + d.flush()
            assert len(original) == size
        elif kind == b"D":
            digest, (size,), base = rec[:32], struct.unpack(">Q", rec[32:40]), rec[40:72]
            original = apply_delta(blobs[base], zlib.decompress(rec[72:]))
            assert len(original) == size
        elif kind == b"E":
            origin, seq, ekind, at, h, payload = rec.split(b"\n", 5)
            prev = tips.get(origin, b"0" * 64)
            if int(seq) == 1 or origin in tips:
                assert hashlib.sha256(b"\n".join([prev, origin, seq, ekind, at, payload])).hexdigest().encode() == h, (origin, seq)
            tips[origin] = h
            json.loads(payload)
            events += 1
            continue
        assert hashlib.sha256(original).digest() == digest, digest.hex()
        blobs[digest] = original
    assert i == len(body)
    assert events == header["events"] and len(blobs) == header["blobs"]
    print(events, len(blobs))
    """#

    @Test("Python's zlib and hashlib read a bundle as documented and check every hash")
    func python() throws {
        let c = try Copies(1)
        var text = "Headline\n"
        for i in 0..<100 { text += "Line \(i) of an article that changes a little over time.\n" }
        _ = try c.ingest(0, ["story.txt": text, "other.txt": "other\n"])
        _ = try c.ingest(0, ["story.txt": text + "An update.\n", "empty.txt": ""])
        let path = c.dir.file("all.bundle")
        let summary = try c[0].writeBundle(base: ArchiveState(), to: path)
        let script = try c.dir.write("read_bundle.py", Self.reader)
        let r = try runProcess("python3", [script, path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdoutText == "\(summary.header.events) \(summary.header.blobs)\n")
        #expect(summary.header.blobs == 4)
    }
}
