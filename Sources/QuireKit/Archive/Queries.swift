import Foundation
import SQLite

/// Read-only questions about the archive: what the listing commands print.
extension Archive {
    /// Every document with its current head, ordered by key.
    public func documents() throws -> [DocumentSummary] {
        try read {
            try db.rows("""
                SELECT d.key, v.hash, b.hash, b.size,
                       (SELECT count(*) FROM versions x WHERE x.document = d.id),
                       (SELECT count(*) FROM versions x WHERE x.document = d.id
                          AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = x.id)),
                       (SELECT max(e.at) FROM versions x JOIN sightings s ON s.version = x.id JOIN events e ON e.id = s.event
                        WHERE x.document = d.id)
                FROM documents d LEFT JOIN versions v ON v.id = d.head LEFT JOIN blobs b ON b.id = v.blob
                ORDER BY d.key
                """) {
                DocumentSummary(key: $0.text(0), head: $0.optionalText(1), headBlob: $0.optionalText(2), size: $0.optionalInt(3),
                                versions: $0.int(4), heads: $0.int(5), lastSeen: $0.optionalText(6))
            }
        }
    }

    /// A document's versions, oldest first (by creation time, then hash).
    public func log(key: String) throws -> [VersionInfo] {
        try read {
            guard let document = try db.int("SELECT id FROM documents WHERE key = ?", key) else {
                throw QuireError(.notFound, "no document with key '\(key)'")
            }
            return try versions(document: document)
        }
    }

    func versions(document: Int) throws -> [VersionInfo] {
        let current = try db.int("SELECT head FROM documents WHERE id = ?", document)
        let rows = try db.rows("""
            SELECT v.id, d.key, v.hash, b.hash, b.size, v.created_at,
                   NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id),
                   ba.uuid, ba.label, (SELECT CASE WHEN r.path IS NULL THEN p.path WHEN r.path = '/' THEN '/' || p.path ELSE r.path || '/' || p.path END
                                       FROM paths p LEFT JOIN roots r ON r.id = s.root WHERE p.id = s.path),
                   EXISTS (SELECT 1 FROM version_parents vp JOIN versions p ON p.id = vp.parent
                           JOIN articles pa ON pa.blob = p.blob JOIN articles va ON va.blob = v.blob
                           WHERE vp.version = v.id AND p.blob <> v.blob AND va.fingerprint IS NOT NULL AND pa.fingerprint = va.fingerprint),
                   v.partial
            FROM versions v JOIN documents d ON d.id = v.document JOIN blobs b ON b.id = v.blob
            LEFT JOIN sightings s ON s.id = (SELECT min(x.id) FROM sightings x WHERE x.version = v.id AND x.event = v.event)
            LEFT JOIN batches ba ON ba.id = s.batch
            WHERE v.document = ? ORDER BY v.created_at, v.hash
            """, [document]) { s in
            (id: s.int(0), key: s.text(1), hash: s.text(2), blob: s.text(3), size: s.int(4), created: s.text(5),
             head: s.int(6) != 0, batch: s.optionalText(7), label: s.optionalText(8), path: s.optionalText(9), sameText: s.int(10) != 0,
             partial: s.optionalText(11))
        }
        return try rows.enumerated().map { i, r in
            let parents = try db.rows("""
                SELECT p.hash FROM version_parents vp JOIN versions p ON p.id = vp.parent WHERE vp.version = ? ORDER BY p.hash
                """, [r.id]) { $0.text(0) }
            return VersionInfo(key: r.key, number: i + 1, hash: r.hash, blob: r.blob, size: r.size, parents: parents,
                               createdAt: r.created, isHead: r.head, isCurrent: r.id == current, batch: r.batch,
                               batchLabel: r.label, path: r.path, sameText: r.sameText, partial: r.partial)
        }
    }

    /// How a blob is stored, or nil when the archive lacks it.
    public func blobInfo(hash: String) throws -> BlobInfo? {
        try read {
            try db.firstRow("""
                SELECT b.hash, b.size, b.encoding, b.stored_size, base.hash, b.depth
                FROM blobs b LEFT JOIN blobs base ON base.id = b.base WHERE b.hash = ?
                """, [hash]) {
                BlobInfo(hash: $0.text(0), size: $0.int(1), encoding: $0.text(2), storedSize: $0.int(3), base: $0.optionalText(4), depth: $0.int(5))
            }
        }
    }

