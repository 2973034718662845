import SQLite

/// Chooses what each new blob of an ingest is stored against: the candidate bases it is encoded
/// as a delta against (`BlobEncoding.best` keeps the smallest form, a delta or the bytes on their
/// own), and `BlobStore.put` checks the chosen base again at commit.
///
/// - A new version: the document's previous version (from this ingest, or the archive).
/// - A new document: its near-duplicates found through the near-duplicate keys (a syndicated
///   copy, a light rewrite), archived or planned earlier in this ingest, the ones sharing most
///   keys first and the most recent among them, however many blobs share a key; and a recent new
///   file of the same kind from the same place (the same site's page template, the same feed's
///   layout).
///
/// It remembers what the chunks planned but not yet committed will add (`Overlay`), so a file
/// can build on an earlier file of the same ingest. The bytes of archived bases are read later,
/// on all cores (`ChunkPreparer.encodeAll`).
struct CompressionBases {
    /// A candidate base: the bytes of a blob this ingest will add, or an archived blob's hash.
    enum Candidate {
        case pending(hash: String, bytes: [UInt8])
        case archived(hash: String)

        var hash: String {
            switch self {
            case .pending(let hash, _), .archived(let hash): return hash
            }
        }
    }

    /// What a prepared but maybe uncommitted chunk will add.
    struct Overlay {
        let index: Int
        /// New blobs: their bytes (while the chunk is planned, and small enough to hold; then they
        /// are in `recent`) and the depth they will have at most.
        var newBlobs: [String: (bytes: [UInt8]?, depth: Int)] = [:]
        /// The latest blob planned per document key.
        var latest: [String: String] = [:]
        /// For each sibling group (see `siblingGroup`), the latest new blob: new documents' template.
        var siblings: [String: String] = [:]
        /// The near-duplicate keys of new blobs (see `ShingleSketch.nearKeys`), the latest blob per key.
        var nearKeys: [UInt64: String] = [:]
    }

    /// Overlays of chunks not known to be committed, oldest first, and the one being planned.
    private var overlays: [Overlay] = []
    private(set) var current = Overlay(index: -1)
    /// The bytes of blobs this ingest added recently (planned by an earlier chunk, committed or
    /// not), so the next captures of a story build on them without reading them back from the archive.
    /// 24 MiB: the bases a day of captures builds on (a day of the re-scrapes is 16 MB). 64 MiB
    /// kept ingest's peak memory above 150 MB on BBC x20, and 52 MiB into an archive of a
    /// million articles (171 MB), where the SQLite caches are full; 32 MiB left 3 MB to spare there.
    private var recent = RecentBlobs(budget: 24 << 20)

    /// How many near-duplicates, at most, a new document is tried against.
    static let nearCandidates = 3
    /// How many of the most recent blobs holding one near-duplicate key are looked at.
    static let perKey = 4

    /// Starts planning chunk `index`, forgetting overlays of chunks committed through `committed`.
    /// The new bytes of the chunk planned before go to `recent` at once, committed or not: they
    /// serve as bases from there, and the bytes held stay within its budget however many chunks
    /// a transaction holds (with overlays holding them, an ingest's peak grew by a transaction's
    /// worth, 16 MiB, and passed 150 MB into an archive of a million articles).
    mutating func begin(chunk index: Int, committed: Int) {
        if current.index >= 0 {
            var planned = current
            for (hash, blob) in current.newBlobs {
                // A blob too large for the cache keeps its bytes in the overlay until its commit.
                guard let bytes = blob.bytes, recent.put(hash, bytes, depth: blob.depth) else { continue }
                planned.newBlobs[hash] = (nil, blob.depth)
            }
            overlays.append(planned)
        }
        overlays.removeAll { $0.index <= committed }
        current = Overlay(index: index)
    }

    /// A new blob planned by this ingest and not yet committed (as far as the plan knows).
    func pending(_ hash: String) -> (bytes: [UInt8]?, depth: Int)? {
        if let found = current.newBlobs[hash] { return found }
        for earlier in overlays.reversed() { if let found = earlier.newBlobs[hash] { return found } }
        return nil
    }

