import SQLite

/// The archive's own event kinds (batches, sightings, merges) turned into the derived tables
/// (batches, documents, versions, sightings, paths).
///
/// Every change goes through here, whether this copy made it or it arrived in a bundle, so the
/// visible state is always what the events say, and `rebuildDerivedState` can replay the log
/// into empty tables to prove it.

/// Row ids the caller already looked up for an event it is recording, so applying it need not
/// look them up again. They must be what the lookups by the payload's hashes and keys would give.
struct KnownRows {
    var blob: Int?
    var document: Int?
    /// The existing version the sighting names (for `unchanged`).
    var version: Int?
}

extension Archive {
    /// The handlers of the kinds this folder owns (`EventRegistry` lists every kind's).
    static let archiveEventHandlers: [EventKind: EventRegistry.Handler] = [
        .batchOpen: { try $0.applyBatchOpen($1) },
        .batchClose: { try $0.applyBatchClose($1) },
        .sightings: { try $0.applySightings($1) },
        .merge: { try $0.applyMerge($1) },
    ]

    func field(_ payload: JSON, _ name: String, _ kind: EventKind) throws -> String {
        guard let value = payload[name]?.stringValue else {
            throw QuireError(.corrupt, "\(kind.name) event lacks its '\(name)' field")
        }
        return value
    }

