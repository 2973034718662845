import Foundation
import SQLite

/// Which documents `quire ls` lists: all, or those a batch sighted, from a source, seen since a date.
public struct DocumentFilter: Sendable, Equatable {
    /// A batch (label, id or unique id prefix): the documents it sighted.
    public var batch: String?
    /// A batch source (`ingest --source`): the documents batches from it sighted.
    public var source: String?
    /// An ISO 8601 date or time, compared as text: documents sighted at or after it.
    public var since: String?

    public init(batch: String? = nil, source: String? = nil, since: String? = nil) {
        (self.batch, self.source, self.since) = (batch, source, since)
    }

    public var isEmpty: Bool { batch == nil && source == nil && since == nil }
}

/// One document as `quire ls` lists it: its summary and its current version's title.
public struct ListedDocument: Sendable, Equatable {
    public let summary: DocumentSummary
    /// The title read from the current version (nil when none was found).
    public let title: String?

    public var json: JSON {
        var object = summary.json.objectValue ?? [:]
        object["title"] = JSON(title)
        return .object(object)
    }
}

/// One thing that happened to the archive (`quire log` without a key).
public struct HistoryEntry: Sendable, Equatable {
    /// `batch`, `import`, `redact`, `reinstate`, `purge` or `verify`.
    public let kind: String
    public let at: String
    public let agent: String
    /// What it was: a batch's label and counts, a bundle and where it came from, a blob and why.
    public let summary: String
    /// The batch id, bundle id or blob hash it concerns.
    public let subject: String

    public var json: JSON {
        ["kind": .string(kind), "at": .string(at), "agent": .string(agent), "summary": .string(summary), "subject": .string(subject)]
    }
}

extension Archive {
    /// The documents `filter` selects, ordered by key, with their titles.
    public func documents(filter: DocumentFilter) throws -> [ListedDocument] {
        let batchID = try filter.batch.map { try batchRow($0).id }
        return try read {
            var conditions: [String] = []
            var values: [any DatabaseValueConvertible] = []
            if filter.batch != nil || filter.source != nil || filter.since != nil {
                var inner = ["s.document = d.id"]
                if let batchID { inner.append("s.batch = ?"); values.append(batchID) }
                if let source = filter.source { inner.append("s.batch IN (SELECT id FROM batches WHERE source = ?)"); values.append(source) }
                if let since = filter.since { inner.append("s.event IN (SELECT id FROM events WHERE at >= ?)"); values.append(since) }
                conditions.append("EXISTS (SELECT 1 FROM sightings s WHERE " + inner.joined(separator: " AND ") + ")")
            }
            return try db.rows("""
                SELECT d.key, v.hash, b.hash, b.size,
                       (SELECT count(*) FROM versions x WHERE x.document = d.id),
                       (SELECT count(*) FROM versions x WHERE x.document = d.id
                          AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = x.id)),
                       (SELECT max(e.at) FROM versions x JOIN sightings s ON s.version = x.id JOIN events e ON e.id = s.event
                        WHERE x.document = d.id),
                       (SELECT json_extract(f.value, '$[1]') FROM articles a, json_each(a.fields) f
                        WHERE a.blob = b.id AND json_extract(f.value, '$[0]') = 'title' LIMIT 1)
                FROM documents d LEFT JOIN versions v ON v.id = d.head LEFT JOIN blobs b ON b.id = v.blob
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY d.key
                """, values) {
                ListedDocument(summary: DocumentSummary(key: $0.text(0), head: $0.optionalText(1), headBlob: $0.optionalText(2),
                                                        size: $0.optionalInt(3), versions: $0.int(4), heads: $0.int(5),
                                                        lastSeen: $0.optionalText(6)),
                               title: $0.optionalText(7))
            }
        }
    }

    /// One batch with its counts, named by label, id or unique id prefix.
    public func batch(_ reference: String) throws -> BatchSummary {
        let row = try batchRow(reference)
        guard let summary = try batches().first(where: { $0.id == row.uuid }) else {
            throw QuireError(.notFound, "no batch with label or id '\(reference)'")
        }
        return summary
    }

    /// How many sightings of a batch had bytes the archive already held (new documents and
    /// versions that stored nothing).
    public func alreadyStored(batch uuid: String) throws -> Int {
        try read {
            try db.int("""
                SELECT count(*) FROM sightings s JOIN batches b ON b.id = s.batch
                WHERE b.uuid = ? AND s.held = 1 AND s.meaning IN ('new', 'version', 'duplicate')
                """, uuid) ?? 0
        }
    }

    /// Everything that happened to the archive, newest first: batches, imports, redactions
    /// (and reinstatements, purges) and verifications, as this copy knows them.
    public func history() throws -> [HistoryEntry] {
        var entries: [HistoryEntry] = []
        for b in try batches() {
            let c = b.counts
            var counts = ["new \(c["new"] ?? 0)", "version \(c["version"] ?? 0)"]
            if let d = c["duplicate"], d > 0 { counts.append("duplicate \(d)") }
            counts += ["unchanged \(c["unchanged"] ?? 0)", "failed \(c["failed"] ?? 0)"]
            let files = "\(b.files) \(b.files == 1 ? "file" : "files")"
            entries.append(HistoryEntry(kind: "batch", at: b.startedAt, agent: b.agent,
                                        summary: "batch \(b.label): \(files), " + counts.joined(separator: ", ")
                                            + (b.finishedAt == nil ? " (unfinished)" : "") + (b.source.map { ", source \($0)" } ?? ""),
                                        subject: b.id))
        }
        try read {
            entries += try db.rows("SELECT bundle, source, at, agent FROM imports") {
                HistoryEntry(kind: "import", at: $0.text(2), agent: $0.text(3), summary: "import of bundle \(HistoryText.short($0.text(0))) from copy \($0.text(1))",
                             subject: $0.text(0))
            }
            entries += try db.rows("SELECT action, blob, at, agent, reason FROM redactions") {
                let action = $0.text(0)
                return HistoryEntry(kind: action, at: $0.text(2), agent: $0.text(3),
                                    summary: "\(action) \(HistoryText.short($0.text(1)))" + ($0.optionalText(4).map { ": \($0)" } ?? ""),
                                    subject: $0.text(1))
            }
            entries += try db.rows("SELECT mode, result, problems, at, agent, archive FROM verifications") {
                let problems = $0.int(2)
                return HistoryEntry(kind: "verify", at: $0.text(3), agent: $0.text(4),
                                    summary: "verify (\($0.text(0))): \($0.text(1))" + (problems > 0 ? ", \(problems) \(problems == 1 ? "problem" : "problems")" : ""),
                                    subject: $0.text(5))
            }
        }
        return entries.enumerated().sorted { ($0.element.at, $0.offset) > ($1.element.at, $1.offset) }.map(\.element)
    }
}

/// Short forms for summaries the library composes.
enum HistoryText {
    static func short(_ hash: String) -> String { String(hash.prefix(12)) }
}
