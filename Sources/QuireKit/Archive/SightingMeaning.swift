/// What one sighting meant for the archive: the `meaning` column of `sightings`.
public enum SightingMeaning: String, Sendable, CaseIterable, Comparable {
    /// The first version of a new document, with bytes the archive did not have.
    case new
    /// A new version of an existing document (or the bytes were already one of its versions).
    case version
    /// Bytes the archive already held under another document, now a version of this one.
    case duplicate
    /// The bytes are the document's current head (or what this path showed last time).
    case unchanged
    /// The file could not be read; the sighting records why.
    case failed
    /// A WARC revisit whose payload was neither in its batch nor in the archive when it was
    /// recorded: its facts are kept, and it links up with the payload once this copy holds it
    /// (the `pending_revisits` view).
    case pending

    public static func < (a: SightingMeaning, b: SightingMeaning) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Zero for every meaning: the shape of a batch's counts.
    public static var emptyCounts: [String: Int] { Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, 0) }) }
}
