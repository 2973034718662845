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
    /// A batch's files placed so that the batch can be rebuilt: with one root (one folder given,
    /// or files given by name) each file at its path; with several, each under its root's path
    /// relative to the folder holding all roots (`day-1/harbour-gazette/…`, `day-2/…`). The same
    /// bytes sighted twice at one place are written once. Sorted by path.
    static func laidOut(_ rows: [(item: ExportItem, root: String?)]) -> [ExportItem] {
        let roots = Array(Set(rows.compactMap(\.root))).sorted()
        var items: [ExportItem] = []
        var seen: Set<[String]> = []
        if roots.count > 1 {
            let parts = roots.map { $0.split(separator: "/").map(String.init) }
            var common = parts[0]
            for p in parts.dropFirst() {
                var n = 0
                while n < common.count && n < p.count && common[n] == p[n] { n += 1 }
                common = Array(common.prefix(n))
            }
            for (item, root) in rows {
                guard let root else { items.append(item); continue }
                let prefix = root.split(separator: "/").map(String.init).dropFirst(common.count).joined(separator: "/")
                let path = prefix.isEmpty ? item.path : prefix + "/" + item.path
                let raw = item.pathRaw.map { Array((prefix.isEmpty ? "" : prefix + "/").utf8) + $0 }
                items.append(ExportItem(path: path, pathRaw: raw, blob: item.blob, size: item.size, key: item.key,
                                        version: item.version, capturedAt: item.capturedAt))
            }
        } else {
            items = rows.map(\.item)
        }
        items = items.filter { seen.insert([$0.path, $0.blob]).inserted }
        return items.enumerated().sorted { ($0.element.path, $0.offset) < ($1.element.path, $1.offset) }.map(\.element)
    }

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
                let rows = try db.rows(columns.replacingOccurrences(of: "e.at\n", with: "e.at, r.path\n")
                                       + " LEFT JOIN roots r ON r.id = s.root WHERE s.batch = ? AND s.meaning <> 'failed' ORDER BY s.id",
                                       [batch.id]) { (item: convert($0), root: $0.optionalText(7)) }
                return Self.laidOut(rows)
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
