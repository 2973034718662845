import SQLite

/// `quire report`: a one-page summary of an archive for a person who has nothing else: what was
/// audited (the archive digest, this copy's last full verify and its result, the signers), every
/// batch (label, agent, host, tool, folders, id, counts, failures), batches over time, sources,
/// a drill-down into the documents with most versions and the forked ones (versions, sightings,
/// route through copies), every copy with its last sync and last verification, and redactions.
/// `html` renders it as one self-contained page; the same archive gives the same page apart from
/// its generation time.
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

    /// One batch as the report lists it.
    public struct Batch: Sendable, Equatable {
        public let info: BatchInfo
        public let files: Int, new: Int, versions: Int, duplicates: Int, unchanged: Int, failed: Int
        /// Original bytes of the files seen.
        public let bytes: Int
        /// The signature covering the batch, `principal (ED25519 SHA256:…)`.
        public let signedBy: String?
    }
    /// A file a batch could not read.
    public struct Failure: Sendable, Equatable {
        public let batch: String, path: String, error: String
    }
    /// One document's trail for the drill-down.
    public struct DocumentTrail: Sendable {
        public let key: String
        public let provenance: Provenance
    }
    /// Failures listed by name; past this, only counted.
    public static let failuresListed = 500

    public let generatedAt: String
    /// The archive's digest (`quire digest`): what this report describes.
    public let digest: String
    /// This copy's last full verification, when there was one.
    public let lastFullVerify: VerificationRecord?
    /// Every signer of a signed event, with how many events each signed.
    public let signers: [(signer: String, events: Int)]
    public let batches: [Batch]
    public let failures: [Failure]
    public let failureCount: Int
    public let trails: [DocumentTrail]
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
        ["generated_at": .string(generatedAt), "digest": .string(digest), "last_full_verify": lastFullVerify?.json ?? .null,
         "signers": .array(signers.map { ["signer": .string($0.signer), "events": .int(Int64($0.events))] }),
         "batches": .array(batches.map { b in
             var j = b.info.json.objectValue ?? [:]
             for (k, v) in [("files", b.files), ("new", b.new), ("versions", b.versions), ("duplicates", b.duplicates), ("unchanged", b.unchanged),
                            ("failed", b.failed), ("bytes", b.bytes)] { j[k] = .int(Int64(v)) }
             j["signed_by"] = JSON(b.signedBy)
             return .object(j)
         }),
         "failures": .array(failures.map { ["batch": .string($0.batch), "path": .string($0.path), "error": .string($0.error)] }),
         "failure_count": .int(Int64(failureCount)),
         "documents": .array(trails.map { ["key": .string($0.key), "provenance": $0.provenance.json] }),
         "stats": stats.json,
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
            // Signed events: per copy, the seqs signed and by whom (a signature covers every earlier event of its copy).
            var signed: [String: [(seq: Int, signer: String)]] = [:]
            let kinds = SSHSignature.signedKinds.map { "'\($0.name)'" }.joined(separator: ", ")
            try db.forEach("""
                SELECT o.archive, e.seq, e.payload, e.payload_size FROM events e JOIN origins o ON o.id = e.origin
                WHERE e.kind IN (\(kinds)) ORDER BY o.archive, e.seq
                """) { s in
                guard let field = (try? JSON.parse(EventPayload.bytes(s, payload: 2, size: 3)))?["signature"],
                      let principal = field["principal"]?.stringValue, let key = field["key"]?.stringValue else { return }
                signed[s.text(0), default: []].append((s.int(1), "\(principal) (\(SSHSignature.fingerprint(publicKey: key) ?? key))"))
            }
            var signerCounts: [String: Int] = [:]
            for list in signed.values { for entry in list { signerCounts[entry.signer, default: 0] += 1 } }
            let batches = try db.rows("""
                SELECT \(BatchInfo.columns("b", origin: "o")), count(s.id), coalesce(sum(s.meaning = 'new'), 0), coalesce(sum(s.meaning = 'version'), 0),
                       coalesce(sum(s.meaning = 'duplicate'), 0), coalesce(sum(s.meaning = 'unchanged'), 0), coalesce(sum(s.meaning = 'failed'), 0),
                       coalesce(sum(s.size), 0), coalesce((SELECT max(e.seq) FROM sightings x JOIN events e ON e.id = x.event WHERE x.batch = b.id),
                                                          (SELECT seq FROM events WHERE id = b.event))
                FROM batches b JOIN origins o ON o.id = b.origin LEFT JOIN sightings s ON s.batch = b.id GROUP BY b.id ORDER BY b.started_at, b.uuid
                """) { s in
                let info = BatchInfo(s)
                let last = s.int(18)
                return AuditReport.Batch(info: info, files: s.int(11), new: s.int(12), versions: s.int(13), duplicates: s.int(14), unchanged: s.int(15),
                                         failed: s.int(16), bytes: s.int(17), signedBy: signed[info.archive]?.first { $0.seq >= last }?.signer)
            }
            let failureCount = try db.int("SELECT count(*) FROM sightings WHERE meaning = 'failed'") ?? 0
            let failures = try db.rows("""
                SELECT b.label || ' [' || substr(b.uuid, 1, 8) || ']', p.path, coalesce(s.error, '') FROM sightings s JOIN batches b ON b.id = s.batch
                JOIN paths p ON p.id = s.path WHERE s.meaning = 'failed' ORDER BY b.started_at, b.uuid, s.id LIMIT ?
                """, [AuditReport.failuresListed]) { AuditReport.Failure(batch: $0.text(0), path: $0.text(1), error: $0.text(2)) }
            var trailKeys: [String] = []
            for key in most.map(\.key) + forked.map(\.key) where !trailKeys.contains(key) { trailKeys.append(key) }
            let trails = try trailKeys.map { AuditReport.DocumentTrail(key: $0, provenance: try provenance(.document(key: $0))) }
            return AuditReport(generatedAt: Timestamp.now(), digest: try digest(), lastFullVerify: verifications.last { $0.archive == id && $0.mode == "full" },
                               signers: signerCounts.sorted { $0.key < $1.key }.map { (signer: $0.key, events: $0.value) },
                               batches: batches, failures: failures, failureCount: failureCount, trails: trails,
                               stats: stats, days: days, sources: sources, mostVersions: most,
                               forked: forked, copies: copies, redactions: try redactionLog(), quarantined: try quarantinedBlobs())
        }
    }
}
