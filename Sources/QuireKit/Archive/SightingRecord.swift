/// One sighting as a `sightings` event records it. Ingest builds these, the applier turns them
/// into rows, and they are written as canonical JSON (keys in byte order, only the fields that
/// apply) straight into the event payload.
struct SightingRecord: Sendable, Equatable {
    /// The document key (absent only for an input that named nothing readable).
    var key: String?
    /// The path relative to the input; written only when it differs from the key.
    var path: String
    /// Hex of the exact name bytes, when they are not UTF-8.
    var pathRaw: String?
    var size: Int?
    var mtime: String?
    /// The blob hash (absent for a failed sighting).
    var blob: String?
    var meaning: SightingMeaning
    /// The existing version an `unchanged` sighting saw.
    var version: String?
    /// The parents of the version this sighting made (its hash follows from key, blob, parents).
    var parents: [String]?
    /// Why a failed sighting failed.
    var error: String?
    /// Metadata the scraper supplied for this file, as (name, value) pairs in the order given.
    var meta: [[String]]?
    /// Why the capture is not whole (`HTTP 404`, `truncated: length`), when it is not: the
    /// version it makes does not replace a whole one as its document's head.
    var partial: String?
    /// The absolute folder `path` is relative to (schema 13 on; absent in older sightings).
    var root: String?
    /// For a sighting that made a version (`new` or `version`): whether the archive already held
    /// its bytes (schema 13 on; absent in older sightings, whose `duplicate` meant that).
    var held: Bool?

    init(key: String?, path: String, pathRaw: String? = nil, size: Int? = nil, mtime: String? = nil, blob: String? = nil,
         meaning: SightingMeaning, version: String? = nil, parents: [String]? = nil, error: String? = nil) {
        self.key = key
        self.path = path
        self.pathRaw = pathRaw
        self.size = size
        self.mtime = mtime
        self.blob = blob
        self.meaning = meaning
        self.version = version
        self.parents = parents
        self.error = error
    }

    /// Reads one element of a `sightings` payload.
    init(json: JSON) throws {
        try self.init(field: { json[$0] })
    }

    /// Reads one element of a `sightings` payload as `JSON.parseObjectLists` gives it.
    init(_ item: JSON.Either) throws {
        try self.init(field: { item[$0] })
    }

    /// Reads one element of a `sightings` payload through `json`, which gives the value of a key.
    private init(field json: (String) -> JSON?) throws {
        guard let name = json("meaning")?.stringValue else {
            throw QuireError(.corrupt, "a sighting lacks its 'meaning' field")
        }
        guard let meaning = SightingMeaning(rawValue: name) else {
            throw QuireError(.corrupt, "a sighting has the unknown meaning '\(name)'")
        }
        let key = json("key")?.stringValue
        guard let path = json("path")?.stringValue ?? key else {
            throw QuireError(.corrupt, "a sighting has neither 'path' nor 'key'")
        }
        var parents: [String]? = nil
        if let list = json("parents") {
            guard let array = list.arrayValue else { throw QuireError(.corrupt, "a sighting's 'parents' is not a list") }
            parents = try array.map {
                guard let s = $0.stringValue else { throw QuireError(.corrupt, "a sighting's parent is not a string") }
                return s
            }
        }
        self.init(key: key, path: path, pathRaw: json("path_raw")?.stringValue, size: json("size")?.intValue,
                  mtime: json("mtime")?.stringValue, blob: json("blob")?.stringValue, meaning: meaning,
                  version: json("version")?.stringValue, parents: parents, error: json("error")?.stringValue)
        partial = json("partial")?.stringValue
        meta = json("meta")?.arrayValue?.compactMap { pair in
            guard let p = pair.arrayValue, p.count == 2, let name = p[0].stringValue, let value = p[1].stringValue else { return nil }
            return [name, value]
        }
        root = json("root")?.stringValue
        if case .bool(let b)? = json("held") { held = b }
    }

    /// Whether the bytes were already stored, as far as the record says: its `held` field, else
    /// what its meaning implied before schema 13 (`duplicate`: yes; `new`: no).
    var bytesWereHeld: Bool? {
        if let held { return held }
        switch meaning {
        case .duplicate, .unchanged: return true
        case .new: return false
        case .version, .failed, .pending: return nil
        }
    }

    /// The full path read from: root and path (just the path for sightings before schema 13).
    var fullPath: String { root.map { SightingRecord.join($0, path) } ?? path }

