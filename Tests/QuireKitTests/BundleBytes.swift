import Deflate
import Foundation
import Hashing
import TestSupport

/// An independent reader and writer of the bundle format, written from docs/bundle-format.md
/// with only zlib and SHA-256: tests use it to take bundles apart, damage them precisely, and put
/// them back together with a valid trailer.
struct BundleBytes {
    var version: UInt16
    var header: [UInt8]
    var records: [Record]

    struct Record {
        var type: UInt8
        var body: [UInt8]
    }

    init(_ bytes: [UInt8]) throws {
        precondition(Array(bytes[0..<8]) == Array("QUIREBDL".utf8))
        version = UInt16(bytes[8]) << 8 | UInt16(bytes[9])
        let headerLength = bytes[10..<14].reduce(0) { $0 << 8 | Int($1) }
        header = Array(bytes[14..<14 + headerLength])
        let body = try Inflater.decompress(Array(bytes[(14 + headerLength)..<(bytes.count - 32)]))
        records = []
        var i = 0
        while i < body.count {
            let type = body[i]
            let length = body[(i + 1)..<(i + 9)].reduce(0) { $0 << 8 | Int($1) }
            records.append(Record(type: type, body: Array(body[(i + 9)..<(i + 9 + length)])))
            i += 9 + length
        }
    }

    /// The decompressed body.
    var body: [UInt8] {
        var out: [UInt8] = []
        for r in records {
            out.append(r.type)
            out += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(r.body.count) >> UInt64(8 * (7 - $0))) }
            out += r.body
        }
        return out
    }

    /// The file, with `compressedBody` (default: the records deflated) and a correct trailer.
    func bytes(compressedBody: [UInt8]? = nil) throws -> [UInt8] {
        var out = Array("QUIREBDL".utf8) + [UInt8(version >> 8), UInt8(version & 0xff)]
        out += (0..<4).map { UInt8(truncatingIfNeeded: header.count >> (8 * (3 - $0))) }
        out += header
        out += try compressedBody ?? Deflater.compress(body)
        return out + SHA256.hash(out).bytes
    }

    /// The header as a mutable dictionary.
    var headerObject: [String: Any] {
        get { try! JSONSerialization.jsonObject(with: Data(header)) as! [String: Any] }
        set { header = [UInt8](try! JSONSerialization.data(withJSONObject: newValue, options: [.sortedKeys])) }
    }

    /// Event records as (origin, seq, kind, at, hash, payload).
    static func eventFields(_ body: [UInt8]) -> [String] {
        var parts = body.split(separator: 0x0A, maxSplits: 5, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while parts.count < 6 { parts.append("") }
        return parts
    }

    static func eventBody(_ fields: [String]) -> [UInt8] { Array(fields.joined(separator: "\n").utf8) }
}
