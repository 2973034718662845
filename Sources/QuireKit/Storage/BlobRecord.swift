/// A blob row's storage facts: its address, sizes, and how its bytes are kept.
struct BlobRecord: Sendable, Equatable {
    let id: Int
    let hash: String
    /// The original size in bytes.
    let size: Int
    let form: StoredForm
    /// How many bases must be read before this one (0: self-contained).
    let depth: Int
    /// Bytes in the chunks.
    let storedSize: Int

    /// The `encoding` column's text.
    var encoding: String { form.encoding }
    /// The row id of the blob whose prefix is this one's preset dictionary.
    var base: Int? { form.base }
}
