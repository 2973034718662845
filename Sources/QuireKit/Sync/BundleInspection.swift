/// What `bundle inspect` reports: the header (what the sender claims) and what the records hold
/// (counted while walking them), so a header that does not match its records shows.
public struct BundleInspection: Sendable {
    public let file: BundleFile
    public let eventRecords: Int
    /// For each origin, the seqs of the event records of it.
    public let eventRanges: [String: ClosedRange<Int>]
    /// The sum of the original sizes the blob records declare.
    public let blobRecordBytes: Int
    public let eventKinds: [String: Int]
    public let rawBlobRecords: Int
    public let zlibBlobRecords: Int
    /// Blob records sent as deltas against another blob.
    public let deltaBlobRecords: Int
    /// Blobs sent by hash and size only, because the sender does not serve their bytes.
    public let redactedBlobRecords: Int
    /// Blob records compressed against a blob outside the bundle (thin).
    public let externalBases: Int

    public var json: JSON {
        let h = file.header
        return ["bundle": .string(h.bundle), "source": .string(h.source), "created": .string(h.created), "agent": .string(h.agent),
                "host": .string(h.host), "tool": .string(h.tool), "base": h.base.json["origins"]!, "tip": h.tip.json["origins"]!,
                "events": .int(Int64(h.events)), "blobs": .int(Int64(h.blobs)), "blob_bytes": .int(Int64(h.blobBytes)),
                "records_bytes": .int(Int64(h.recordsBytes)), "bytes": .int(Int64(file.size)),
                "requires": .array(h.requires.map { .string($0) }),
                "event_kinds": .object(eventKinds.mapValues { .int(Int64($0)) }),
                "records": ["events": .int(Int64(eventRecords)), "blobs": .int(Int64(rawBlobRecords + zlibBlobRecords + deltaBlobRecords + redactedBlobRecords)),
                            "blob_bytes": .int(Int64(blobRecordBytes)),
                            "event_ranges": .object(eventRanges.mapValues { .array([.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))]) })],
                "blob_records": ["raw": .int(Int64(rawBlobRecords)), "zlib": .int(Int64(zlibBlobRecords)), "delta": .int(Int64(deltaBlobRecords)), "redacted": .int(Int64(redactedBlobRecords)),
                                 "external_bases": .int(Int64(externalBases))]]
    }

    /// Opens `path`, checks it as `BundleFile.open` does, and walks its records.
    public static func inspect(_ path: String) throws -> BundleInspection {
        let file = try BundleFile.open(path)
        var counter = Counter()
        try file.readRecords(&counter)
        return BundleInspection(file: file, eventRecords: counter.events, eventRanges: counter.ranges, blobRecordBytes: counter.bytes,
                                eventKinds: counter.kinds, rawBlobRecords: counter.raw,
                                zlibBlobRecords: counter.zlib, deltaBlobRecords: counter.delta, redactedBlobRecords: counter.redacted, externalBases: counter.external)
    }

    private struct Counter: BundleRecordHandler {
        var events = 0, raw = 0, zlib = 0, delta = 0, redacted = 0, external = 0, bytes = 0
        var kinds: [String: Int] = [:]
        var ranges: [String: ClosedRange<Int>] = [:]
        var seen = Set<String>()

        mutating func event(_ body: [UInt8], at offset: Int) throws {
            events += 1
            let event = try? EventWire.decode(body)
            kinds[event?.kind ?? "(malformed)", default: 0] += 1
            if let event {
                let r = ranges[event.origin]
                ranges[event.origin] = min(r?.lowerBound ?? event.seq, event.seq)...max(r?.upperBound ?? event.seq, event.seq)
            }
        }
        mutating func blobBegin(hash: String, size: Int, kind: BlobRecordKind, base: String?, at offset: Int) throws {
            switch kind {
            case .raw: raw += 1
            case .zlib: zlib += 1
            case .delta: delta += 1
            }
            bytes = bytes.addingReportingOverflow(size).overflow ? .max : bytes + size
            if let base, !seen.contains(base) { external += 1 }
            seen.insert(hash)
        }
        mutating func blobData(_ piece: UnsafeRawBufferPointer) throws {}
        mutating func blobEnd() throws {}
        mutating func redactedBlob(hash: String, size: Int, at offset: Int) throws {
            redacted += 1
            bytes = bytes.addingReportingOverflow(size).overflow ? .max : bytes + size
            seen.insert(hash)
        }
    }
}