    /// A batch belongs to the copy that opened it: only that copy's events can close it or add
    /// sightings to it, so a peer can never write into this copy's batches.
    private func applyBatchOpen(_ event: EventLog.Applied) throws {
        let (payload, eventID, origin) = (event.payload, event.id, event.origin)
        let uuid = try field(payload, "id", .batchOpen)
        if let owner = try db.int("SELECT origin FROM batches WHERE uuid = ?", uuid) {
            guard owner == origin else {
                throw QuireError(.corrupt, "batch.open reuses batch id \(uuid), which belongs to copy \(try events.archiveID(origin: owner))")
            }
            return
        }
        try db.run("""
            INSERT INTO batches (uuid, origin, label, source, agent, host, tool, note, inputs, started_at, event)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            uuid, origin, payload["label"]?.stringValue ?? "", payload["source"]?.stringValue,
            payload["agent"]?.stringValue ?? "", payload["host"]?.stringValue ?? "", payload["tool"]?.stringValue ?? "",
            payload["note"]?.stringValue, (payload["inputs"] ?? .array([])).canonical,
            payload["started"]?.stringValue ?? "", eventID)
    }

    private func applyBatchClose(_ event: EventLog.Applied) throws {
        let row = try batchID(event.payload, field: "id", kind: .batchClose, origin: event.origin)
        try db.run("UPDATE batches SET finished_at = ? WHERE id = ?", event.payload["finished"]?.stringValue, row)
    }

    private func applySightings(_ event: EventLog.Applied) throws {
        try applySightings(batch: event.payload["batch"], items: event.payload["sightings"]?.arrayValue?.map { PreparedSighting(.value($0)) },
                           eventID: event.id, origin: event.origin, at: event.at)
    }

    /// Applies a sightings event given as its `batch` field and its `sightings` list (nil when
    /// that is not a list), each item read into its record and checked version hash
    /// (`PreparedSighting`: from the parsed payload, or made ahead on another thread by verify's
    /// replay). An item that could not be read fails where it stands in the list.
    func applySightings(batch: JSON?, items: [PreparedSighting]?, eventID: Int, origin: Int, at: String) throws {
        guard let uuid = batch?.stringValue else {
            throw QuireError(.corrupt, "\(EventKind.sightings.name) event lacks its 'batch' field")
        }
        let batch = try batchID(uuid: uuid, kind: .sightings, origin: origin)
        guard let items else {
            throw QuireError(.corrupt, "sightings event lacks its 'sightings' list")
        }
        for item in items {
            try applySighting(item.record.get(), batch: batch, eventID: eventID, at: at, versionHash: item.versionHash)
        }
    }

    private func applyMerge(_ event: EventLog.Applied) throws {
        let (eventID, at, payload) = (event.id, event.at, event.payload)
        let key = try field(payload, "key", .merge)
        let blobHash = try field(payload, "blob", .merge)
        let parents = payload["parents"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let blob = try blobs.id(hash: blobHash) else {
            throw QuireError(.corrupt, "merge of '\(key)' refers to blob \(blobHash), which is not in the archive")
        }
        _ = try applyVersion(hash: versionHash(key: key, blob: blobHash, parents: parents), document: try documentID(forKey: key),
                             blob: blob, parents: parents, at: at, eventID: eventID)
    }

    /// The row of the batch an event of `origin` names in `field`: it must be a batch that copy opened.
    func batchID(_ payload: JSON, field name: String, kind: EventKind, origin: Int) throws -> Int {
        try batchID(uuid: field(payload, name, kind), kind: kind, origin: origin)
    }

    func batchID(uuid: String, kind: EventKind, origin: Int) throws -> Int {
        guard let (batch, owner) = try db.firstRow("SELECT id, origin FROM batches WHERE uuid = ?", [uuid], { ($0.int(0), $0.int(1)) }) else {
            throw QuireError(.corrupt, "\(kind.name) refers to batch \(uuid), which is not in the archive")
        }
        guard owner == origin else {
            throw QuireError(.corrupt, "\(kind.name) refers to batch \(uuid), which belongs to copy \(try events.archiveID(origin: owner)), not to the copy that wrote the event")
        }
        return batch
    }

    /// Applies one sighting of a sightings event: finds or creates its document and version and
    /// inserts the sighting row.
    /// `versionHash`, when given, is `sighting.checkedVersionHash()` computed beforehand.
    func applySighting(_ sighting: SightingRecord, batch: Int, eventID: Int, at: String, known: KnownRows? = nil,
                       versionHash precomputed: Result<String?, any Error>? = nil) throws {
        var blobID: Int?
        var documentID: Int?
        var versionID: Int?
        if let blobHash = sighting.blob {
            guard let id = try known?.blob ?? sightingRows?.nextStoredBlob(hash: blobHash) ?? blobs.id(hash: blobHash) else {
                throw QuireError(.corrupt, "sighting refers to blob \(blobHash), which is not in the archive")
            }
            blobID = id
        }
        if let key = sighting.key {
            // A failed or pending sighting names the document it would have been, without making it.
            documentID = try known?.document ?? (sighting.meaning == .failed || sighting.meaning == .pending
                ? db.int("SELECT id FROM documents WHERE key = ?", key)
                : self.documentID(forKey: key))
        }
        if sighting.meaning == .pending, blobID != nil {
            throw QuireError(.corrupt, "a pending sighting of '\(sighting.path)' names a blob: a pending revisit has none until its payload arrives")
        }
        if let known = known?.version {
            versionID = known
        } else if let versionHash = try precomputed.map({ try $0.get() }) ?? sighting.checkedVersionHash(), let documentID, let blobID {
            versionID = try applyVersion(hash: versionHash, document: documentID, blob: blobID, parents: sighting.parents, at: at, eventID: eventID,
                                         partial: sighting.partial)
        }
        let held = sighting.meaning == .failed || sighting.meaning == .pending ? nil : sighting.bytesWereHeld.map { $0 ? 1 : 0 }
        let sightingID: Int
        if let check = sightingRows {
            sightingID = try check.add(SightingRowCheck.Row(sighting: sighting, batch: batch, blob: blobID, document: documentID,
                                                            version: versionID, event: eventID, held: held))
        } else {
            try db.run("""
                INSERT INTO sightings (batch, path, path_raw, size, mtime, blob, document, version, meaning, error, event, partial, root, held)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                batch, try pathID(sighting.path), sighting.pathRaw.flatMap(Hex.decode), sighting.size, sighting.mtime, blobID, documentID,
                versionID, sighting.meaning.rawValue, sighting.error, eventID, sighting.partial, try sighting.root.map(rootID), held)
            sightingID = db.lastInsertRowID
            for pair in sighting.meta ?? [] where pair.count == 2 {
                try db.run("INSERT INTO supplied_fields (sighting, name, value) VALUES (?, ?, ?)", sightingID, pair[0], pair[1])
            }
        }
        if let meta = sighting.meta {
            try indexWARCReferences(sighting: sightingID, meaning: sighting.meaning, blob: blobID.map { ($0, sighting.blob!) }, meta: meta)
        }
    }

    /// Records the names under which a WARC revisit may refer to this sighting's payload
    /// (`payload_references`), or, for a pending revisit, the names it refers to its payload by
    /// (`pending_references`); `WARCReferences` computes both from the supplied fields.
    private func indexWARCReferences(sighting: Int, meaning: SightingMeaning, blob: (id: Int, hash: String)?, meta: [[String]]) throws {
        if meaning == .pending {
            for reference in WARCReferences.ofRevisit(meta: meta) {
                try db.run("INSERT OR IGNORE INTO pending_references (sighting, reference) VALUES (?, ?)", sighting, reference)
            }
        } else if let blob {
            for reference in WARCReferences.ofPayload(meta: meta, blob: blob.hash) {
                try db.run("INSERT OR IGNORE INTO payload_references (reference, blob) VALUES (?, ?)", reference, blob.id)
            }
        }
    }

    /// Indexes the payload references of the sightings recorded before migration 12 (which
    /// marked the archive for it), once, when the archive is opened for writing.
    static func indexPayloadReferencesIfMarked(db: Database) throws {
        guard try db.text("SELECT value FROM archive WHERE key = 'payload_references'") != nil else { return }
        try db.inTransaction {
            let rows = try db.rows("""
                SELECT s.id, s.blob, b.hash FROM sightings s JOIN blobs b ON b.id = s.blob
                WHERE EXISTS (SELECT 1 FROM supplied_fields f WHERE f.sighting = s.id AND f.name = 'warc_type') ORDER BY s.id
                """) { ($0.int(0), $0.int(1), $0.text(2)) }
            for (sighting, blob, hash) in rows {
                let meta = try db.rows("SELECT name, value FROM supplied_fields WHERE sighting = ? ORDER BY rowid", [sighting]) { [$0.text(0), $0.text(1)] }
                for reference in WARCReferences.ofPayload(meta: meta, blob: hash) {
                    try db.run("INSERT OR IGNORE INTO payload_references (reference, blob) VALUES (?, ?)", reference, blob)
                }
            }
            try db.run("DELETE FROM archive WHERE key = 'payload_references'")
        }
    }

    /// The row of `path` in `paths`, created when the path is new.
    func pathID(_ path: String) throws -> Int {
        if let id = try db.int("SELECT id FROM paths WHERE path = ?", path) { return id }
        try db.run("INSERT INTO paths (path) VALUES (?)", path)
        return db.lastInsertRowID
    }

    /// The row of `root` in `roots`, created when the folder is new.
    func rootID(_ root: String) throws -> Int {
        if let id = try db.int("SELECT id FROM roots WHERE path = ?", root) { return id }
        try db.run("INSERT INTO roots (path) VALUES (?)", root)
        return db.lastInsertRowID
    }

    /// The document with `key`, created when it is new.
    func documentID(forKey key: String) throws -> Int {
        if let id = try db.int("SELECT id FROM documents WHERE key = ?", key) { return id }
        try db.run("INSERT INTO documents (key) VALUES (?)", key)
        return db.lastInsertRowID
    }

    /// Finds or creates the version `hash` of `document` with `blob`. A new version needs
    /// `parents` (possibly empty), each a version of the same document; an existing one must be
    /// of the same document and blob, and keeps the earliest creation time any copy reported.
    ///
    /// `partial` says why the sighting that makes the version was not a whole capture (nil: it
    /// was). A version is partial while every sighting that made it was (the smallest reason is
    /// kept), so every copy with the same events agrees.
    func applyVersion(hash: String, document: Int, blob: Int, parents: [String]?, at: String, eventID: Int, partial: String? = nil) throws -> Int {
        if let (id, createdAt, ofDocument, ofBlob, wasPartial) = try db.firstRow("SELECT id, created_at, document, blob, partial FROM versions WHERE hash = ?", [hash], {
            ($0.int(0), $0.text(1), $0.int(2), $0.int(3), $0.optionalText(4)) }) {
            guard ofDocument == document, ofBlob == blob else {
                throw QuireError(.corrupt, "version \(hash) is a version of another document or blob than the one that names it")
            }
            var changed = false
            if at < createdAt {
                try db.run("UPDATE versions SET created_at = ? WHERE id = ?", at, id)
                changed = true
            }
            // Only a sighting that makes the version (it names parents) says whether it is whole.
            if parents != nil, let wasPartial, partial == nil || partial! < wasPartial {
                try db.run("UPDATE versions SET partial = ? WHERE id = ?", partial, id)
                changed = true
            }
            if changed { try updateHead(document: document) }
            return id
        }
        guard let parents else {
            throw QuireError(.corrupt, "version \(hash) is referred to before it was recorded")
        }
        var parentIDs: [Int] = []
        for parent in parents {
            guard let (parentID, parentDocument) = try db.firstRow("SELECT id, document FROM versions WHERE hash = ?", [parent], { ($0.int(0), $0.int(1)) }) else {
                throw QuireError(.corrupt, "version \(hash) names parent \(parent), which is not in the archive")
            }
            guard parentDocument == document else {
                throw QuireError(.corrupt, "version \(hash) names parent \(parent), which is a version of another document")
            }
            parentIDs.append(parentID)
        }
        try db.run("INSERT INTO versions (hash, document, blob, created_at, event, partial) VALUES (?, ?, ?, ?, ?, ?)", hash, document, blob, at, eventID, partial)
        let id = db.lastInsertRowID
        for parentID in parentIDs {
            try db.run("INSERT OR IGNORE INTO version_parents (version, parent) VALUES (?, ?)", id, parentID)
        }
        // Two cases settle the head without the rule's scan of the document's versions (which
        // grows with its history). A document's first version is its head whatever the rule says
        // (it is the only leaf, whole or partial); a document has no head exactly while it has no
        // version, and a version with parents is never its document's first. And a new whole
        // version (a leaf: nothing names it yet) created after the current head, or over a partial
        // head, is the rule's answer: a whole head is the latest whole leaf (or, with none, the
        // latest whole version), so the new version is later than every whole leaf; a partial
        // head means there was no whole version at all.
        if parentIDs.isEmpty {
            try db.run("UPDATE documents SET head = ?2 WHERE id = ?1 AND head IS NULL", document, id)
        } else if partial == nil {
            try db.run("""
                UPDATE documents SET head = ?2 WHERE id = ?1 AND EXISTS (SELECT 1 FROM versions h WHERE h.id = documents.head
                    AND (h.partial IS NOT NULL OR h.created_at < ?3 OR (h.created_at = ?3 AND h.hash < ?4)))
                """, document, id, at, hash)
        }
        if partial != nil && !parentIDs.isEmpty || db.changes == 0 { try updateHead(document: document) }
        return id
    }

    /// Sets a document's current head: among its versions that no other version names as a parent,
    /// the one created last, ties broken by the larger version hash. A partial version (a capture
    /// with an HTTP status that is not 2xx, or truncated) never replaces a whole one: when every
    /// such leaf is partial, the head is the whole version created last, and only a document with
    /// no whole version at all has a partial head. Every copy with the same versions picks the
    /// same head.
    func updateHead(document: Int) throws {
        try db.run("""
            UPDATE documents SET head = coalesce(
                (SELECT v.id FROM versions v
                 WHERE v.document = ?1 AND v.partial IS NULL AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)
                 ORDER BY v.created_at DESC, v.hash DESC LIMIT 1),
                (SELECT v.id FROM versions v WHERE v.document = ?1 AND v.partial IS NULL
                 ORDER BY v.created_at DESC, v.hash DESC LIMIT 1),
                (SELECT v.id FROM versions v
                 WHERE v.document = ?1 AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)
                 ORDER BY v.created_at DESC, v.hash DESC LIMIT 1))
            WHERE id = ?1
            """, document)
    }
}
