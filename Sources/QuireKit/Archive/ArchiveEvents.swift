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
        let batch = try batchID(event.payload, field: "batch", kind: .sightings, origin: event.origin)
        guard let items = event.payload["sightings"]?.arrayValue else {
            throw QuireError(.corrupt, "sightings event lacks its 'sightings' list")
        }
        for item in items { try applySighting(SightingRecord(json: item), batch: batch, eventID: event.id, at: event.at) }
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
        let uuid = try field(payload, name, kind)
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
    func applySighting(_ sighting: SightingRecord, batch: Int, eventID: Int, at: String, known: KnownRows? = nil) throws {
        var blobID: Int?
        var documentID: Int?
        var versionID: Int?
        if let blobHash = sighting.blob {
            guard let id = try known?.blob ?? blobs.id(hash: blobHash) else {
                throw QuireError(.corrupt, "sighting refers to blob \(blobHash), which is not in the archive")
            }
            blobID = id
        }
        if let key = sighting.key {
            documentID = try known?.document ?? (sighting.meaning == .failed
                ? db.int("SELECT id FROM documents WHERE key = ?", key)
                : self.documentID(forKey: key))
        }
        if let known = known?.version {
            versionID = known
        } else if let versionHash = try sighting.checkedVersionHash(), let documentID, let blobID {
            versionID = try applyVersion(hash: versionHash, document: documentID, blob: blobID, parents: sighting.parents, at: at, eventID: eventID)
        }
        try db.run("""
            INSERT INTO sightings (batch, path, path_raw, size, mtime, blob, document, version, meaning, error, event, root, held)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            batch, try pathID(sighting.path), sighting.pathRaw.flatMap(Hex.decode), sighting.size, sighting.mtime, blobID, documentID,
            versionID, sighting.meaning.rawValue, sighting.error, eventID, try sighting.root.map(rootID),
            sighting.meaning == .failed ? nil : sighting.bytesWereHeld.map { $0 ? 1 : 0 })
        if let meta = sighting.meta {
            let sightingID = db.lastInsertRowID
            for pair in meta where pair.count == 2 {
                try db.run("INSERT INTO supplied_fields (sighting, name, value) VALUES (?, ?, ?)", sightingID, pair[0], pair[1])
            }
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
    func applyVersion(hash: String, document: Int, blob: Int, parents: [String]?, at: String, eventID: Int) throws -> Int {
        if let (id, createdAt, ofDocument, ofBlob) = try db.firstRow("SELECT id, created_at, document, blob FROM versions WHERE hash = ?", [hash], {
            ($0.int(0), $0.text(1), $0.int(2), $0.int(3)) }) {
            guard ofDocument == document, ofBlob == blob else {
                throw QuireError(.corrupt, "version \(hash) is a version of another document or blob than the one that names it")
            }
            if at < createdAt {
                try db.run("UPDATE versions SET created_at = ? WHERE id = ?", at, id)
                try updateHead(document: document)
            }
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
        try db.run("INSERT INTO versions (hash, document, blob, created_at, event) VALUES (?, ?, ?, ?, ?)", hash, document, blob, at, eventID)
        let id = db.lastInsertRowID
        for parentID in parentIDs {
            try db.run("INSERT OR IGNORE INTO version_parents (version, parent) VALUES (?, ?)", id, parentID)
        }
        try updateHead(document: document)
        return id
    }

    /// Sets a document's current head: among its versions that no other version names as a parent,
    /// the one created last, ties broken by the larger version hash. Every copy with the same
    /// versions picks the same head.
    func updateHead(document: Int) throws {
        try db.run("""
            UPDATE documents SET head = (
                SELECT v.id FROM versions v
                WHERE v.document = ?1 AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)
                ORDER BY v.created_at DESC, v.hash DESC LIMIT 1)
            WHERE id = ?1
            """, document)
    }
}
