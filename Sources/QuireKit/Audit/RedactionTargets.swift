import Hashing
import SQLite

/// What a `redact` reference names: the blobs whose bytes would go, and how they were found.
public struct RedactionTargets: Sendable, Equatable {
    /// How the reference was read: `hash`, `hash prefix`, `version`, `document`, `url` or `path`.
    public let kind: String
    /// The reference as matched (the key, the normalized URL, the path).
    public let matched: String
    /// The blobs whose bytes would be deleted, with a document key each was seen as (if any).
    public let blobs: [(hash: String, key: String?)]
    /// Blobs the reference names that are already redacted here (nothing to do for them).
    public let alreadyRedacted: [String]
    /// For a hash prefix: how many hex digits were given (a short one asks for confirmation).
    public let prefixLength: Int?

    public static func == (a: Self, b: Self) -> Bool {
        a.kind == b.kind && a.matched == b.matched && a.blobs.map(\.hash) == b.blobs.map(\.hash)
            && a.blobs.map(\.key) == b.blobs.map(\.key) && a.alreadyRedacted == b.alreadyRedacted && a.prefixLength == b.prefixLength
    }

    public var json: JSON {
        ["kind": .string(kind), "matched": .string(matched),
         "blobs": .array(blobs.map { ["hash": .string($0.hash), "key": JSON($0.key)] }),
         "already_redacted": .array(alreadyRedacted.map { .string($0) })]
    }
}

extension Archive {
    /// The blobs `reference` names for a redaction, tried in this order: a whole hash (a blob);
    /// a document KEY (every version's bytes) or KEY@N (that version's); a URL (normalized as
    /// keys are: the document it keys, or every blob declaring it as canonical URL); a PATH as a
    /// sighting recorded it (relative, or the full path read from): every blob seen there; a hash
    /// prefix of at least 4 hex digits (a blob or a version; ambiguous ones are an error).
    /// Nothing is changed.
    public func redactionTargets(_ reference: String) throws -> RedactionTargets {
        try read {
            func make(_ kind: String, _ matched: String, _ rows: [(hash: String, key: String?)], prefix: Int? = nil) throws -> RedactionTargets {
                var seen = Set<String>(), live: [(hash: String, key: String?)] = [], done: [String] = []
                for row in rows where seen.insert(row.hash).inserted {
                    let form = try db.text("SELECT encoding FROM blobs WHERE hash = ?", row.hash)
                    if form == StoredForm.Name.redacted { done.append(row.hash) } else { live.append(row) }
                }
                return RedactionTargets(kind: kind, matched: matched, blobs: live, alreadyRedacted: done, prefixLength: prefix)
            }
            let lower = reference.lowercased()
            if lower.count == 64, SHA256Digest.isHexPrefix(lower), try db.int("SELECT 1 FROM blobs WHERE hash = ?", lower) != nil {
                return try make("hash", lower, [(lower, nil)])
            }
            let byDocument = """
                SELECT b.hash, d.key FROM versions v JOIN blobs b ON b.id = v.blob JOIN documents d ON d.id = v.document
                WHERE d.key = ? ORDER BY v.created_at, v.hash
                """
            let versions = try db.rows(byDocument, [reference]) { (hash: $0.text(0), key: Optional($0.text(1))) }
            if !versions.isEmpty { return try make("document", reference, versions) }
            if case .version(let v)? = try? resolve(reference), reference.contains("@") {
                return try make("version", "\(v.key)@\(v.number)", [(v.blob, v.key)])
            }
            if reference.contains("://"), let url = URLKey.normalize(reference) {
                let byKey = try db.rows(byDocument, [url]) { (hash: $0.text(0), key: Optional($0.text(1))) }
                let declared = try db.rows("SELECT b.hash FROM articles a JOIN blobs b ON b.id = a.blob WHERE a.url = ? ORDER BY b.id", [url]) {
                    (hash: $0.text(0), key: String?.none)
                }
                if !byKey.isEmpty || !declared.isEmpty { return try make("url", url, byKey + declared) }
            }
            let sighted = """
                SELECT b.hash, d.key FROM sightings s JOIN paths p ON p.id = s.path LEFT JOIN roots r ON r.id = s.root
                JOIN blobs b ON b.id = s.blob LEFT JOIN documents d ON d.id = s.document
                WHERE p.path = ?1 OR (r.path IS NOT NULL AND (CASE WHEN r.path = '/' THEN '/' || p.path ELSE r.path || '/' || p.path END) = ?1)
                ORDER BY s.id
                """
            let atPath = try db.rows(sighted, [reference]) { (hash: $0.text(0), key: $0.optionalText(1)) }
            if !atPath.isEmpty { return try make("path", reference, atPath) }
            guard lower.count >= 4, SHA256Digest.isHexPrefix(lower) else {
                throw QuireError(.notFound, "'\(reference)' names no document, version, URL or path in this archive, and it is not a hash (4 to 64 hex digits)")
            }
            let object = try resolve(lower)
            switch object {
            case .blob(let b): return try make("hash prefix", b.hash, [(b.hash, nil)], prefix: lower.count)
            case .version(let v): return try make("hash prefix", v.hash, [(v.blob, v.key)], prefix: lower.count)
            }
        }
    }
}
