import Hashing
import SQLite

extension Archive {
    /// One SHA-256 over the archive's content: every event (origin, seq, hash), every blob (hash,
    /// size, whether its bytes are held), and every document's current head. Two copies holding
    /// the same events, blobs and heads print the same digest, whatever order they got them in.
    ///
    /// The hashed text is, line by line (`\n` after each):
    /// `quire-digest-1`; `E <origin> <seq> <hash>` for each event, by origin then seq;
    /// `B <hash> <size> held|redacted` for each blob by hash; `H <key as JSON string> <version hash>`
    /// for each document by the bytes of its key.
    public func digest() throws -> String {
        try digest(header: "quire-digest-1", eventFilter: "")
    }

    /// The content digest: like `digest()`, over the blobs and current heads, but over the
    /// content events only, leaving out the custody records of imports and verifications
    /// (`import`, `verify`). A copy that has pulled everything another holds has the same content
    /// digest at once, though its own import record makes its full digest differ until that
    /// record travels back. The hashed text starts with `quire-content-digest-1`; its `E` lines
    /// are those of `digest()` for every event whose kind is not `import` or `verify`.
    public func contentDigest() throws -> String {
        try digest(header: "quire-content-digest-1", eventFilter: "WHERE e.kind NOT IN ('import', 'verify')")
    }

    /// The hashed text of both digests: `header`, the events `eventFilter` keeps, blobs, heads.
    private func digest(header: String, eventFilter: String) throws -> String {
        try read {
            var hasher = SHA256()
            func line(_ text: String) {
                hasher.update(text.utf8)
                hasher.update([0x0A])
            }
            line(header)
            try db.forEach("SELECT o.archive, e.seq, e.hash FROM events e JOIN origins o ON o.id = e.origin \(eventFilter) ORDER BY o.archive, e.seq") {
                line("E \($0.text(0)) \($0.int(1)) \($0.text(2))")
            }
            // A blob counts as redacted once any copy's redaction of it is recorded, whether this
            // copy deleted the bytes, holds them in quarantine or reinstated them.
            try db.forEach("""
                SELECT hash, size, EXISTS (SELECT 1 FROM redactions r WHERE r.blob = blobs.hash AND r.action = 'redact')
                FROM blobs ORDER BY hash
                """) {
                line("B \($0.text(0)) \($0.int(1)) \($0.int(2) != 0 ? "redacted" : "held")")
            }
            var heads: [(key: String, head: String)] = []
            try db.forEach("SELECT d.key, v.hash FROM documents d JOIN versions v ON v.id = d.head") { heads.append(($0.text(0), $0.text(1))) }
            heads.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for h in heads {
                var key: [UInt8] = []
                JSON.writeString(h.key, to: &key)
                line("H \(String(decoding: key, as: UTF8.self)) \(h.head)")
            }
            return hasher.finalize().hex
        }
    }
}
