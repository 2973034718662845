/// The names under which a WARC revisit may refer to a payload, as the archive keeps them
/// (`payload_references` for payloads it holds, `pending_references` for revisits that wait for
/// theirs; docs/schema.md):
///
/// - `digest:ALG:HEX`: a `WARC-Payload-Digest`, its algorithm in lower case without dashes and
///   its bytes in lower-case hex, whatever spelling and encoding the record used;
/// - `record:ID`: a `WARC-Record-ID` without angle brackets;
/// - `capture:URI DATE`: a target URI (as `WARCEntry.targetURI` records it) and the 14 digits of a
///   `WARC-Date`.
///
/// Both sides are computed here from a sighting's supplied fields (docs/warc.md), so a copy that
/// receives the sightings events derives the same rows.
enum WARCReferences {
    static func digest(_ digest: WARCDigest) -> String { "digest:" + digest.text }

    static func record(_ id: String) -> String {
        var t = id.trimmedWhitespace
        if t.hasPrefix("<") && t.hasSuffix(">") { t = String(t.dropFirst().dropLast()) }
        return "record:" + t
    }

    static func capture(uri: String, date: String) -> String {
        "capture:" + uri + " " + String(date.unicodeScalars.filter { ("0"..."9").contains($0) }.prefix(14).map(Character.init))
    }

    /// The names of the payload a WARC sighting with a blob holds (none for a sighting that was
    /// not read from a WARC or ARC record). A declared SHA-256 equal to the blob's hash is left
    /// out: the blob's hash already says it. So is the digest of a revisit noted as naming other
    /// bytes than the original it was linked to (`WARCRevisitIndex.digestQuirk`): it is not this
    /// payload's name.
    static func ofPayload(meta: [[String]], blob: String) -> [String] {
        var values: [String: String] = [:]
        var fromWARC = false, digestDisowned = false
        for pair in meta where pair.count == 2 {
            if pair[0] == "warc_type" { fromWARC = true }
            if pair[0] == WARCRevisitIndex.originalDigestField { digestDisowned = true }
            if values[pair[0]] == nil { values[pair[0]] = pair[1] }
        }
        guard fromWARC else { return [] }
        var out: [String] = []
        if !digestDisowned, let text = values["warc_payload_digest"], let declared = WARCDigest(text), declared != WARCDigest(sha256Hex: blob) {
            out.append(digest(declared))
        }
        if let id = values["warc_record_id"], !id.trimmedWhitespace.isEmpty { out.append(record(id)) }
        if let uri = values["url"], let date = values["warc_date"], !uri.isEmpty { out.append(capture(uri: uri, date: date)) }
        return out
    }

    /// The names a pending revisit refers to its payload by, from its supplied fields.
    static func ofRevisit(meta: [[String]]) -> [String] {
        var values: [String: String] = [:]
        for pair in meta where pair.count == 2 && values[pair[0]] == nil { values[pair[0]] = pair[1] }
        return ofRevisit(refersTo: values["warc_refers_to"], digest: values["warc_payload_digest"].flatMap(WARCDigest.init),
                         targetURI: values["warc_refers_to_target_uri"].map { WARCEntry.targetURI($0) }, date: values["warc_refers_to_date"])
    }

    /// The names a revisit refers to its payload by, most specific first.
    static func ofRevisit(refersTo: String?, digest: WARCDigest?, targetURI: String?, date: String?) -> [String] {
        var out: [String] = []
        if let refersTo, !refersTo.trimmedWhitespace.isEmpty { out.append(record(refersTo)) }
        if let digest { out.append(Self.digest(digest)) }
        if let targetURI, let date, !targetURI.isEmpty { out.append(capture(uri: targetURI, date: date)) }
        return out
    }
}
