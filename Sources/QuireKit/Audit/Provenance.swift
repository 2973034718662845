import Hashing
import SQLite

/// `quire provenance`: the chain of custody of a document, a blob or a path.
///
/// For each version and each sighting it says which batch saw the file (label, source, agent,
/// host, tool, time), what path, size and mtime it had and what the sighting meant, which copy
/// recorded it, and which bundles carried that record from copy to copy. The terms follow W3C
/// PROV: versions and sightings are entities, batches and imports are activities, people and
/// copies are agents (docs/provenance.md).

/// What a provenance question is about.
public enum ProvenanceSubject: Sendable, Equatable {
    case document(key: String)
    case blob(hash: String)
    case path(String)

    public var json: JSON {
        switch self {
        case .document(let key): return ["type": "document", "key": .string(key)]
        case .blob(let hash): return ["type": "blob", "hash": .string(hash)]
        case .path(let path): return ["type": "path", "path": .string(path)]
        }
    }
}

/// One bundle carrying an event from one copy into another.
public struct RouteStep: Sendable, Equatable {
    public let bundle: String
    /// The copy that wrote the bundle.
    public let from: String
    /// The copy that imported it.
    public let into: String
    public let at: String
    public let agent: String
    public let host: String

    public var json: JSON {
        ["bundle": .string(bundle), "from": .string(from), "into": .string(into), "at": .string(at), "agent": .string(agent), "host": .string(host)]
    }
}

/// Where a record was made and how it travelled: the copy that wrote the event and every import
/// of it that this copy knows of, oldest first.
public struct RecordOrigin: Sendable, Equatable {
    /// The archive id of the copy that wrote the event.
    public let archive: String
    public let seq: Int
    public let at: String
    public let route: [RouteStep]
    /// The signature that covers the record: the first signed event of its copy at or after it
    /// (a signature is over the chain tip, so it covers every earlier event of its copy), as
    /// `principal (ED25519 SHA256:…)`; nil when no signature covers it. Checked by `verify`.
    public var signedBy: String? = nil

    public var json: JSON {
        ["archive": .string(archive), "seq": .int(Int64(seq)), "at": .string(at), "route": .array(route.map(\.json)), "signed_by": JSON(signedBy)]
    }
}

/// One sighting with everything about where it came from.
public struct ProvenanceSighting: Sendable, Equatable {
    public let batch: BatchInfo
    public let path: String
    public let size: Int?
    public let mtime: String?
    /// `new`, `version`, `duplicate`, `unchanged` or `failed`.
    public let meaning: String
    public let error: String?
    public let blob: String?
    public let key: String?
    public let version: String?
    public let recorded: RecordOrigin
    /// The absolute folder `path` is relative to (nil for sightings before schema 13).
    public var root: String? = nil
    /// The path the file was read from: root and path, or the path alone when the root is unknown.
    public var fullPath: String { root.map { SightingRecord.join($0, path) } ?? path }

    public var json: JSON {
        ["batch": batch.json, "path": .string(path), "root": JSON(root), "full_path": .string(fullPath), "size": JSON(size), "mtime": JSON(mtime), "meaning": .string(meaning),
         "error": JSON(error), "blob": JSON(blob), "key": JSON(key), "version": JSON(version), "recorded": recorded.json]
    }
}

/// One version (an entity derived from its parents) and its sightings.
public struct ProvenanceVersion: Sendable, Equatable {
    /// The version as `quire log` shows it.
    public let version: VersionInfo
    /// Whether this copy serves the bytes: `held`, `quarantined` or `redacted`.
    public let custody: String
    public let recorded: RecordOrigin?
    public let sightings: [ProvenanceSighting]

    public var json: JSON {
        var object = version.json.objectValue ?? [:]
        object["custody"] = .string(custody)
        object["recorded"] = recorded?.json ?? .null
        object["sightings"] = .array(sightings.map(\.json))
        return .object(object)
    }
}

/// A copy of the archive named in a trail: its id, the local name it has here, whether it is this one.
public struct CopyInfo: Sendable, Equatable {
    public let archive: String
    public let name: String?
    public let isThis: Bool

    public var json: JSON { ["archive": .string(archive), "name": JSON(name), "this": .bool(isThis)] }
    /// A short label: the name, "this copy", or the id's first 8 digits.
    public var label: String { isThis ? "this copy" : (name ?? String(archive.prefix(8))) }
}

/// The whole answer to a provenance question.
public struct Provenance: Sendable {
    public let subject: ProvenanceSubject
    /// For a document, its versions; for a blob, the versions that carry it; for a path, the
    /// versions seen there. Each with the sightings of that version (that match the subject).
    public let versions: [ProvenanceVersion]
    /// Sightings that belong to no version (failed ones), and for a blob or a path every
    /// sighting in the order it was recorded here.
    public let sightings: [ProvenanceSighting]
    public let redactions: [RedactionRecord]
    /// Every copy named in the trail.
    public let copies: [CopyInfo]

