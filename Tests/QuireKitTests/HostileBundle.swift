import Deflate
import Foundation
import Hashing
import TestSupport
@testable import QuireKit

/// Builds the bundles a hostile peer could send, record by record, from docs/bundle-format.md:
/// any header claims, events chained (validly) under any origin, blobs with any declared sizes and
/// bases. The tests of `HostileBundleTests` make one of each class of attack with it.
struct HostileBundle {
    /// One origin's chain as the forger extends it.
    struct Chain {
        let origin: String
        var seq: Int
        var hash: String

        /// A new chain (a copy that never wrote anything), or the continuation of `state`'s tip.
        init(origin: String = UUID().uuidString.lowercased(), after tip: ArchiveState.Tip? = nil) {
            self.origin = origin
            seq = tip?.seq ?? 0
            hash = tip?.hash ?? Event.genesis
        }
    }

    var source = UUID().uuidString.lowercased()
    var base: [String: ArchiveState.Tip] = [:]
    /// The tip the header claims (nil: the chains' real tips).
    var claimedTip: [String: ArchiveState.Tip]? = nil
    /// Header counts to claim instead of the true ones.
    var claimedEvents: Int? = nil
    var claimedBlobs: Int? = nil
    var claimedBlobBytes: Int? = nil
    var requires: [String] = []
    private(set) var records: [BundleBytes.Record] = []
    private var tips: [String: ArchiveState.Tip] = [:]
    private var eventCount = 0, blobCount = 0, blobBytes = 0

    /// Appends an event of `kind` with `payload` (canonical JSON text) to `chain`, chained validly.
    mutating func event(_ chain: inout Chain, _ kind: String, _ payload: String, at: String = "2026-12-01T00:00:00.000Z") {
        chain.seq += 1
        chain.hash = Event.chainHash(previous: chain.hash, origin: chain.origin, seq: chain.seq, kind: kind, at: at, payload: payload)
        let body = Array("\(chain.origin)\n\(chain.seq)\n\(kind)\n\(at)\n\(chain.hash)\n\(payload)".utf8)
        records.append(.init(type: 0x45, body: body))
        tips[chain.origin] = ArchiveState.Tip(seq: chain.seq, hash: chain.hash)
        eventCount += 1
    }

    /// An event record carrying `payload` whose chain hash is computed over `chainedOver` instead:
    /// a record altered after it was chained (a signature cut from it, say).
    mutating func event(_ chain: inout Chain, _ kind: String, _ payload: String, chainedOver: String, at: String = "2026-12-01T00:00:00.000Z") {
        chain.seq += 1
        chain.hash = Event.chainHash(previous: chain.hash, origin: chain.origin, seq: chain.seq, kind: kind, at: at, payload: chainedOver)
        records.append(.init(type: 0x45, body: Array("\(chain.origin)\n\(chain.seq)\n\(kind)\n\(at)\n\(chain.hash)\n\(payload)".utf8)))
        tips[chain.origin] = ArchiveState.Tip(seq: chain.seq, hash: chain.hash)
        eventCount += 1
    }

    /// `event` with a JSON value as the payload.
    mutating func event(_ chain: inout Chain, _ kind: String, _ payload: JSON, at: String = "2026-12-01T00:00:00.000Z") {
        event(&chain, kind, payload.canonical, at: at)
    }

    /// A "B" record: the bytes themselves.
    mutating func rawBlob(_ bytes: [UInt8]) {
        records.append(.init(type: 0x42, body: SHA256.hash(bytes).bytes + bytes))
        blobCount += 1
        blobBytes += bytes.count
    }

    /// A "Z" record: `hash`, the declared `size`, the base (nil: none) and the zlib stream as given.
    mutating func zlibBlob(hash: [UInt8], size: Int, base: [UInt8]? = nil, stream: [UInt8]) {
        let sizeBytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(size) >> UInt64(8 * (7 - $0))) }
        records.append(.init(type: 0x5A, body: hash + sizeBytes + (base ?? [UInt8](repeating: 0, count: 32)) + stream))
        blobCount += 1
        blobBytes += size
    }

    /// A "Z" record of `bytes`, compressed against `base`'s first 32 KiB when given.
    mutating func zlibBlob(_ bytes: [UInt8], base: [UInt8]? = nil) throws {
        let dictionary = base.map { Array($0.prefix(BlobEncoding.dictionarySize)) }
        try zlibBlob(hash: SHA256.hash(bytes).bytes, size: bytes.count, base: base.map { SHA256.hash($0).bytes },
                     stream: Deflater.compress(bytes, dictionary: dictionary))
    }

    /// An "R" record: a blob by hash and declared size only.
    mutating func redactedBlob(hash: [UInt8], size: Int) {
        let sizeBytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(size) >> UInt64(8 * (7 - $0))) }
        records.append(.init(type: 0x52, body: hash + sizeBytes))
        blobCount += 1
        blobBytes = blobBytes.addingReportingOverflow(size).overflow ? .max : blobBytes + size
        if !requires.contains("redaction") { requires.append("redaction") }
    }

    /// The bundle file: magic, version, header (counts and lengths true unless claimed otherwise),
    /// the records and an end record deflated, and a correct trailer.
    func bytes() throws -> [UInt8] {
        let all = records + [.init(type: 0x2E, body: [])]
        let recordsBytes = all.reduce(0) { $0 + 9 + $1.body.count }
        func state(_ s: [String: ArchiveState.Tip]) -> JSON {
            .object(s.mapValues { ["seq": .int(Int64($0.seq)), "hash": .string($0.hash)] })
        }
        let header: JSON = [
            "format": "quire-bundle", "bundle": .string(UUID().uuidString.lowercased()), "source": .string(source),
            "created": "2026-12-01T00:00:00.000Z", "agent": "mallory@elsewhere", "host": "elsewhere", "tool": "forger 1",
            "base": state(base), "tip": state(claimedTip ?? tips), "events": .int(Int64(claimedEvents ?? eventCount)),
            "blobs": .int(Int64(claimedBlobs ?? blobCount)), "blob_bytes": .int(Int64(claimedBlobBytes ?? min(blobBytes, Int(Int64.max)))),
            "records_bytes": .int(Int64(recordsBytes)), "requires": .array(requires.map { .string($0) }),
        ]
        var bundle = try BundleBytes(BundleBytes.empty)
        bundle.header = Array(header.canonical.utf8)
        bundle.records = all
        return try bundle.bytes()
    }

    /// The canonical payload of a `sightings` event.
    static func sightings(batch: String, _ items: [SightingRecord]) -> String {
        SightingRecord.eventPayload(batch: batch, rendered: items.map { r -> [UInt8] in var b: [UInt8] = []; r.writeCanonical(to: &b); return b })
    }

    /// A `batch.open` payload.
    static func batchOpen(_ id: String, label: String = "planted") -> JSON {
        ["id": .string(id), "label": .string(label), "agent": "mallory@elsewhere", "host": "elsewhere", "tool": "forger 1",
         "inputs": [], "started": "2026-12-01T00:00:00.000Z"]
    }
}

extension BundleBytes {
    /// The smallest well-formed bundle file (an empty header, an end record), to edit.
    static var empty: [UInt8] {
        let body = try! Deflater.compress([0x2E, 0, 0, 0, 0, 0, 0, 0, 0])
        var out = Array("QUIREBDL".utf8) + [0, 1, 0, 0, 0, 2] + Array("{}".utf8) + body
        out += SHA256.hash(out).bytes
        return out
    }
}
