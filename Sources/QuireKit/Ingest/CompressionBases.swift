import SQLite

/// Chooses what each new blob of an ingest is compressed against: the candidate bases whose
/// first 32 KiB serve as its preset dictionary. Encoding tries each and keeps the smallest
/// (`BlobEncoding.encodeBest`), and `BlobStore.put` checks the chosen base again at commit.
///
/// - A new version: the document's previous version (from this ingest, or the archive).
/// - A new document: a recent new file of the same kind from the same place (the same site's
///   page template, the same feed's layout), and an archived or planned near-duplicate found
///   through the near-duplicate keys (a syndicated copy, a light rewrite).
///
/// It remembers what the chunks planned but not yet committed will add (`Overlay`), so a file
/// can build on an earlier file of the same ingest.
struct CompressionBases {
    /// What a prepared but maybe uncommitted chunk will add.
    struct Overlay {
        let index: Int
        /// New blobs: their first 32 KiB (while small enough to hold) and the depth they will have.
        var newBlobs: [String: (prefix: [UInt8]?, depth: Int)] = [:]
        /// The latest blob planned per document key.
        var latest: [String: String] = [:]
        /// For each sibling group (see `siblingGroup`), a self-contained new blob: new documents' dictionary.
        var siblings: [String: String] = [:]
        /// The near-duplicate keys of new blobs (see `ShingleSketch.nearKeys`).
        var nearKeys: [UInt64: String] = [:]
    }

    /// Overlays of chunks not known to be committed, oldest first, and the one being planned.
    private var overlays: [Overlay] = []
    private(set) var current = Overlay(index: -1)

    /// How many archived blobs may share a near-duplicate key before it counts as a stock phrase.
    static let commonKey = 3

    /// Starts planning chunk `index`, forgetting overlays of chunks committed through `committed`.
    mutating func begin(chunk index: Int, committed: Int) {
        if current.index >= 0 { overlays.append(current) }
        overlays.removeAll { $0.index <= committed }
        current = Overlay(index: index)
    }

    /// A new blob planned by this ingest and not yet committed (as far as the plan knows).
    func pending(_ hash: String) -> (prefix: [UInt8]?, depth: Int)? {
        if let found = current.newBlobs[hash] { return found }
        for earlier in overlays.reversed() { if let found = earlier.newBlobs[hash] { return found } }
        return nil
    }

    /// The latest blob planned for `key` by this ingest, not yet committed.
    func latest(_ key: String) -> String? {
        if let hash = current.latest[key] { return hash }
        for earlier in overlays.reversed() { if let hash = earlier.latest[key] { return hash } }
        return nil
    }

    /// Notes that `key` will change to `hash`.
    mutating func planChange(key: String, hash: String) { current.latest[key] = hash }

    /// The candidate bases for a new blob `hash` with `bytes` (nil: a large file, stored
    /// self-contained), of document `key` at `path` whose current content is `parent` (nil: a
    /// new document). Records the blob as pending.
    mutating func choose(hash: String, bytes: [UInt8]?, path: String, parent: String?, nearKeys: [UInt64],
                         store: BlobStore) throws -> [(hash: String, dictionary: [UInt8])] {
        var bases: [(hash: String, dictionary: [UInt8])] = []
        var depth = 0
        if bytes != nil, let parent {
            if let earlier = pending(parent) {
                if let prefix = earlier.prefix, earlier.depth < BlobEncoding.maxDepth {
                    bases.append((parent, prefix))
                    depth = earlier.depth + 1
                }
            } else if let record = try store.record(hash: parent), BlobStore.canServeAsBase(record) {
                bases.append((parent, try store.prefix(record)))
                depth = record.depth + 1
            }
        }
        // Such bases form stars, not chains: only a self-contained blob serves as a sibling base,
        // so a blob stored this way is read with at most one extra decompression.
        if bytes != nil, parent == nil {
            let group = Self.siblingGroup(path)
            let sibling = current.siblings[group] ?? overlays.reversed().lazy.compactMap { $0.siblings[group] }.first
            if let sibling, let earlier = pending(sibling), let prefix = earlier.prefix {
                bases.append((sibling, prefix))
                depth = earlier.depth + 1
            } else {
                current.siblings[group] = hash
            }
            if let near = try nearDuplicate(of: nearKeys, store: store) {
                bases.append((near.hash, near.prefix))
                depth = max(depth, near.depth + 1)
            }
            for key in nearKeys where current.nearKeys[key] == nil { current.nearKeys[key] = hash }
        }
        current.newBlobs[hash] = (bytes.map { Array($0.prefix(BlobEncoding.dictionarySize)) }, depth)
        return bases
    }

    /// A blob already archived or planned whose near-duplicate keys include one of `keys`, with
    /// its dictionary bytes and depth; nil when none can serve as a base.
    private func nearDuplicate(of keys: [UInt64], store: BlobStore) throws -> (hash: String, prefix: [UInt8], depth: Int)? {
        for key in keys {
            let planned = current.nearKeys[key] ?? overlays.reversed().lazy.compactMap { $0.nearKeys[key] }.first
            if let planned, let found = pending(planned), let prefix = found.prefix, found.depth < BlobEncoding.maxDepth {
                return (planned, prefix, found.depth)
            }
            // A key many blobs share is a stock phrase, not a shared story: reading a candidate
            // costs a decompression on this (serial) thread, so such keys are skipped.
            let archived = try store.db.rows("""
                SELECT b.hash, \(StoredForm.holdsBytesSQL("b")) AND b.depth < ? FROM article_near_keys k JOIN blobs b ON b.id = k.blob
                WHERE k.key = ? LIMIT \(Self.commonKey)
                """, [BlobEncoding.maxDepth, Int64(bitPattern: key)]) { (hash: $0.text(0), usable: $0.int(1) != 0) }
            if archived.count < Self.commonKey, let usable = archived.first(where: \.usable), let record = try store.record(hash: usable.hash) {
                return (usable.hash, try store.prefix(record), record.depth)
            }
        }
        return nil
    }

    /// Files likely to share boilerplate: the same first path component (the site or feed folder)
    /// and the same extension.
    static func siblingGroup(_ key: String) -> String {
        let first = key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let name = key.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { String(name[$0...]) } ?? ""
        return first + "|" + ext
    }
}
