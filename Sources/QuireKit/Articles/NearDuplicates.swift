/// Near-duplicate documents (`quire dupes`): syndicated copies and lightly edited rewrites of one
/// story across outlets, found by comparing word shingles.
///
/// Each document's current text becomes the set of its 4-word shingles (lowercased words), each
/// hashed to 64 bits; a bottom-k MinHash sketch keeps the 64 smallest hashes. Two documents whose
/// sketches share values are candidates; their Jaccard similarity is estimated from the sketches
/// (the share of the union's 64 smallest values found in both), and pairs at or above the
/// threshold are joined into clusters.
public struct DuplicateCluster: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let key: String
        public let blob: String
    }

    public let members: [Member]
    /// Estimated Jaccard similarity of each joined pair (indices into `members`).
    public let pairs: [(a: Int, b: Int, similarity: Double)]

    public static func == (l: DuplicateCluster, r: DuplicateCluster) -> Bool {
        l.members == r.members && l.pairs.map { "\($0.a) \($0.b) \($0.similarity)" } == r.pairs.map { "\($0.a) \($0.b) \($0.similarity)" }
    }

    /// The lowest similarity of a joined pair.
    public var similarity: Double { pairs.map(\.similarity).min() ?? 1 }

    public var json: JSON {
        ["members": .array(members.map { ["key": .string($0.key), "blob": .string($0.blob)] }),
         "similarity": .double((similarity * 1000).rounded() / 1000),
         "pairs": .array(pairs.map { ["a": .string(members[$0.a].key), "b": .string(members[$0.b].key),
                                      "similarity": .double(($0.similarity * 1000).rounded() / 1000)] })]
    }
}

/// A bottom-k MinHash sketch of a text's 4-word shingles.
struct ShingleSketch: Sendable, Equatable {
    static let k = 64
    static let shingleWords = 4
    /// The k smallest shingle hashes, ascending.
    let values: [UInt64]

    init(_ text: String) {
        var shingles = Set<UInt64>()
        Self.forEachShingle(text, width: Self.shingleWords) { shingles.insert($0) }
        values = Array(shingles.sorted().prefix(Self.k))
    }

    /// Calls `body` with the 64-bit FNV-1a hash of each word of `text` in order. Runs of ASCII
    /// letters and digits (lowercased) and of non-ASCII bytes are words; anything else separates them.
    static func forEachWord(_ text: String, _ body: (UInt64) -> Void) {
        let offset: UInt64 = 0xcbf2_9ce4_8422_2325
        var hash = offset
        var inWord = false
        for b in text.utf8 {
            let lower = b >= 65 && b <= 90 ? b + 32 : b
            if (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) || lower >= 0x80 {
                hash = (hash ^ UInt64(lower)) &* 0x100_0000_01b3
                inWord = true
            } else if inWord {
                body(hash)
                hash = offset
                inWord = false
            }
        }
        if inWord { body(hash) }
    }

    /// The keys ingest looks near-duplicates up by: the two smallest hashes of the text's 8-word
    /// shingles. Two texts share their smallest shingle hash with probability equal to their
    /// resemblance (Jaccard similarity), so a rewrite of an archived article usually shares a key
    /// with it, while long shingles keep common phrases from matching unrelated texts. They are
    /// stored (`article_near_keys`), so the shingle hash must not change.
    static func nearKeys(_ text: String) -> [UInt64] {
        var first = UInt64.max, second = UInt64.max
        forEachShingle(text, width: 8) { h in
            if h < first { second = first; first = h } else if h < second && h != first { second = h }
        }
        return [first, second].filter { $0 != .max }
    }

    /// Calls `body` with the hash of every run of `width` consecutive words of `text`, in one
    /// pass: a rolling polynomial of the word hashes (one multiply per word), finished by `mix`.
    static func forEachShingle(_ text: String, width: Int, _ body: (UInt64) -> Void) {
        let multiplier: UInt64 = 0x100_0000_01b3
        var outgoing: UInt64 = 1  // multiplier^(width - 1): the weight of the word leaving the window
        for _ in 1..<width { outgoing = outgoing &* multiplier }
        var window = [UInt64](repeating: 0, count: width)
        var words = 0
        var rolling: UInt64 = 0
        forEachWord(text) { word in
            let slot = words % width
            if words >= width { rolling = rolling &- window[slot] &* outgoing }
            rolling = rolling &* multiplier &+ word
            window[slot] = word
            words += 1
            if words >= width { body(mix(rolling)) }
        }
    }