    private static let sightingColumns = """
        SELECT b.uuid, b.label, p.path, s.size, s.mtime, bl.hash, d.key, v.hash, s.meaning, s.error, e.at,
               b.agent, b.host, b.source, b.tool, s.partial,
               CASE WHEN s.meaning = 'pending' THEN (SELECT blob FROM pending_revisits WHERE sighting = s.id) END,
               r.path, s.held
        FROM sightings s JOIN paths p ON p.id = s.path JOIN batches b ON b.id = s.batch JOIN events e ON e.id = s.event
        LEFT JOIN roots r ON r.id = s.root LEFT JOIN blobs bl ON bl.id = s.blob LEFT JOIN documents d ON d.id = s.document
        LEFT JOIN versions v ON v.id = s.version
        """

    private static func sighting(_ s: Statement) -> SightingInfo {
        var info = SightingInfo(batch: s.text(0), batchLabel: s.text(1), path: s.text(2), size: s.optionalInt(3), mtime: s.optionalText(4),
                                blob: s.optionalText(5), key: s.optionalText(6), version: s.optionalText(7), meaning: s.text(8),
                                error: s.optionalText(9), seenAt: s.text(10), agent: s.text(11), host: s.text(12),
                                source: s.optionalText(13), tool: s.text(14), partial: s.optionalText(15), linkedBlob: s.optionalText(16))
        info.root = s.optionalText(17)
        info.held = s.optionalInt(18).map { $0 != 0 }
        return info
    }

    /// Every sighting of a blob, in the order they were recorded here.
    public func sightings(blob hash: String) throws -> [SightingInfo] {
        try read { try db.rows(Self.sightingColumns + " WHERE bl.hash = ? ORDER BY s.id", [hash], Self.sighting) }
    }

    /// Every sighting of a version.
    public func sightings(version hash: String) throws -> [SightingInfo] {
        try read { try db.rows(Self.sightingColumns + " WHERE v.hash = ? ORDER BY s.id", [hash], Self.sighting) }
    }

    /// Every sighting in a batch, in walk order.
    public func sightings(batch uuid: String) throws -> [SightingInfo] {
        try read { try db.rows(Self.sightingColumns + " WHERE b.uuid = ? ORDER BY s.id", [uuid], Self.sighting) }
    }

    /// Every batch with its counts, oldest first.
    public func batches() throws -> [BatchSummary] {
        try read {
            try db.rows("""
                SELECT \(BatchInfo.columns("b", origin: "o")), count(s.id), coalesce(sum(s.size), 0),
                       coalesce(sum(s.meaning = 'new'), 0), coalesce(sum(s.meaning = 'version'), 0),
                       coalesce(sum(s.meaning = 'duplicate'), 0), coalesce(sum(s.meaning = 'unchanged'), 0),
                       coalesce(sum(s.meaning = 'failed'), 0), coalesce(sum(s.meaning = 'pending'), 0)
                FROM batches b JOIN origins o ON o.id = b.origin LEFT JOIN sightings s ON s.batch = b.id
                GROUP BY b.id ORDER BY b.started_at, b.id
                """) { s in
                BatchSummary(batch: BatchInfo(s), files: s.int(11), bytes: s.int(12),
                             counts: ["new": s.int(13), "version": s.int(14), "duplicate": s.int(15), "unchanged": s.int(16), "failed": s.int(17),
                                       "pending": s.int(18)])
            }
        }
    }

    /// Totals for the archive.
    public func stats() throws -> ArchiveStats {
        try read {
            func count(_ sql: String) throws -> Int { try db.int(sql) ?? 0 }
            var fileBytes = 0
            for suffix in ["", "-wal"] {
                if let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix),
                   let size = attributes[.size] as? NSNumber {
                    fileBytes += size.intValue
                }
            }
            return ArchiveStats(
                archiveID: id,
                documents: try count("SELECT count(*) FROM documents"),
                versions: try count("SELECT count(*) FROM versions"),
                blobs: try count("SELECT count(*) FROM blobs"),
                sightings: try count("SELECT count(*) FROM sightings"),
                batches: try count("SELECT count(*) FROM batches"),
                events: try count("SELECT count(*) FROM events"),
                originalBytes: try count("SELECT coalesce(sum(size), 0) FROM blobs"),
                storedBytes: try count("SELECT coalesce(sum(stored_size), 0) FROM blobs"),
                fileBytes: fileBytes,
                forkedDocuments: try count("""
                    SELECT count(*) FROM (SELECT v.document FROM versions v
                    WHERE NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)
                    GROUP BY v.document HAVING count(*) > 1)
                    """))
        }
    }
}