    /// The sightings not already listed under one of `versions`.
    public var otherSightings: [ProvenanceSighting] {
        func identity(_ s: ProvenanceSighting) -> String { "\(s.recorded.archive) \(s.recorded.seq) \(s.batch.id) \(s.path)" }
        let shown = Set(versions.flatMap { $0.sightings.map(identity) })
        return sightings.filter { !shown.contains(identity($0)) }
    }

    public var json: JSON {
        ["subject": subject.json, "versions": .array(versions.map(\.json)), "sightings": .array(sightings.map(\.json)),
         "redactions": .array(redactions.map(\.json)), "copies": .array(copies.map(\.json))]
    }
}

extension Archive {
    /// Finds what `reference` names: a document key, else a hash (or unique prefix) of a blob or
    /// version, else a path some sighting had. `kind` (`key`, `hash`, `path`) forces one reading.
    public func provenanceSubject(_ reference: String, kind: String? = nil) throws -> ProvenanceSubject {
        try read {
            if kind == nil || kind == "key", try db.int("SELECT 1 FROM documents WHERE key = ?", reference) != nil {
                return .document(key: reference)
            }
            if kind == nil || kind == "hash", reference.count >= 4, SHA256Digest.isHexPrefix(reference.lowercased()) {
                do {
                    switch try resolve(reference.lowercased()) {
                    case .blob(let b): return .blob(hash: b.hash)
                    case .version(let v): return .document(key: v.key)
                    }
                } catch let error as QuireError where error.code == .ambiguous || kind == "hash" {
                    throw error
                } catch {}
            }
            if kind == nil || kind == "path", try db.int("SELECT 1 FROM paths WHERE path = ?", reference) != nil {
                return .path(reference)
            }
            let what = kind.map { ["key": "document key", "hash": "blob or version hash", "path": "path in any batch"][$0] ?? $0 }
                ?? "document key, blob or version hash, or path in any batch"
            throw QuireError(.notFound, "'\(reference)' is not a \(what) in this archive")
        }
    }

    /// The chain of custody of `subject` (see `Provenance`).
    public func provenance(_ subject: ProvenanceSubject) throws -> Provenance {
        try read {
            var trail = TrailBuilder(archive: self)
            var versions: [ProvenanceVersion] = []
            var loose: [ProvenanceSighting] = []
            var redactions: [RedactionRecord] = []
            switch subject {
            case .document(let key):
                guard let document = try db.int("SELECT id FROM documents WHERE key = ?", key) else {
                    throw QuireError(.notFound, "no document with key '\(key)'")
                }
                for v in try self.versions(document: document) {
                    versions.append(try trail.version(v, sightingsWhere: "s.version = (SELECT id FROM versions WHERE hash = ?)", [v.hash]))
                }
                loose = try trail.sightings(where: "s.document = ? AND s.version IS NULL", [document])
                for hash in Set(versions.map(\.version.blob)).sorted() { redactions += try redactionLog(blob: hash) }
            case .blob(let hash):
                guard try blobs.contains(hash: hash) else {
                    throw QuireError(.notFound, "the archive holds no blob \(hash)")
                }
                let documents = try db.rows("""
                    SELECT DISTINCT v.document FROM versions v JOIN blobs b ON b.id = v.blob WHERE b.hash = ? ORDER BY v.document
                    """, [hash]) { $0.int(0) }
                for document in documents {
                    for v in try self.versions(document: document) where v.blob == hash {
                        versions.append(try trail.version(v, sightingsWhere: "s.version = (SELECT id FROM versions WHERE hash = ?)", [v.hash]))
                    }
                }
                loose = try trail.sightings(where: "s.blob = (SELECT id FROM blobs WHERE hash = ?)", [hash])
                redactions = try redactionLog(blob: hash)
            case .path(let path):
                loose = try trail.sightings(where: "p.path = ?", [path])
                var seen = Set<String>()
                for sighting in loose {
                    guard let hash = sighting.version, seen.insert(hash).inserted,
                          let document = try db.int("SELECT document FROM versions WHERE hash = ?", hash),
                          let v = try self.versions(document: document).first(where: { $0.hash == hash }) else { continue }
                    versions.append(try trail.version(v, sightingsWhere: "s.version = (SELECT id FROM versions WHERE hash = ?) AND p.path = ?", [hash, path]))
                }
                for hash in Set(versions.map(\.version.blob)).sorted() { redactions += try redactionLog(blob: hash) }
            }
            for r in redactions { trail.note(r.archive) }
            return Provenance(subject: subject, versions: versions, sightings: loose, redactions: redactions, copies: try trail.copies())
        }
    }
}

/// Gathers the rows of a trail and the copies they name.
private struct TrailBuilder {
    let archive: Archive
    var named: [String] = []
    /// Per copy, its signed events' seqs and signers, in seq order (loaded once per copy).
    var signatures: [String: [(seq: Int, signer: String)]] = [:]
    var db: Database { archive.db }