    /// A 64-bit finalizer (SplitMix64's), so shingle hashes are spread evenly.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Estimated Jaccard similarity: of the k smallest values of the union, the share in both.
    func similarity(_ other: ShingleSketch) -> Double {
        var i = 0, j = 0, seen = 0, both = 0
        while seen < Self.k && (i < values.count || j < other.values.count) {
            if j >= other.values.count || (i < values.count && values[i] < other.values[j]) {
                i += 1
            } else if i >= values.count || other.values[j] < values[i] {
                j += 1
            } else {
                both += 1; i += 1; j += 1
            }
            seen += 1
        }
        return seen == 0 ? 0 : Double(both) / Double(seen)
    }
}

extension Archive {
    /// Clusters of documents whose current texts are near-duplicates (estimated Jaccard
    /// similarity of 4-word shingles at least `threshold`). `progress` gets documents read and the total.
    public func nearDuplicates(threshold: Double = 0.5, progress: ((Int, Int) -> Void)? = nil) throws -> [DuplicateCluster] {
        try read {
            let heads = try db.rows("""
                SELECT d.key, b.hash, b.id FROM documents d JOIN versions v ON v.id = d.head JOIN blobs b ON b.id = v.blob
                JOIN articles a ON a.blob = b.id
                WHERE a.kind <> 'none' AND \(StoredForm.holdsBytesSQL("b")) AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.blob = b.id)
                ORDER BY d.key
                """) { (key: $0.text(0), hash: $0.text(1), id: $0.int(2)) }
            var sketches: [ShingleSketch] = []
            sketches.reserveCapacity(heads.count)
            for (n, head) in heads.enumerated() {
                guard let blob = try blobs.record(id: head.id), let metadata = try extractArticle(blob) else {
                    sketches.append(ShingleSketch(""))
                    continue
                }
                sketches.append(ShingleSketch(metadata.text))
                if n % 500 == 0 { progress?(n, heads.count) }
            }
            progress?(heads.count, heads.count)

            // Candidates share sketch values; values shared by very many documents (boilerplate) are skipped.
            var postings: [UInt64: [Int32]] = [:]
            for (doc, sketch) in sketches.enumerated() {
                for value in sketch.values { postings[value, default: []].append(Int32(doc)) }
            }
            var parent = Array(0..<sketches.count)
            func root(_ x: Int) -> Int {
                var x = x
                while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
                return x
            }
            var joined: [(Int, Int, Double)] = []
            for doc in sketches.indices {
                var shared: [Int32: Int] = [:]
                for value in sketches[doc].values {
                    guard let list = postings[value], list.count <= 200 else { continue }
                    for other in list where Int(other) > doc { shared[other, default: 0] += 1 }
                }
                for (other, count) in shared where count >= 2 {
                    let s = sketches[doc].similarity(sketches[Int(other)])
                    if s >= threshold {
                        joined.append((doc, Int(other), s))
                        parent[root(Int(other))] = root(doc)
                    }
                }
            }
            var groups: [Int: [Int]] = [:]
            for (a, b, _) in joined { groups[root(a), default: []] += [a, b] }
            return groups.values.map { docs -> DuplicateCluster in
                let members = Array(Set(docs)).sorted()
                let index = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1, $0) })
                let pairs = joined.filter { index[$0.0] != nil }.map { (a: index[$0.0]!, b: index[$0.1]!, similarity: $0.2) }
                return DuplicateCluster(members: members.map { .init(key: heads[$0].key, blob: heads[$0].hash) }, pairs: pairs)
            }.sorted { $0.members[0].key < $1.members[0].key }
        }
    }
}
