import Deflate
import Foundation
import Hashing
import SQLite

/// What `bundle create` wrote.
public struct BundleSummary: Sendable {
    public let header: BundleHeader
    /// The bundle's size in bytes.
    public let bytes: Int

    public var json: JSON {
        ["bundle": .string(header.bundle), "source": .string(header.source), "events": .int(Int64(header.events)),
         "blobs": .int(Int64(header.blobs)), "blob_bytes": .int(Int64(header.blobBytes)), "bytes": .int(Int64(bytes)),
         "base": header.base.json["origins"]!, "tip": header.tip.json["origins"]!,
         "requires": .array(header.requires.map { .string($0) })]
    }
}

extension Archive {
    /// Writes a bundle with every event past `base` (the state the receiver holds; empty for
    /// everything) and the blobs those events need that a holder of `base` cannot already have.
    /// The bytes go to `output` as they are made. With `thin`, a blob may be sent compressed
    /// against a blob the receiver holds; otherwise the bundle is self-contained.
    public func writeBundle(base: ArchiveState, thin: Bool = false, level: Int32 = 1,
                            output: (UnsafeRawBufferPointer) throws -> Void) throws -> BundleSummary {
        // One read transaction: the selection and the bytes written come from one snapshot.
        try read {
            try BundleWriter(archive: self, base: base, thin: thin, level: level).write(output)
        }
    }

    /// Writes a bundle to `path` (`-`: stdout is the caller's business; use `writeBundle`). The
    /// file appears complete or not at all: it is written under a temporary name and renamed.
    /// An existing file at `path` is refused unless `replace`, and an SQLite file always.
    public func writeBundle(base: ArchiveState, thin: Bool = false, level: Int32 = 1, to path: String, replace: Bool = false) throws -> BundleSummary {
        try writeFileAtomically(path, replace: replace) { write in
            try writeBundle(base: base, thin: thin, level: level, output: write)
        }
    }
}

/// Selects and writes one bundle. See `BundleFormat` and docs/bundle-format.md.
private struct BundleWriter {
    let archive: Archive
    let base: ArchiveState
    let thin: Bool
    let level: Int32
    var db: Database { archive.db }

    func write(_ output: (UnsafeRawBufferPointer) throws -> Void) throws -> BundleSummary {
        // What the receiver holds must be what this archive holds at the same places: a receiver
        // whose chain of some copy differs (events minted under that copy's id elsewhere) would
        // never get what it lacks, so the difference is named instead of sending by seq alone.
        for (origin, tip) in base.origins {
            guard let held = try archive.events.hash(origin: origin, seq: tip.seq) else { continue }
            if held != tip.hash {
                throw QuireError(.refused, EventIntake.conflict(origin: origin, seq: tip.seq, here: held, there: tip.hash,
                                                                thereIs: "at the receiver") + "; no bundle was written")
            }
        }
        var baseSeq: [Int: Int] = [:]
        for (id, archiveID) in try archive.events.origins() { baseSeq[id] = base.seq(archiveID) }
        let tip = try archive.state()

        // The events past the base, in arrival order (each one's dependencies arrived before it).
        let selected = try archive.events.events(past: baseSeq)
        let eventIDs = selected.map(\.id)
        let merges = selected.filter { $0.kind == .merge }.map(\.id)

        // The blobs those events refer to, less those a holder of the base already has. A version
        // made by a sightings event has a sighting of its blob in that event; a merge's version
        // has none. Merges are rare, so the scan of `versions` finding theirs costs little.
        // Held as sorted row ids (8 bytes a blob: a million blobs in 8 MB); each blob's row is
        // read again where it is needed, so memory does not grow with rows per blob.
        var candidates: [Int] = []
        for id in eventIDs {
            try db.forEach("SELECT DISTINCT blob FROM sightings WHERE event = ? AND blob IS NOT NULL", [id]) { candidates.append($0.int(0)) }
        }
        for id in merges {
            try db.forEach("SELECT blob FROM versions WHERE event = ?", [id]) { candidates.append($0.int(0)) }
        }
        candidates.sort()
        func receiverHas(_ blob: Int) throws -> Bool {
            if base.origins.isEmpty { return false }
            var found = false
            for sql in ["SELECT e.origin, e.seq FROM sightings s JOIN events e ON e.id = s.event WHERE s.blob = ?",
                        "SELECT e.origin, e.seq FROM versions v JOIN events e ON e.id = v.event WHERE v.blob = ?"] where !found {
                let statement = try db.cached(sql).bind(blob)
                while try statement.step() {
                    if statement.int(1) <= baseSeq[statement.int(0)] ?? 0 { found = true; break }
                }
                statement.reset()
            }
            return found
        }
        // The blobs sent (by row id, ascending), those sent as redacted (not served here), and the
        // order they go in: bases before the blobs compressed against them (depth, then id).
        var ids: [Int] = []
        var hidden = Set<Int>()
        var order: [(depth: Int32, id: Int)] = []
        var previous: Int? = nil
        for id in candidates where id != previous {
            previous = id
            guard try !receiverHas(id), let record = try archive.blobs.record(id: id) else { continue }
            ids.append(id)
            order.append((Int32(clamping: record.depth), id))
            if try archive.custody(record) != .held { hidden.insert(id) }
        }
        candidates = []
        order.sort { ($0.depth, $0.id) < ($1.depth, $1.id) }
        func sends(_ blob: Int) -> Bool { !hidden.contains(blob) && ids.sortedIndex(of: blob) != nil }
        func form(_ blob: BlobRecord) throws -> BlobExportForm {
            try archive.blobs.exportForm(for: blob, served: !hidden.contains(blob.id), sends: sends, thin: thin,
                                         isServed: { try archive.custody($0) == .held }, receiverHas: receiverHas)
        }

        // First pass: the header's sizes. A blob recompressed on its own keeps the size found here
        // (the second pass writes the same form without compressing it once more to learn it).
        var usesThin = false, usesDelta = false
        var recordsBytes = BundleFormat.recordHeaderSize // the end record
        var blobBytes = 0
        var recompressed: [Int: Int] = [:]
        for (_, id) in order {
            guard let blob = try archive.blobs.record(id: id) else { throw QuireError(.corrupt, "blob row \(id) vanished while a bundle was written") }
            let form = try form(blob)
            blobBytes += blob.size
            if case .zlib(_, thin: true) = form { usesThin = true }
            if case .delta(_, thin: let t) = form { usesDelta = true; usesThin = usesThin || t }
            switch form {
            case .rawChunks: recordsBytes += BundleFormat.recordHeaderSize + BundleFormat.rawBlobPrefix + blob.size
            case .recompressed(let size):
                recompressed[id] = size
                recordsBytes += BundleFormat.recordHeaderSize + BundleFormat.zlibBlobPrefix + size
            case .zlib, .delta: recordsBytes += BundleFormat.recordHeaderSize + BundleFormat.zlibBlobPrefix + form.storedBytes(blob)
            case .redacted: recordsBytes += BundleFormat.recordHeaderSize + BundleFormat.redactedBlobSize
            }
        }
        for id in eventIDs {
            recordsBytes += BundleFormat.recordHeaderSize + (try archive.events.wireLength(id: id))
        }

        let header = BundleHeader(
            bundle: Identity.newUUID(), source: archive.id, created: Timestamp.now(), agent: Identity.defaultAgent,
            host: Identity.host, tool: Identity.tool, base: ArchiveState(origins: base.origins), tip: ArchiveState(origins: tip.origins),
            events: eventIDs.count, blobs: order.count, blobBytes: blobBytes, recordsBytes: recordsBytes,
            requires: (usesThin ? ["thin"] : []) + (hidden.isEmpty ? [] : ["redaction"]) + (usesDelta ? ["delta"] : []))

        // The file: magic, version, header, the deflated records, the trailer.
        var hasher = SHA256()
        var written = 0
        func emit(_ piece: UnsafeRawBufferPointer) throws {
            hasher.update(piece)
            written += piece.count
            try output(piece)
        }
        let headerBytes = Array(header.json.canonical.utf8)
        var preamble = BundleFormat.magic
        preamble += [UInt8(BundleFormat.version >> 8), UInt8(BundleFormat.version & 0xff)]
        preamble += bigEndian(UInt64(headerBytes.count), bytes: 4)
        preamble += headerBytes
        try preamble.withUnsafeBytes { try emit($0) }

        let deflater = try Deflater(level: level)
        var bodyWritten = 0
        func body(_ bytes: UnsafeRawBufferPointer) throws {
            bodyWritten += bytes.count
            try deflater.compress(bytes, output: emit)
        }
        func body(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try body($0) } }
        func recordHeader(_ type: BundleFormat.RecordType, _ length: Int) throws {
            try body([type.rawValue] + bigEndian(UInt64(length), bytes: 8))
        }

