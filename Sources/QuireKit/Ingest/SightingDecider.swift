import SQLite

/// The one rule for what a file's sighting means. The preparer applies it to predict, from its
/// own view of the archive and of the files it has planned but not yet committed; the commit
/// applies it again inside its transaction, from the archive as it is then.
///
/// 1. The bytes are the document's current head: `unchanged`.
/// 2. Keyed by URL, one document can be seen at several paths: a path showing the bytes it showed
///    last time is `unchanged` too (the head stays where it is).
/// 3. Otherwise the document changes: `new` (a new document) or `version` (a new version of a
///    known one). Whether the archive already held the bytes is recorded beside the meaning
///    (`held`); before schema 13 such a sighting was `duplicate` unless the bytes were already one
///    of the document's versions.
enum SightingDecider {
    /// Whether the sighting leaves the document as it is.
    enum Outcome {
        /// Rule 1 or 2; the rows when the view has them (not for files planned but uncommitted).
        case unchanged(UnchangedPrediction?)
        /// Rule 3: a new version, or a new document.
        case changes
    }

    /// Rules 1 and 2 for a file whose bytes hash to `hash`, keyed `key`, read at `path`. `head`
    /// is the blob of the document's current head (nil: no such document yet) with its rows when
    /// known; `lastSighting` what `path` showed the last time it was sighted as `key`.
    static func outcome(hash: String, key: String, path: String, head: (blob: String, rows: UnchangedPrediction?)?,
                        lastSighting: () throws -> (blob: String, rows: UnchangedPrediction)?) rethrows -> Outcome {
        guard let head else { return .changes }
        if head.blob == hash { return .unchanged(head.rows) }
        if key != path, let last = try lastSighting(), last.blob == hash { return .unchanged(last.rows) }
        return .changes
    }

    /// Rule 3: the meaning of a sighting that changes its document.
    static func meaning(documentExists: Bool) -> SightingMeaning {
        documentExists ? .version : .new
    }
}

/// The archive's answers to what `SightingDecider` asks, from a connection (the commit's, or the
/// preparer's read snapshot).
enum SightingFacts {
    /// A document's current head: its version and blob.
    struct Head {
        let version: Int
        let versionHash: String
        let blob: Int
        let blobHash: String
    }

    /// The document `key`, with its current head when it has one; nil when there is no such document.
    static func document(db: Database, key: String) throws -> (id: Int, head: Head?)? {
        try db.firstRow("""
            SELECT d.id, v.id, v.hash, b.id, b.hash FROM documents d
            LEFT JOIN versions v ON v.id = d.head LEFT JOIN blobs b ON b.id = v.blob
            WHERE d.key = ?
            """, [key]) { s in
            (s.int(0), s.optionalInt(1).map { Head(version: $0, versionHash: s.text(2), blob: s.int(3), blobHash: s.text(4)) })
        }
    }

    /// The blob hash of document `key`'s current head with the rows an `unchanged` sighting of it
    /// refers to, in the form `SightingDecider.outcome` takes; nil when there is none.
    static func head(db: Database, key: String) throws -> (blob: String, rows: UnchangedPrediction?)? {
        guard let (document, head) = try document(db: db, key: key), let head else { return nil }
        return (head.blobHash, UnchangedPrediction(document: document, version: head.version, versionHash: head.versionHash, blob: head.blob))
    }

    /// What `path` showed the last time it was sighted as document `key`: its blob and rows.
    static func lastSighting(db: Database, key: String, path: String) throws -> (blob: String, rows: UnchangedPrediction)? {
        try db.firstRow("""
            SELECT s.document, s.version, v.hash, s.blob, b.hash FROM sightings s
            JOIN documents d ON d.id = s.document JOIN versions v ON v.id = s.version JOIN blobs b ON b.id = s.blob
            WHERE s.path = (SELECT id FROM paths WHERE path = ?) AND d.key = ? ORDER BY s.id DESC LIMIT 1
            """, [path, key]) {
            ($0.text(4), UnchangedPrediction(document: $0.int(0), version: $0.int(1), versionHash: $0.text(2), blob: $0.int(3)))
        }
    }
}
