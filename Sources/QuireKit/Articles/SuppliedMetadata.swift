import Foundation

/// Metadata a scraper supplies with a batch (`ingest --meta FILE.jsonl`): one JSON object per
/// line, `{"path": ..., "url": ..., "title": ..., "author": ... | [...], "published" | "date": ...,
/// "modified": ..., "publication" | "site": ..., "language": ...}`. `path` is the file's path
/// relative to the folder ingested, as `quire` shows it. Supplied values take precedence over
/// extracted ones and are recorded as supplied.
public enum SuppliedMetadata {
    /// Reads a metadata file. A line that is not a JSON object with a `path` is an error naming
    /// the line; blank lines are skipped.
    public static func load(_ path: String) throws -> [String: [MetadataField]] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuireError(.io, "cannot read metadata file \(path)")
        }
        var out: [String: [MetadataField]] = [:]
        for (n, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: [String: JSON]
            do {
                guard let o = try JSON.parse(Array(line)).objectValue else {
                    throw QuireError(.badFile, "\(path) line \(n + 1): not a JSON object")
                }
                object = o
            } catch let error as QuireError {
                throw error
            } catch {
                throw QuireError(.badFile, "\(path) line \(n + 1): not valid JSON (\(error))")
            }
            guard let file = object["path"]?.stringValue, !file.isEmpty else {
                throw QuireError(.badFile, "\(path) line \(n + 1): no \"path\" naming the file it describes")
            }
            var fields: [MetadataField] = []
            func add(_ name: String, _ keys: [String]) {
                for key in keys {
                    guard let value = object[key] else { continue }
                    let values = value.stringValue.map { [$0] } ?? value.arrayValue?.compactMap(\.stringValue) ?? []
                    for v in values where !v.isEmpty { fields.append(MetadataField(name: name, value: v, extractor: "supplied")) }
                    return
                }
            }
            add("title", ["title", "headline"])
            add("author", ["author", "authors"])
            add("publication", ["publication", "site", "site_name"])
            add("published", ["published", "date", "datePublished"])
            add("modified", ["modified", "dateModified"])
            add("url", ["url", "canonical_url"])
            add("language", ["language", "lang"])
            out[file, default: []] += fields
        }
        return out
    }
}
