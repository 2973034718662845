import SQLite

/// What a PROV export covers.
public enum PROVSelection: Sendable, Equatable {
    /// The whole archive.
    case all
    /// One document (its key) and every version of it.
    case key(String)
    /// The versions one batch saw (label, id or unique id prefix), with their parents.
    case batch(String)
}

/// What a PROV export wrote.
public struct PROVReport: Sendable, Equatable {
    public var entities = 0
    public var activities = 0
    public var agents = 0
    public var relations = 0
    public init() {}

    public var json: JSON {
        ["entities": .int(Int64(entities)), "activities": .int(Int64(activities)), "agents": .int(Int64(agents)), "relations": .int(Int64(relations))]
    }
}

/// `quire export prov`: the provenance trail as W3C PROV-JSON (https://www.w3.org/submissions/prov-json/).
///
/// Entities are blobs (`blob:SHA256`) and versions (`version:HASH`); activities are batches
/// (`batch:UUID`), imports, redaction decisions and fork resolutions (`import:`, `redaction:`,
/// `resolve:`, each named by its event, `ORIGIN-SEQ`); agents are people (`person:`), hosts
/// (`host:`), tools (`tool:`) and archive copies (`copy:ID`). Relations: `wasGeneratedBy` (a
/// version by the batch or resolution that made it, a blob by the first batch that saw it),
/// `wasDerivedFrom` (a version from its parents), `wasAttributedTo` (a version to the copy that
/// recorded it and the person who ran its batch), `used` (a redaction its blob, an import the
/// versions it carried, a resolution the heads it merged) and `wasAssociatedWith` (an activity
/// with its person, host, tool and copy). Written as it is read, section by section.
extension Archive {
    /// Writes the PROV-JSON document of `selection` through `write`. `progress` gets the
    /// sections begun and their number.
    public func exportPROV(_ selection: PROVSelection, progress: ((Int, Int) -> Void)? = nil, write: (String) throws -> Void) throws -> PROVReport {
        try read {
            try withoutActuallyEscaping(write) { write in
                var writer = PROVWriter(db: db, write: write)
                writer.progress = progress
                try writer.scope(selection, archive: self)
                try writer.run()
                progress?(PROVWriter.sectionCount, PROVWriter.sectionCount)
                return writer.report
            }
        }
    }
}

/// Builds one PROV-JSON document: the scope (version rows) first, then each section in turn.
private struct PROVWriter {
    let db: Database
    let write: (String) throws -> Void
    var report = PROVReport()
    /// The versions in scope, by row id.
    var versions = Set<Int>()
    var all = true
    var agents: [String: JSON] = [:]
    var relationCount = 0
    /// Told the sections done and their number (`sectionCount`: prefix, entity, activity, agent
    /// and the five relations).
    var progress: ((Int, Int) -> Void)?
    private var sections = 0
    static let sectionCount = 9

    init(db: Database, write: @escaping (String) throws -> Void) {
        self.db = db
        self.write = write
    }

    static let prefixes: [String: String] = [
        "quire": "https://quire.invalid/ns#", "blob": "urn:sha256:", "version": "urn:quire:version:", "batch": "urn:quire:batch:",
        "import": "urn:quire:import:", "redaction": "urn:quire:redaction:", "resolve": "urn:quire:resolve:", "copy": "urn:quire:copy:",
        "person": "urn:quire:person:", "host": "urn:quire:host:", "tool": "urn:quire:tool:",
    ]

