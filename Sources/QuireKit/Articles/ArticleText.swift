/// The article's main text out of the archive: what `quire cat --text`, `show --text` and
/// `export jsonl --text` print. It is derived, not stored: read from the blob's bytes each time
/// (the same bytes always give the same text), so a later, better extractor improves it
/// everywhere at once.
extension Archive {
    /// The main text of blob `hash` (`MainText` for HTML, the body of a JSON article, a plain
    /// text as it is), lines tidied. Refused, as `cat` is, for bytes this copy does not serve.
    public func mainText(blob hash: String) throws -> String {
        MetadataExtractor.extract(try blobBytes(hash: hash)).searchEntry.text
    }
}
