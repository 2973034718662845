/// Candidate values per metadata field, each with its extractor and a rank (lower wins; ties go
/// to the first found). Extractors add what they find; `resolved` keeps the best of each field.
struct FieldCandidates {
    private var candidates: [(name: String, value: String, extractor: String, rank: Int, order: Int)] = []

    /// The fields in the order `resolved` gives them.
    static let fieldOrder = ["title", "author", "publication", "published", "modified", "url", "language", "description", "section"]

    mutating func add(_ name: String, _ value: String, _ extractor: String, rank: Int) {
        let v = value.trimmedWhitespace
        guard !v.isEmpty, v.utf8.count < 4000 else { return }
        candidates.append((name, v, extractor, rank, candidates.count))
    }

    /// The best value so far of a field.
    func value(_ name: String) -> String? {
        candidates.filter { $0.name == name }.min { ($0.rank, $0.order) < ($1.rank, $1.order) }?.value
    }

    /// Every candidate value of a field, best first.
    func values(_ name: String) -> [(value: String, extractor: String, rank: Int)] {
        candidates.filter { $0.name == name }.sorted { ($0.rank, $0.order) < ($1.rank, $1.order) }.map { ($0.value, $0.extractor, $0.rank) }
    }

    /// Whether a field has any candidate.
    func has(_ name: String) -> Bool { candidates.contains { $0.name == name } }

    /// One value per field (every author of the best-ranked source), in `fieldOrder`.
    func resolved() -> [MetadataField] {
        var out: [MetadataField] = []
        for name in Self.fieldOrder {
            let mine = candidates.filter { $0.name == name }.sorted { ($0.rank, $0.order) < ($1.rank, $1.order) }
            guard let best = mine.first else { continue }
            if name == "author" {
                var seen = Set<String>()
                for c in mine where c.rank == best.rank && c.extractor == best.extractor && seen.insert(c.value.lowercased()).inserted {
                    out.append(MetadataField(name: name, value: c.value, extractor: c.extractor))
                }
            } else {
                out.append(MetadataField(name: name, value: best.value, extractor: best.extractor))
            }
        }
        return out
    }
}
