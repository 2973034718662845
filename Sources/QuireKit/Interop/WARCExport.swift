#if canImport(Glibc)
import Glibc
#endif
import Deflate
import Foundation
import Hashing
import SQLite

/// `quire export warc`: the archive's sightings as a WARC 1.1 file (ISO 28500), one gzip member
/// per record, for replay tools and web archives.
///
/// A `warcinfo` record comes first (software, operator, archive id). Each sighting whose bytes
/// are exported for the first time is a `resource` record: `WARC-Target-URI` is the document's
/// URL key (or, for a document keyed by path, a `file:` URI of that path), `WARC-Date` the capture
/// time, and `WARC-Block-Digest` = `WARC-Payload-Digest` = `sha256:` and the blob hash. Every later
/// sighting of the same bytes is a `revisit` record of the identical-payload-digest profile,
/// pointing at the first with `WARC-Refers-To`, `WARC-Refers-To-Target-URI` and
/// `WARC-Refers-To-Date`. Content this copy does not serve is left out and reported.
public struct WARCExportReport: Sendable {
    public internal(set) var resources = 0
    public internal(set) var revisits = 0
    public internal(set) var bytes = 0
    public internal(set) var skipped: [(path: String, reason: String)] = []

    public var json: JSON {
        ["records": .int(Int64(1 + resources + revisits)), "resources": .int(Int64(resources)), "revisits": .int(Int64(revisits)),
         "bytes": .int(Int64(bytes)), "skipped": .array(skipped.map { ["path": .string($0.path), "reason": .string($0.reason)] })]
    }
}

extension Archive {
    /// Writes the sightings of `batch` (or all), captured at or after `since`, to `path` as WARC.
    /// The file appears complete or not at all.
    public func exportWARC(to path: String, batch: String? = nil, since: String? = nil, operator agent: String = Identity.defaultAgent,
                           replace: Bool = false) throws -> WARCExportReport {
        try checkOutputPath(path, replace: replace)
        let batchRow = try batch.map { try self.batchRow($0) }
        let rows = try read {
            var sql = """
                SELECT p.path, d.key, b.hash, b.size, e.at, coalesce(a.kind, '') FROM sightings s
                JOIN paths p ON p.id = s.path JOIN blobs b ON b.id = s.blob JOIN documents d ON d.id = s.document JOIN events e ON e.id = s.event
                LEFT JOIN articles a ON a.blob = b.id
                WHERE s.meaning <> 'failed'
                """
            var values: [any DatabaseValueConvertible] = []
            if let batchRow { sql += " AND s.batch = ?"; values.append(batchRow.id) }
            if let since { sql += " AND e.at >= ?"; values.append(since) }
            return try db.rows(sql + " ORDER BY s.id", values) {
                (path: $0.text(0), key: $0.text(1), hash: $0.text(2), size: $0.int(3), at: $0.text(4), kind: $0.text(5))
            }
        }
        return try writeFileAtomically(path, replace: true) { write in
            let fileName = (path as NSString).lastPathComponent
            let info = "software: \(Identity.tool)\r\noperator: \(agent)\r\nquire-archive-id: \(id)\r\nformat: WARC File Format 1.1\r\n"
                + "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
            let infoBytes = Array(info.utf8)
            try Self.writeRecord([("WARC-Type", "warcinfo"), ("WARC-Record-ID", "<urn:uuid:\(Identity.newUUID())>"), ("WARC-Date", Timestamp.now()),
                                  ("WARC-Filename", fileName), ("WARC-Block-Digest", "sha256:" + SHA256.hash(infoBytes).hex),
                                  ("Content-Type", "application/warc-fields")], length: infoBytes.count, to: write) { body in
                try infoBytes.withUnsafeBytes { try body($0) }
            }

            var report = WARCExportReport()
            var first: [String: (uri: String, date: String, id: String)] = [:]
            for row in rows {
                let uri = Self.targetURI(key: row.key, path: row.path)
                let date = row.at  // UTC with milliseconds, as WARC 1.1 allows
                let recordID = "<urn:uuid:\(Identity.newUUID())>"
                if let original = first[row.hash] {
                    let empty = SHA256.hash([UInt8]()).hex
                    try Self.writeRecord([("WARC-Type", "revisit"), ("WARC-Record-ID", recordID), ("WARC-Date", date), ("WARC-Target-URI", uri),
                                          ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
                                          ("WARC-Refers-To", original.id), ("WARC-Refers-To-Target-URI", original.uri), ("WARC-Refers-To-Date", original.date),
                                          ("WARC-Payload-Digest", "sha256:" + row.hash), ("WARC-Block-Digest", "sha256:" + empty)],
                                         length: 0, to: write) { _ in }
                    report.revisits += 1
                    continue
                }
                guard let blob = try read({ try blobs.record(hash: row.hash) }), try read({ try custody(blob) }) == .held else {
                    report.skipped.append((row.path, "the content of blob \(row.hash) is redacted or hidden in this copy"))
                    continue
                }
                try Self.writeRecord([("WARC-Type", "resource"), ("WARC-Record-ID", recordID), ("WARC-Date", date), ("WARC-Target-URI", uri),
                                      ("WARC-Block-Digest", "sha256:" + row.hash), ("WARC-Payload-Digest", "sha256:" + row.hash),
                                      ("Content-Type", Self.contentType(row.kind))], length: row.size, to: write) { body in
                    try writeBlob(hash: row.hash) { try body($0) }
                }
                first[row.hash] = (uri, date, recordID)
                report.resources += 1
                report.bytes += row.size
            }
            return report
        }
    }

    /// Writes one record to `emit` as one gzip member: the header lines, then the block, which
    /// `block` passes in pieces to the function it is given; it must come to `length` bytes.
    static func writeRecord(_ headers: [(String, String)], length: Int, to emit: (UnsafeRawBufferPointer) throws -> Void,
                            block: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let deflater = try Deflater(level: 6, format: .gzip)
        var head = "WARC/1.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(length)\r\n\r\n"
        try deflater.compress(Array(head.utf8), output: emit)
        var written = 0
        // `block` calls back into `emit`; Swift allows a non-escaping function to be passed on
        // inside a closure only as an escapable value.
        try withoutActuallyEscaping(emit) { emit in
            try block { piece in
                written += piece.count
                try deflater.compress(piece, output: emit)
            }
        }
        guard written == length else { throw QuireError(.corrupt, "a WARC record's block was \(written) bytes, not \(length)") }
        try deflater.compress(Array("\r\n\r\n".utf8), output: emit)
        try deflater.finish(output: emit)
    }

    /// The document's URL key, or a `file:` URI of the path it was seen at.
    static func targetURI(key: String, path: String) -> String {
        if key.hasPrefix("http://") || key.hasPrefix("https://") { return key.replacingOccurrences(of: " ", with: "%20") }
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "%"))
        return "file:///" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path)
    }

    static func contentType(_ kind: String) -> String {
        switch kind {
        case "html": return "text/html"
        case "json": return "application/json"
        case "text": return "text/plain"
        default: return "application/octet-stream"
        }
    }
}