    init(archive: Archive) { self.archive = archive }

    mutating func note(_ copy: String) {
        if !named.contains(copy) { named.append(copy) }
    }

    func copies() throws -> [CopyInfo] {
        try named.map { id in
            CopyInfo(archive: id, name: try db.text("SELECT name FROM peers WHERE archive = ?", id), isThis: id == archive.id)
        }
    }

    /// Which copy wrote event `eventID`, and every import of it known here.
    mutating func origin(event eventID: Int) throws -> RecordOrigin? {
        guard let (archiveID, seq, at) = try db.firstRow("""
            SELECT o.archive, e.seq, e.at FROM events e JOIN origins o ON o.id = e.origin WHERE e.id = ?
            """, [eventID], { ($0.text(0), $0.int(1), $0.text(2)) }) else { return nil }
        note(archiveID)
        let route = try db.rows("""
            SELECT i.bundle, i.source, i.archive, i.at, i.agent, i.host FROM import_ranges r JOIN imports i ON i.id = r.import
            WHERE r.origin = ? AND ? BETWEEN r.first AND r.last ORDER BY i.at, i.id
            """, [archiveID, seq]) {
            RouteStep(bundle: $0.text(0), from: $0.text(1), into: $0.text(2), at: $0.text(3), agent: $0.text(4), host: $0.text(5))
        }
        for step in route { note(step.from); note(step.into) }
        var origin = RecordOrigin(archive: archiveID, seq: seq, at: at, route: route)
        origin.signedBy = try signedEvents(archiveID).first { $0.seq >= seq }?.signer
        return origin
    }

    /// The signed events of copy `archiveID`, oldest first.
    mutating func signedEvents(_ archiveID: String) throws -> [(seq: Int, signer: String)] {
        if let known = signatures[archiveID] { return known }
        let kinds = SSHSignature.signedKinds.map { "'\($0.name)'" }.joined(separator: ", ")
        var found: [(seq: Int, signer: String)] = []
        try db.forEach("""
            SELECT e.seq, e.payload, e.payload_size FROM events e JOIN origins o ON o.id = e.origin
            WHERE o.archive = ? AND e.kind IN (\(kinds)) ORDER BY e.seq
            """, [archiveID]) { s in
            guard let field = (try? JSON.parse(EventPayload.bytes(s, payload: 1, size: 2)))?["signature"],
                  let principal = field["principal"]?.stringValue, let key = field["key"]?.stringValue else { return }
            found.append((s.int(0), "\(principal) (\(SSHSignature.fingerprint(publicKey: key) ?? key))"))
        }
        signatures[archiveID] = found
        return found
    }

    mutating func sightings(where condition: String, _ values: [any DatabaseValueConvertible]) throws -> [ProvenanceSighting] {
        let rows = try db.rows("""
            SELECT \(BatchInfo.columns("ba", origin: "bo")),
                   p.path, s.size, s.mtime, s.meaning, s.error, bl.hash, d.key, v.hash, s.event, r.path
            FROM sightings s JOIN paths p ON p.id = s.path LEFT JOIN roots r ON r.id = s.root JOIN batches ba ON ba.id = s.batch JOIN origins bo ON bo.id = ba.origin
            LEFT JOIN blobs bl ON bl.id = s.blob LEFT JOIN documents d ON d.id = s.document LEFT JOIN versions v ON v.id = s.version
            WHERE \(condition) ORDER BY s.id
            """, values) { s in
            (batch: BatchInfo(s), path: s.text(11), size: s.optionalInt(12), mtime: s.optionalText(13), meaning: s.text(14),
             error: s.optionalText(15), blob: s.optionalText(16), key: s.optionalText(17), version: s.optionalText(18), event: s.int(19),
             root: s.optionalText(20))
        }
        var out: [ProvenanceSighting] = []
        for r in rows {
            note(r.batch.archive)
            guard let recorded = try origin(event: r.event) else { continue }
            var sighting = ProvenanceSighting(batch: r.batch, path: r.path, size: r.size, mtime: r.mtime, meaning: r.meaning, error: r.error,
                                              blob: r.blob, key: r.key, version: r.version, recorded: recorded)
            sighting.root = r.root
            out.append(sighting)
        }
        return out
    }

    mutating func version(_ v: VersionInfo, sightingsWhere condition: String, _ values: [any DatabaseValueConvertible]) throws -> ProvenanceVersion {
        let event = try db.int("SELECT event FROM versions WHERE hash = ?", v.hash)
        let custody = try archive.blobs.record(hash: v.blob).map { try archive.custody($0).rawValue } ?? "missing"
        return ProvenanceVersion(version: v, custody: custody, recorded: try event.flatMap { try origin(event: $0) },
                                 sightings: try sightings(where: condition, values))
    }
}