    /// Whether this ingest planned or recently stored the blob `hash`.
    func planned(_ hash: String) -> Bool { pending(hash) != nil || recent.contains(hash) }

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
                         store: BlobStore) throws -> [Candidate] {
        guard let bytes, bytes.count <= BlobEncoding.largestDelta else {
            current.newBlobs[hash] = (nil, 0)
            return []
        }
        var bases: [Candidate] = []
        var depth = 0
        func add(_ candidateHash: String) throws {
            guard candidateHash != hash, !bases.contains(where: { $0.hash == candidateHash }) else { return }
            // An earlier chunk's blob keeps its bytes in `recent` (its overlay only says it is planned).
            let planned = pending(candidateHash)
            if let earlier = planned?.bytes != nil ? planned : recent.get(candidateHash) ?? planned {
                guard let b = earlier.bytes, earlier.depth < BlobEncoding.maxDepth else { return }
                bases.append(.pending(hash: candidateHash, bytes: b))
                depth = max(depth, earlier.depth + 1)
            } else if let record = try store.record(hash: candidateHash), BlobStore.canServeAsBase(record),
                      record.size <= BlobEncoding.largestDelta {
                bases.append(.archived(hash: candidateHash))
                depth = max(depth, record.depth + 1)
            }
        }
        if let parent {
            try add(parent)
        } else {
            for near in try nearDuplicates(of: nearKeys, store: store) { try add(near) }
            let group = Self.siblingGroup(path)
            // Siblings form stars, not chains: the group's first new blob of this ingest serves the
            // rest, so a page stored against its site's template is read with one extra step.
            if let sibling = current.siblings[group] ?? overlays.reversed().lazy.compactMap({ $0.siblings[group] }).first {
                try add(sibling)
            } else {
                current.siblings[group] = hash
            }
            for key in nearKeys { current.nearKeys[key] = hash }
        }
        current.newBlobs[hash] = (bytes, depth)
        return bases
    }

    /// Blobs planned or archived whose near-duplicate keys include some of `keys`: those sharing
    /// the most keys first, then the shallowest (a syndicated story's first copy, so its copies
    /// form a star and each is read in one step), then the most recent. Each key's lookups read
    /// only its oldest and its most recent blobs (index ranges), so the cost does not grow with
    /// the archive, however many blobs share a key.
    private func nearDuplicates(of keys: [UInt64], store: BlobStore) throws -> [String] {
        var shared: [String: (count: Int, depth: Int, recency: Int)] = [:]
        func note(_ hash: String, depth: Int, recency: Int) {
            let entry = shared[hash] ?? (0, depth, recency)
            shared[hash] = (entry.count + 1, min(entry.depth, depth), max(entry.recency, recency))
        }
        for key in keys {
            var seen = Set<String>()
            if let planned = current.nearKeys[key] ?? overlays.reversed().lazy.compactMap({ $0.nearKeys[key] }).first {
                note(planned, depth: pending(planned)?.depth ?? 0, recency: .max)
                seen.insert(planned)
            }
            for order in ["ASC LIMIT 1", "DESC LIMIT \(Self.perKey)"] {
                try store.db.forEach("""
                    SELECT b.hash, b.id, b.depth FROM article_near_keys k JOIN blobs b ON b.id = k.blob
                    WHERE k.key = ? ORDER BY k.blob \(order)
                    """, [Int64(bitPattern: key)]) { s in
                    guard seen.insert(s.text(0)).inserted else { return }
                    note(s.text(0), depth: s.int(2), recency: s.int(1))
                }
            }
        }
        return shared.sorted {
            ($0.value.count, -$0.value.depth, $0.value.recency) > ($1.value.count, -$1.value.depth, $1.value.recency)
        }.prefix(Self.nearCandidates).map(\.key)
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

/// The bytes of recently stored blobs, up to a budget, the least recently used dropped first.
struct RecentBlobs {
    let budget: Int
    private var entries: [String: (bytes: [UInt8], depth: Int, used: Int)] = [:]
    private var order: [(hash: String, used: Int)] = []
    private var start = 0
    private var clock = 0
    private var total = 0

    init(budget: Int) { self.budget = budget }

    func contains(_ hash: String) -> Bool { entries[hash] != nil }

    mutating func get(_ hash: String) -> (bytes: [UInt8]?, depth: Int)? {
        guard let entry = entries[hash] else { return nil }
        clock += 1
        entries[hash] = (entry.bytes, entry.depth, clock)
        order.append((hash, clock))
        return (entry.bytes, entry.depth)
    }

    /// Keeps `bytes` (dropping the least recently used past the budget); false when they are
    /// too large to keep (over a quarter of the budget).
    @discardableResult
    mutating func put(_ hash: String, _ bytes: [UInt8], depth: Int) -> Bool {
        guard bytes.count <= budget / 4 else { return false }
        clock += 1
        if let old = entries[hash] { total -= old.bytes.count }
        entries[hash] = (bytes, depth, clock)
        total += bytes.count
        order.append((hash, clock))
        while total > budget, start < order.count {
            let (oldest, used) = order[start]
            start += 1
            guard let entry = entries[oldest], entry.used == used else { continue }
            entries[oldest] = nil
            total -= entry.bytes.count
        }
        if start > 4096 && start * 2 > order.count {
            order.removeFirst(start)
            start = 0
        }
        return true
    }
}