    /// `prefix:local`, the local part percent-encoded where it is not a plain name character.
    static func id(_ prefix: String, _ local: String) -> String {
        var out = ""
        for byte in local.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~@".contains(c) { out.append(c) } else { out += String(format: "%%%02X", byte) }
        }
        return "\(prefix):\(out)"
    }

    mutating func scope(_ selection: PROVSelection, archive: Archive) throws {
        switch selection {
        case .all:
            all = true
        case .key(let key):
            all = false
            guard let document = try db.int("SELECT id FROM documents WHERE key = ?", key) else {
                throw QuireError(.notFound, "no document with key '\(key)'")
            }
            try db.forEach("SELECT id FROM versions WHERE document = ?", [document]) { versions.insert($0.int(0)) }
        case .batch(let reference):
            all = false
            let batch = try archive.batchRow(reference)
            try db.forEach("""
                SELECT s.version FROM sightings s WHERE s.batch = ?1 AND s.version IS NOT NULL
                UNION SELECT vp.parent FROM sightings s JOIN version_parents vp ON vp.version = s.version WHERE s.batch = ?1
                """, [batch.id]) { versions.insert($0.int(0)) }
        }
    }

    func inScope(_ version: Int) -> Bool { all || versions.contains(version) }

    // MARK: Writing

    private var sectionOpen = false
    private var first = true

    mutating func open(_ name: String) throws {
        sections += 1
        progress?(sections - 1, Self.sectionCount)
        try write((sectionOpen ? "\n},\n" : "{\n") + JSON.string(name).canonical + ": {")
        sectionOpen = true
        first = true
    }

    mutating func item(_ id: String, _ attributes: JSON) throws {
        try write((first ? "\n" : ",\n") + JSON.string(id).canonical + ": " + attributes.canonical)
        first = false
    }

    mutating func relation(_ attributes: JSON) throws {
        relationCount += 1
        try item("_:r\(relationCount)", attributes)
    }

    mutating func agent(_ prefix: String, _ name: String, type: String) -> String {
        let id = Self.id(prefix, name)
        if agents[id] == nil { agents[id] = ["prov:type": .string(type), "prov:label": .string(name)] }
        return id
    }

    /// The blob, version, batch and activity rows, read once per section.
    mutating func run() throws {
        try open("prefix")
        for (name, uri) in Self.prefixes.sorted(by: { $0.key < $1.key }) { try item(name, .string(uri)) }

        // Entities.
        try open("entity")
        var blobs = Set<Int>()
        try db.forEach("""
            SELECT v.id, v.hash, d.key, b.hash, v.created_at, b.id, b.size FROM versions v JOIN documents d ON d.id = v.document
            JOIN blobs b ON b.id = v.blob ORDER BY v.id
            """) { s in
            guard inScope(s.int(0)) else { return }
            try item(Self.id("version", s.text(1)), ["prov:type": "quire:Version", "quire:key": .string(s.text(2)),
                                                    "quire:blob": .string(s.text(3)), "quire:created": .string(s.text(4))])
            report.entities += 1
            blobs.insert(s.int(5))
        }
        try db.forEach("SELECT id, hash, size, encoding FROM blobs ORDER BY id") { s in
            guard all || blobs.contains(s.int(0)) else { return }
            try item(Self.id("blob", s.text(1)), ["prov:type": "quire:Blob", "quire:sha256": .string(s.text(1)), "quire:size": .int(Int64(s.int(2))),
                                                 "quire:stored": .string(s.text(3) == "redacted" ? "redacted" : "held")])
            report.entities += 1
            blobs.insert(s.int(0))
        }

        // Activities, and who was associated with each.
        var associations: [(activity: String, agent: String, role: String)] = []
        try open("activity")
        var batches = Set<Int>()
        try db.forEach("SELECT DISTINCT batch, version FROM sightings WHERE version IS NOT NULL") { s in
            if inScope(s.int(1)) { batches.insert(s.int(0)) }
        }
        try db.forEach("""
            SELECT b.id, b.uuid, b.label, b.source, b.agent, b.host, b.tool, b.started_at, b.finished_at, o.archive
            FROM batches b JOIN origins o ON o.id = b.origin ORDER BY b.id
            """) { s in
            guard all || batches.contains(s.int(0)) else { return }
            let id = Self.id("batch", s.text(1))
            var attributes: [String: JSON] = ["prov:type": "quire:Batch", "prov:label": .string(s.text(2)), "prov:startTime": .string(s.text(7))]
            if let end = s.optionalText(8) { attributes["prov:endTime"] = .string(end) }
            if let source = s.optionalText(3) { attributes["quire:source"] = .string(source) }
            try item(id, .object(attributes))
            report.activities += 1
            associations += [(id, agent("person", s.text(4), type: "prov:Person"), "operator"), (id, agent("host", s.text(5), type: "quire:Host"), "host"),
                             (id, agent("tool", s.text(6), type: "prov:SoftwareAgent"), "tool"), (id, agent("copy", s.text(9), type: "quire:Copy"), "copy")]
        }
        // Resolutions (merge events) that made a version in scope.
        var resolves: [Int: String] = [:]
        try db.forEach("""
            SELECT v.id, e.id, o.archive, e.seq, e.at, e.payload, e.payload_size FROM versions v JOIN events e ON e.id = v.event
            JOIN origins o ON o.id = e.origin WHERE e.kind = 'merge' ORDER BY e.id
            """) { s in
            guard inScope(s.int(0)) else { return }
            let id = Self.id("resolve", "\(s.text(2))-\(s.int(3))")
            resolves[s.int(0)] = id
            let payload = try? JSON.parse(EventPayload.bytes(s, payload: 5, size: 6))
            try item(id, ["prov:type": "quire:Resolve", "prov:startTime": .string(s.text(4)), "prov:endTime": .string(s.text(4))])
            report.activities += 1
            associations += [(id, agent("person", payload?["agent"]?.stringValue ?? "", type: "prov:Person"), "operator"),
                             (id, agent("copy", s.text(2), type: "quire:Copy"), "copy")]
        }
        // Imports that carried a version in scope (every import for the whole archive).
        var carried: [(activity: String, version: String)] = []
        try db.forEach("""
            SELECT i.id, o.archive, e.seq, i.at, i.bundle, i.source, i.agent, i.host, i.archive FROM imports i JOIN events e ON e.id = i.event
            JOIN origins o ON o.id = e.origin ORDER BY i.id
            """) { s in
            let id = Self.id("import", "\(s.text(1))-\(s.int(2))")
            var carries: [String] = []
            try db.forEach("""
                SELECT v.id, v.hash FROM import_ranges r JOIN origins ro ON ro.archive = r.origin
                JOIN events ve ON ve.origin = ro.id AND ve.seq BETWEEN r.first AND r.last JOIN versions v ON v.event = ve.id
                WHERE r.import = ? ORDER BY v.id
                """, [s.int(0)]) { v in if inScope(v.int(0)) { carries.append(v.text(1)) } }
            guard all || !carries.isEmpty else { return }
            try item(id, ["prov:type": "quire:Import", "prov:startTime": .string(s.text(3)), "prov:endTime": .string(s.text(3)),
                          "quire:bundle": .string(s.text(4)), "quire:from": .string(Self.id("copy", s.text(5)))])
            report.activities += 1
            carried += carries.map { (id, Self.id("version", $0)) }
            associations += [(id, agent("person", s.text(6), type: "prov:Person"), "operator"), (id, agent("host", s.text(7), type: "quire:Host"), "host"),
                             (id, agent("copy", s.text(8), type: "quire:Copy"), "copy")]
            _ = agent("copy", s.text(5), type: "quire:Copy")
        }
        // Redaction decisions about a blob in scope.
        var redacted: [(activity: String, blob: String)] = []
        try db.forEach("""
            SELECT r.action, r.blob, o.archive, e.seq, r.at, r.agent, r.host, r.reason, b.id FROM redactions r JOIN events e ON e.id = r.event
            JOIN origins o ON o.id = e.origin LEFT JOIN blobs b ON b.hash = r.blob ORDER BY r.id
            """) { s in
            guard all || s.optionalInt(8).map(blobs.contains) == true else { return }
            let id = Self.id("redaction", "\(s.text(2))-\(s.int(3))")
            var attributes: [String: JSON] = ["prov:type": .string("quire:" + s.text(0).capitalized), "prov:startTime": .string(s.text(4)),
                                              "prov:endTime": .string(s.text(4))]
            if let reason = s.optionalText(7) { attributes["quire:reason"] = .string(reason) }
            try item(id, .object(attributes))
            report.activities += 1
            redacted.append((id, Self.id("blob", s.text(1))))
            associations += [(id, agent("person", s.text(5), type: "prov:Person"), "operator"), (id, agent("host", s.text(6), type: "quire:Host"), "host"),
                             (id, agent("copy", s.text(2), type: "quire:Copy"), "copy")]
        }

        try open("agent")
        for (id, attributes) in agents.sorted(by: { $0.key < $1.key }) { try item(id, attributes) }
        report.agents = agents.count

        // Relations.
        try open("wasGeneratedBy")
        try db.forEach("""
            SELECT v.id, v.hash, b.uuid, v.created_at FROM versions v LEFT JOIN sightings s ON s.version = v.id AND s.event = v.event
            LEFT JOIN batches b ON b.id = s.batch GROUP BY v.id ORDER BY v.id
            """) { s in
            guard inScope(s.int(0)), let activity = s.optionalText(2).map({ Self.id("batch", $0) }) ?? resolves[s.int(0)] else { return }
            try relation(["prov:entity": .string(Self.id("version", s.text(1))), "prov:activity": .string(activity), "prov:time": .string(s.text(3))])
        }
        try db.forEach("""
            SELECT b.id, b.hash, (SELECT x.batch FROM sightings x WHERE x.blob = b.id ORDER BY x.id LIMIT 1) FROM blobs b ORDER BY b.id
            """) { s in
            guard blobs.contains(s.int(0)), let batch = s.optionalInt(2), all || batches.contains(batch),
                  let uuid = try db.text("SELECT uuid FROM batches WHERE id = ?", batch) else { return }
            try relation(["prov:entity": .string(Self.id("blob", s.text(1))), "prov:activity": .string(Self.id("batch", uuid))])
        }
        try open("wasDerivedFrom")
        try db.forEach("SELECT vp.version, v.hash, p.hash, vp.parent FROM version_parents vp JOIN versions v ON v.id = vp.version JOIN versions p ON p.id = vp.parent ORDER BY vp.version, p.hash") { s in
            guard inScope(s.int(0)), inScope(s.int(3)) else { return }
            try relation(["prov:generatedEntity": .string(Self.id("version", s.text(1))), "prov:usedEntity": .string(Self.id("version", s.text(2)))])
        }
        try open("wasAttributedTo")
        try db.forEach("""
            SELECT v.id, v.hash, o.archive, b.agent FROM versions v JOIN events e ON e.id = v.event JOIN origins o ON o.id = e.origin
            LEFT JOIN sightings s ON s.version = v.id AND s.event = v.event LEFT JOIN batches b ON b.id = s.batch GROUP BY v.id ORDER BY v.id
            """) { s in
            guard inScope(s.int(0)) else { return }
            try relation(["prov:entity": .string(Self.id("version", s.text(1))), "prov:agent": .string(Self.id("copy", s.text(2)))])
            if let person = s.optionalText(3) {
                try relation(["prov:entity": .string(Self.id("version", s.text(1))), "prov:agent": .string(Self.id("person", person))])
            }
        }
        try open("used")
        for (activity, blob) in redacted { try relation(["prov:activity": .string(activity), "prov:entity": .string(blob)]) }
        for (activity, version) in carried { try relation(["prov:activity": .string(activity), "prov:entity": .string(version)]) }
        for (version, activity) in resolves.sorted(by: { $0.key < $1.key }) {
            try db.forEach("SELECT p.hash, p.id FROM version_parents vp JOIN versions p ON p.id = vp.parent WHERE vp.version = ? ORDER BY p.hash", [version]) { s in
                guard inScope(s.int(1)) else { return }
                try relation(["prov:activity": .string(activity), "prov:entity": .string(Self.id("version", s.text(0)))])
            }
        }
        try open("wasAssociatedWith")
        for a in associations {
            try relation(["prov:activity": .string(a.activity), "prov:agent": .string(a.agent), "prov:role": .string("quire:" + a.role)])
        }
        try write("\n}\n}\n")
        report.relations = relationCount
    }
}
