import SQLite

/// Finds, in the archive, the payload a WARC revisit refers to: by `WARC-Refers-To`, by
/// `WARC-Payload-Digest` (a SHA-256 is a blob's own hash; any other digest one that a payload
/// record declared), or by `WARC-Refers-To-Target-URI` with `-Date`, through the names
/// `payload_references` keeps (`WARCReferences`). Redacted blobs are passed over: a revisit
/// cannot bring their bytes back.
enum WARCArchivedPayloads {
    static func find(_ reference: WARCRevisitIndex.Reference, db: Database) throws -> (hash: String, size: Int)? {
        if let digest = reference.digest, digest.algorithm == "sha256", digest.bytes.count == 32,
           let found = try db.firstRow("SELECT hash, size FROM blobs WHERE hash = ? AND encoding <> 'redacted'", [Hex.encode(digest.bytes)], {
               (hash: $0.text(0), size: $0.int(1)) }) {
            return found
        }
        for name in WARCReferences.ofRevisit(refersTo: reference.refersTo, digest: reference.digest, targetURI: reference.targetURI, date: reference.date) {
            if let found = try db.firstRow("""
                SELECT b.hash, b.size FROM payload_references p JOIN blobs b ON b.id = p.blob
                WHERE p.reference = ? AND b.encoding <> 'redacted' ORDER BY b.hash LIMIT 1
                """, [name], { (hash: $0.text(0), size: $0.int(1)) }) {
                return found
            }
        }
        return nil
    }
}
