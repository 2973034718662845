import SQLite

/// Finds, in the archive, the payload a WARC revisit refers to: by `WARC-Refers-To`, by
/// `WARC-Payload-Digest` (a SHA-256 is a blob's own hash; any other digest one that a payload
/// record declared), or by `WARC-Refers-To-Target-URI` with `-Date`, through the names
/// `payload_references` keeps (`WARCReferences`). Redacted blobs are passed over: a revisit
/// cannot bring their bytes back.
enum WARCArchivedPayloads {
    static func find(_ reference: WARCRevisitIndex.Reference, db: Database) throws -> WARCRevisitIndex.Target? {
        // In the order the batch's own index tries them (`WARCRevisitIndex.find`): the record id,
        // then the digest (a SHA-256 is a blob's own hash), then the capture.
        for name in WARCReferences.ofRevisit(refersTo: reference.refersTo, digest: reference.digest, targetURI: reference.targetURI, date: reference.date) {
            var found: (id: Int, hash: String, size: Int)? = nil
            if let digest = reference.digest, name == WARCReferences.digest(digest), digest.algorithm == "sha256", digest.bytes.count == 32 {
                found = try db.firstRow("SELECT id, hash, size FROM blobs WHERE hash = ? AND encoding <> 'redacted'", [Hex.encode(digest.bytes)], {
                    (id: $0.int(0), hash: $0.text(1), size: $0.int(2)) })
            }
            if found == nil {
                found = try db.firstRow("""
                    SELECT b.id, b.hash, b.size FROM payload_references p JOIN blobs b ON b.id = p.blob
                    WHERE p.reference = ? AND b.encoding <> 'redacted' ORDER BY b.hash LIMIT 1
                    """, [name], { (id: $0.int(0), hash: $0.text(1), size: $0.int(2)) })
            }
            if let found { return (found.hash, found.size, "in the archive", try digests(blob: found.id, hash: found.hash, db: db)) }
        }
        return nil
    }

    /// An archived payload's digests: its SHA-256 and those its records declared (`digest:` names).
    private static func digests(blob: Int, hash: String, db: Database) throws -> [WARCDigest] {
        var out = [WARCDigest(sha256Hex: hash)]
        // A range of the (blob, reference) index: `;` follows `:` in ASCII.
        try db.forEach("SELECT reference FROM payload_references WHERE blob = ? AND reference >= 'digest:' AND reference < 'digest;'", [blob]) { s in
            if let digest = WARCDigest(String(s.text(0).dropFirst("digest:".count))) { out.append(digest) }
        }
        return out
    }
}