        // Second pass: the records, each blob's form found again (the same snapshot gives the same one).
        for (_, id) in order {
            guard let blob = try archive.blobs.record(id: id) else { throw QuireError(.corrupt, "blob row \(id) vanished while a bundle was written") }
            let form = try recompressed[id].map { .recompressed(size: $0) } ?? form(blob)
            let digest = SHA256Digest(hex: blob.hash)!.bytes
            switch form {
            case .rawChunks:
                try recordHeader(.rawBlob, BundleFormat.rawBlobPrefix + blob.size)
                try body(digest)
            case .recompressed, .zlib:
                var baseDigest = [UInt8](repeating: 0, count: 32)
                if case .zlib(let baseHash?, _) = form, let d = SHA256Digest(hex: baseHash) { baseDigest = d.bytes }
                try recordHeader(.zlibBlob, BundleFormat.zlibBlobPrefix + form.storedBytes(blob))
                try body(digest + bigEndian(UInt64(blob.size), bytes: 8) + baseDigest)
            case .delta(let baseHash, _):
                try recordHeader(.deltaBlob, BundleFormat.zlibBlobPrefix + form.storedBytes(blob))
                try body(digest + bigEndian(UInt64(blob.size), bytes: 8) + SHA256Digest(hex: baseHash)!.bytes)
            case .redacted:
                try recordHeader(.redactedBlob, BundleFormat.redactedBlobSize)
                try body(digest + bigEndian(UInt64(blob.size), bytes: 8))
            }
            try archive.blobs.writeExportBytes(blob, form: form) { try body($0) }
        }
        for id in eventIDs {
            guard let event = try archive.events.event(id: id) else { continue }
            let bytes = EventWire.encode(event)
            try recordHeader(.event, bytes.count)
            try body(bytes)
        }
        try recordHeader(.end, 0)
        try deflater.finish(output: emit)
        precondition(bodyWritten == recordsBytes, "bundle body length \(bodyWritten) differs from the declared \(recordsBytes)")

        let trailer = hasher.finalize().bytes
        try trailer.withUnsafeBytes { try output($0) }
        return BundleSummary(header: header, bytes: written + trailer.count)
    }
}

/// `value` as `bytes` big-endian bytes.
func bigEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (bytes - 1 - $0))) }
}
