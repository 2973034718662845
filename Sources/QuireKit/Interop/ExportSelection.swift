import SQLite

/// What an export writes: the files of one batch, or every document's head (now, or as of a date).
public enum ExportSelection: Sendable, Equatable {
    /// Every document's current head.
    case heads
    /// Every document's head as of a date: among its versions created up to then, the one the
    /// head rule picks (ISO 8601, compared as text: `2024-03-26` means up to that day's start).
    case headsAsOf(String)
    /// The files a batch saw (its label, id, or a unique id prefix).
    case batch(String)
}

/// One file to export: where it goes, its bytes, and what it is.
public struct ExportItem: Sendable, Equatable {
    /// The relative path the file had (text; `%XX` for bytes that are not UTF-8).
    public let path: String
    /// The exact name bytes, when they are not UTF-8.
    public let pathRaw: [UInt8]?
    public let blob: String
    public let size: Int
    public let key: String
    public let version: String
    /// When the file was captured (its sighting's time).
    public let capturedAt: String
}

extension Archive {
    /// The row of a batch named by label, id, or unique id prefix.
    public func batchRow(_ reference: String) throws -> (id: Int, uuid: String, label: String) {
        try read {
            let rows = try db.rows("""
                SELECT id, uuid, label FROM batches WHERE uuid = ?1 OR label = ?1 OR (length(?1) >= 4 AND uuid LIKE ?1 || '%') ORDER BY id
                """, [reference]) { (id: $0.int(0), uuid: $0.text(1), label: $0.text(2)) }
            guard let first = rows.first else { throw QuireError(.notFound, "no batch with label or id '\(reference)'") }
            guard rows.count == 1 else {
                throw QuireError(.ambiguous, "'\(reference)' names \(rows.count) batches: " + rows.map { "\($0.label) (\($0.uuid))" }.joined(separator: ", "))
            }
            return first
        }
    }

    /// The files an export of `selection` writes, in path order.
    public func exportItems(_ selection: ExportSelection) throws -> [ExportItem] {
        try read {
            let columns = """
                SELECT p.path, s.path_raw, b.hash, b.size, d.key, v.hash, e.at
                FROM sightings s JOIN paths p ON p.id = s.path JOIN blobs b ON b.id = s.blob JOIN versions v ON v.id = s.version
                JOIN documents d ON d.id = s.document JOIN events e ON e.id = s.event
                """
            let convert: (Statement) -> ExportItem = {
                ExportItem(path: $0.text(0), pathRaw: $0.optionalBlob(1), blob: $0.text(2), size: $0.int(3), key: $0.text(4),
                           version: $0.text(5), capturedAt: $0.text(6))
            }
            switch selection {
            case .batch(let reference):
                let batch = try batchRow(reference)
                return try db.rows(columns + " WHERE s.batch = ? AND s.meaning <> 'failed' ORDER BY p.path, s.id", [batch.id], convert)
            case .heads:
                // Each head with the latest sighting that showed it.
                return try db.rows(columns + """
                     JOIN documents h ON h.head = s.version AND h.id = s.document
                     WHERE s.id = (SELECT max(x.id) FROM sightings x WHERE x.version = h.head)
                     ORDER BY p.path, s.id
                    """, [], convert)
            case .headsAsOf(let date):
                // The head rule (a leaf, created last, larger hash on ties) over the versions created by then.
                return try db.rows(columns + """
                     WHERE v.id = (SELECT w.id FROM versions w WHERE w.document = s.document AND w.created_at < ?1
                                   AND NOT EXISTS (SELECT 1 FROM version_parents p JOIN versions c ON c.id = p.version
                                                   WHERE p.parent = w.id AND c.created_at < ?1)
                                   ORDER BY w.created_at DESC, w.hash DESC LIMIT 1)
                       AND s.id = (SELECT max(x.id) FROM sightings x JOIN events xe ON xe.id = x.event WHERE x.version = v.id AND xe.at < ?1)
                     ORDER BY p.path, s.id
                    """, [date], convert)
            }
        }
    }
}