    /// `root` and `path` joined by one `/`.
    static func join(_ root: String, _ path: String) -> String {
        root.hasSuffix("/") ? root + path : root + "/" + path
    }

    /// The hash of the version this sighting refers to: the one it names, or the one it made.
    var versionHash: String? {
        if let version { return version }
        if let parents, let key, let blob { return QuireKit.versionHash(key: key, blob: blob, parents: parents) }
        return nil
    }

    /// `versionHash`, checked: a sighting that made a version (it has parents) and also names
    /// one must name the very version its key, blob and parents make.
    func checkedVersionHash() throws -> String? {
        if let version, let parents, let key, let blob, QuireKit.versionHash(key: key, blob: blob, parents: parents) != version {
            throw QuireError(.corrupt, "a sighting names version \(version), but its key, blob and parents make another")
        }
        return versionHash
    }

    /// Appends the canonical JSON object to `out`. Keys in byte order: blob, error, held, key,
    /// meaning, meta, mtime, parents, partial, path, path_raw, root, size, version.
    func writeCanonical(to out: inout [UInt8]) {
        var first = true
        func field(_ name: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            field(name)
            JSON.writeString(value, to: &out)
        }
        string("blob", blob)
        string("error", error)
        if let held {
            field("held")
            out.append(contentsOf: Array((held ? "true" : "false").utf8))
        }
        string("key", key)
        string("meaning", meaning.rawValue)
        if let meta {
            field("meta")
            out.append(UInt8(ascii: "["))
            for (i, pair) in meta.enumerated() {
                out.append(contentsOf: Array((i > 0 ? ",[" : "[").utf8))
                JSON.writeString(pair[0], to: &out)
                out.append(UInt8(ascii: ","))
                JSON.writeString(pair[1], to: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
        string("mtime", mtime)
        if let parents {
            field("parents")
            out.append(UInt8(ascii: "["))
            for (i, p) in parents.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSON.writeString(p, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        string("partial", partial)
        if path != key { string("path", path) }
        string("path_raw", pathRaw)
        string("root", root)
        if let size {
            field("size")
            out.append(contentsOf: String(size).utf8)
        }
        string("version", version)
        out.append(UInt8(ascii: "}"))
    }

    /// The record as a JSON value (the same text as `writeCanonical` when made canonical).
    var json: JSON {
        var fields: [String: JSON] = ["meaning": .string(meaning.rawValue)]
        if let key { fields["key"] = .string(key) }
        if path != key { fields["path"] = .string(path) }
        if let pathRaw { fields["path_raw"] = .string(pathRaw) }
        if let size { fields["size"] = .int(Int64(size)) }
        if let mtime { fields["mtime"] = .string(mtime) }
        if let blob { fields["blob"] = .string(blob) }
        if let version { fields["version"] = .string(version) }
        if let parents { fields["parents"] = .array(parents.map { .string($0) }) }
        if let error { fields["error"] = .string(error) }
        if let meta { fields["meta"] = .array(meta.map { .array($0.map { .string($0) }) }) }
        if let partial { fields["partial"] = .string(partial) }
        if let root { fields["root"] = .string(root) }
        if let held { fields["held"] = .bool(held) }
        return .object(fields)
    }
}

extension SightingRecord {
    /// The canonical payload of a `sightings` event: `{"batch":…,"sightings":[…]}` from records
    /// already rendered with `writeCanonical`.
    static func eventPayload(batch: String, rendered items: [[UInt8]]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(64) { $0 + $1.count + 1 })
        out.append(contentsOf: Array("{\"batch\":".utf8))
        JSON.writeString(batch, to: &out)
        out.append(contentsOf: Array(",\"sightings\":[".utf8))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(contentsOf: [UInt8(ascii: "]"), UInt8(ascii: "}")])
        return String(decoding: out, as: UTF8.self)
    }
}

/// One item of a sightings event read ahead of its application: its record and its checked
/// version hash, or the error either gave (thrown when the item is applied, where it stands).
struct PreparedSighting: @unchecked Sendable {
    let record: Result<SightingRecord, any Error>
    let versionHash: Result<String?, any Error>

    init(_ item: JSON.Either) {
        record = Result { try SightingRecord(item) }
        versionHash = record.flatMap { record in Result { try record.checkedVersionHash() } }
    }
}
