import Hashing

/// An article's text as Quire shows and indexes it: its title; its text, tidied (what snippets,
/// `cat --text` and diff show); and what the full-text index holds, the text with the other
/// metadata fields, keyed so that copies with the same title and text share one index row
/// (`search_texts`). Made once, when the article is extracted.
struct SearchEntry: Sendable, Equatable {
    let title: String
    /// The article's text, lines tidied (`MetadataExtractor.tidy`).
    let text: String
    /// The other metadata fields' values (not the title or URL), one per line.
    let others: String
    /// SHA-256 of the title, a NUL and the body.
    let hash: [UInt8]

    /// What the index holds besides the title.
    var body: String { text + "\n" + others }

    init(fields: [MetadataField], text: String) {
        title = fields.first { $0.name == "title" }?.value ?? ""
        self.text = MetadataExtractor.tidy(text)
        others = fields.filter { $0.name != "title" && $0.name != "url" }.map(\.value).joined(separator: "\n")
        var hasher = SHA256()
        hasher.update(title.utf8)
        hasher.update([0])
        hasher.update(self.text.utf8)
        hasher.update([0x0A])
        hasher.update(others.utf8)
        hash = hasher.finalize().bytes
    }
}
