import SQLite

/// A document with more than one head: it changed in two copies before they synced.
public struct ForkedDocument: Sendable {
    public let key: String
    /// Its heads, oldest first; the last is the current one by the head rule.
    public let heads: [VersionInfo]

    public var json: JSON { ["key": .string(key), "heads": .array(heads.map(\.json))] }
}

extension Archive {
    /// Every forked document, by key.
    public func forkedDocuments() throws -> [ForkedDocument] {
        try read {
            let ids = try db.rows("""
                SELECT d.id, d.key FROM documents d JOIN versions v ON v.document = d.id
                WHERE NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id)
                GROUP BY d.id HAVING count(*) > 1 ORDER BY d.key
                """) { ($0.int(0), $0.text(1)) }
            return try ids.map { id, key in ForkedDocument(key: key, heads: try versions(document: id).filter(\.isHead)) }
        }
    }

    /// Resolves a forked document: records a merge version whose parents are all its heads and
    /// whose bytes are those of `reference` (N, @N, KEY@N, or a version or blob by hash prefix). The
    /// merge is an event and syncs like any other; the same resolution made in two copies is the
    /// same version.
    @discardableResult
    public func resolveFork(key: String, reference: String, note: String? = nil) throws -> VersionInfo {
        // N, @N, KEY@N or a prefix of one of its versions, as every command takes them; else any
        // blob or version of the archive (bytes of another document can settle the fork too).
        let chosen: ArchiveObject
        if let own = try? version(of: key, reference) { chosen = .version(own) } else { chosen = try resolve(reference) }
        return try write {
            guard let document = try db.int("SELECT id FROM documents WHERE key = ?", key) else {
                throw QuireError(.notFound, "no document with key '\(key)'")
            }
            let heads = try versions(document: document).filter(\.isHead).map(\.hash).sorted()
            guard heads.count > 1 else {
                throw QuireError(.refused, "'\(key)' has one head; there is no fork to resolve")
            }
            var payload: [String: JSON] = [
                "key": .string(key), "blob": .string(chosen.blobHash), "parents": .array(heads.map { .string($0) }),
                "agent": .string(Identity.defaultAgent),
            ]
            if let note { payload["note"] = .string(note) }
            try events.append(.merge, payload: .object(payload))
            let hash = versionHash(key: key, blob: chosen.blobHash, parents: heads)
            return try versions(document: document).first { $0.hash == hash }!
        }
    }
}
