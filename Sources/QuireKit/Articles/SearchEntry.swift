import Hashing

/// What the full-text index holds for one article: its title, and its text (tidied) with the
/// other metadata fields; and the key of that text, so copies with the same title and text share
/// one index row (`search_texts`).
struct SearchEntry: Sendable, Equatable {
    let title: String
    let body: String
    /// SHA-256 of the title, a NUL and the body.
    let hash: [UInt8]

    init(fields: [MetadataField], text: String) {
        title = fields.first { $0.name == "title" }?.value ?? ""
        let others = fields.filter { $0.name != "title" && $0.name != "url" }.map(\.value)
        body = MetadataExtractor.tidy(text) + "\n" + others.joined(separator: "\n")
        hash = SHA256.hash(Array(title.utf8) + [0] + Array(body.utf8)).bytes
    }
}
