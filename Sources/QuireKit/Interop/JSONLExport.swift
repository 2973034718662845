/// `quire export jsonl`: one JSON line per version with its metadata and sightings, for pandas,
/// jq and friends. Each line is canonical JSON (keys sorted):
/// `{"key", "n", "version", "blob", "size", "parents", "created_at", "current", ..., "metadata":
/// {"title": ..., "author": [...], ...}, "sightings": [...]}`.
extension Archive {
    /// Calls `line` with each version's JSON line (without the newline), document by document,
    /// oldest version first. With `batch`, only the versions that batch saw; with `text`, each
    /// line has the version's main text as `"text"` (null for bytes this copy does not serve).
    /// Returns the number of lines.
    @discardableResult
    public func exportJSONL(batch: String? = nil, text: Bool = false, line: (String) throws -> Void) throws -> Int {
        let batchFilter = try batch.map { try batchRow($0) }
        let keys: [String] = try read {
            if let batchFilter {
                return try db.rows("""
                    SELECT DISTINCT d.key FROM sightings s JOIN documents d ON d.id = s.document WHERE s.batch = ? ORDER BY d.key
                    """, [batchFilter.id]) { $0.text(0) }
            }
            return try db.rows("SELECT key FROM documents ORDER BY key") { $0.text(0) }
        }
        var count = 0
        for key in keys {
            for version in try log(key: key) {
                var sightings = try self.sightings(version: version.hash)
                if let batchFilter {
                    sightings = sightings.filter { $0.batch == batchFilter.uuid }
                    if sightings.isEmpty { continue }
                }
                var object = version.json.objectValue ?? [:]
                var metadata: [String: JSON] = [:]
                for field in try articleFields(blob: version.blob).fields {
                    if field.name == "author" {
                        metadata["author"] = .array((metadata["author"]?.arrayValue ?? []) + [.string(field.value)])
                    } else if metadata[field.name] == nil {
                        metadata[field.name] = .string(field.value)
                    }
                }
                object["metadata"] = .object(metadata)
                object["custody"] = .string(try custody(blob: version.blob).rawValue)
                object["sightings"] = .array(sightings.map(\.json))
                if text { object["text"] = (try? mainText(blob: version.blob)).map(JSON.string) ?? .null }
                try line(JSON.object(object).canonical)
                count += 1
            }
        }
        return count
    }
}
