import SQLite

/// `quire report`: a one-page summary of an archive for a person: batches over time, sources,
/// the documents with most versions, forked documents, every copy with its last sync and last
/// verification, and redactions. `html` renders it as one self-contained page.
public struct AuditReport: Sendable {
    /// One day's batches.
    public struct Day: Sendable, Equatable {
        public let day: String
        public let batches: Int
        public let files: Int
        public let new: Int
        public let versions: Int
    }
    /// One source named by batches (nil: batches given no `--source`).
    public struct Source: Sendable, Equatable {
        public let name: String?
        public let batches: Int
        public let files: Int
    }
    /// A copy of the archive this one knows of.
    public struct Copy: Sendable, Equatable {
        public let info: CopyInfo
        public let events: Int
        public let lastEvent: String?
        /// The latest import into or from this copy that this copy knows of.
        public let lastSync: String?
        public let lastVerify: VerificationRecord?
    }

    public let generatedAt: String
    public let stats: ArchiveStats
    public let days: [Day]
    public let sources: [Source]
    /// Documents with the most versions (at most ten).
    public let mostVersions: [(key: String, versions: Int)]
    public let forked: [(key: String, heads: Int)]
    public let copies: [Copy]
    public let redactions: [RedactionRecord]
    public let quarantined: [String]

    public var json: JSON {
        ["generated_at": .string(generatedAt), "stats": stats.json,
         "days": .array(days.map { ["day": .string($0.day), "batches": .int(Int64($0.batches)), "files": .int(Int64($0.files)),
                                    "new": .int(Int64($0.new)), "versions": .int(Int64($0.versions))] }),
         "sources": .array(sources.map { ["source": JSON($0.name), "batches": .int(Int64($0.batches)), "files": .int(Int64($0.files))] }),
         "most_versions": .array(mostVersions.map { ["key": .string($0.key), "versions": .int(Int64($0.versions))] }),
         "forked": .array(forked.map { ["key": .string($0.key), "heads": .int(Int64($0.heads))] }),
         "copies": .array(copies.map {
             ["archive": .string($0.info.archive), "name": JSON($0.info.name), "this": .bool($0.info.isThis),
              "events": .int(Int64($0.events)), "last_event": JSON($0.lastEvent), "last_sync": JSON($0.lastSync),
              "last_verify": $0.lastVerify?.json ?? .null]
         }),
         "redactions": .array(redactions.map(\.json)), "quarantined": .array(quarantined.map { .string($0) })]
    }
}

extension Archive {
    /// Gathers the audit report (one read transaction).
    public func report() throws -> AuditReport {
        let stats = try self.stats()
        return try read {
            let days = try db.rows("""
                SELECT substr(b.started_at, 1, 10), count(DISTINCT b.id), count(s.id),
                       coalesce(sum(s.meaning = 'new'), 0), coalesce(sum(s.meaning = 'version'), 0)
                FROM batches b LEFT JOIN sightings s ON s.batch = b.id GROUP BY 1 ORDER BY 1
                """) { AuditReport.Day(day: $0.text(0), batches: $0.int(1), files: $0.int(2), new: $0.int(3), versions: $0.int(4)) }
            let sources = try db.rows("""
                SELECT b.source, count(DISTINCT b.id), count(s.id) FROM batches b LEFT JOIN sightings s ON s.batch = b.id
                GROUP BY b.source ORDER BY count(s.id) DESC, b.source
                """) { AuditReport.Source(name: $0.optionalText(0), batches: $0.int(1), files: $0.int(2)) }
            let most = try db.rows("""
                SELECT d.key, count(*) FROM versions v JOIN documents d ON d.id = v.document
                GROUP BY v.document HAVING count(*) > 1 ORDER BY count(*) DESC, d.key LIMIT 10
                """) { (key: $0.text(0), versions: $0.int(1)) }
            let forked = try db.rows("SELECT key, heads FROM forked_documents ORDER BY key") { (key: $0.text(0), heads: $0.int(1)) }
            let verifications = try verifications()
            let copies = try db.rows("""
                SELECT o.archive, p.name, count(e.id), max(e.at),
                       (SELECT max(i.at) FROM imports i WHERE i.archive = o.archive OR i.source = o.archive)
                FROM origins o LEFT JOIN peers p ON p.archive = o.archive LEFT JOIN events e ON e.origin = o.id
                GROUP BY o.id ORDER BY o.archive <> ?, o.archive
                """, [id]) { s in
                AuditReport.Copy(info: CopyInfo(archive: s.text(0), name: s.optionalText(1), isThis: s.text(0) == id), events: s.int(2),
                                 lastEvent: s.optionalText(3), lastSync: s.optionalText(4),
                                 lastVerify: verifications.last { $0.archive == s.text(0) })
            }
            return AuditReport(generatedAt: Timestamp.now(), stats: stats, days: days, sources: sources, mostVersions: most,
                               forked: forked, copies: copies, redactions: try redactionLog(), quarantined: try quarantinedBlobs())
        }
    }
}
