import SQLite

/// The part of `verify` that proves the tables every reading command prints are what the events
/// say: it replays the event log into temporary tables of the same names, on a connection of its
/// own, and compares them row by row and column by column with the stored ones.
///
/// SQLite looks unqualified table names up in the `temp` schema first, so the ordinary event
/// handlers (`EventRegistry`) write into the temporary copies while they read the primary tables
/// (blobs, origins, events) from the archive. The temporary tables live in SQLite's temporary
/// file with a bounded page cache, so memory stays bounded whatever the archive's size; nothing
/// is written to the archive. The sightings and their paths, roots and supplied fields (most of
/// the rows) are the exception: `SightingRowCheck` compares each with its stored row as the
/// replay makes it, and their temporary copies stay empty.
///
/// A full check replays every event; a quick one (`verify --quick`) replays all but the
/// `sightings` and `merge` events, so it compares batches, imports, redactions, quarantine and
/// verifications in full, and checks each closed batch's counts against its sightings.
struct DerivedStateCheck {
    /// The checking connection, inside a read transaction on the archive.
    let db: Database
    let path: String
    let quick: Bool
    /// Each problem: the table and row, and what is wrong.
    private(set) var problems: [(subject: String, message: String)] = []
    /// Whether the log could not be replayed: then no table was compared.
    private(set) var replayFailed = false
    /// How many differences are named per table; past it, one problem says how many more there are.
    static let namedPerTable = 50
    /// The differences found per table by `compare`.
    private var counted = TableProblems()

    init(db: Database, path: String, quick: Bool) {
        self.db = db
        self.path = path
        self.quick = quick
    }

    /// One derived table: how a row is identified, named and traced to the event it follows from.
    struct Table {
        let name: String
        /// The columns that identify a row (`rowid` for tables without a key of their own).
        let key: [String]
        /// SQL over a row `r` of schema `S` naming the row for a person.
        let label: String
        /// SQL over a row `r` of schema `S` giving the id of the event the row follows from.
        let event: String
        /// Compared in quick mode too (its events are replayed there).
        let inQuick: Bool
        /// Compared as the replay makes its rows (`SightingRowCheck`), not written and compared after.
        var streamed: Bool { key.isEmpty }

        init(name: String, key: [String], label: String, event: String, inQuick: Bool) {
            (self.name, self.key, self.label, self.event, self.inQuick) = (name, key, label, event, inQuick)
        }

        /// A table `SightingRowCheck` compares (a full run only), which `compare` skips.
        init(streamed name: String) {
            (self.name, key, label, event, inQuick) = (name, [], "", "", false)
        }
    }

    /// The tables derived from the events (`Archive.derivedTables`), in the order they are compared.
    static let tables: [Table] = [
        Table(name: "batches", key: ["id"], label: "'batch ' || r.uuid", event: "r.event", inQuick: true),
        Table(name: "documents", key: ["id"], label: "'document ' || quote(r.key)",
              event: "coalesce((SELECT min(v.event) FROM S.versions v WHERE v.document = r.id), (SELECT min(x.event) FROM main.sightings x WHERE x.document = r.id))",
              inQuick: false),
        Table(name: "versions", key: ["id"], label: "'version ' || r.hash", event: "r.event", inQuick: false),
        Table(name: "version_parents", key: ["version", "parent"],
              label: "'version ' || coalesce((SELECT hash FROM S.versions WHERE id = r.version), r.version) || ' parent ' || coalesce((SELECT hash FROM S.versions WHERE id = r.parent), r.parent)",
              event: "(SELECT event FROM S.versions WHERE id = r.version)", inQuick: false),
        // Compared as the replay makes them (`SightingRowCheck`).
        Table(streamed: "paths"),
        Table(streamed: "roots"),
        Table(streamed: "sightings"),
        Table(streamed: "supplied_fields"),
        Table(name: "payload_references", key: ["reference", "blob"],
              label: "'payload reference ' || quote(r.reference) || ' of blob ' || coalesce((SELECT hash FROM main.blobs WHERE id = r.blob), r.blob)",
              event: "(SELECT min(x.event) FROM main.sightings x WHERE x.blob = r.blob)", inQuick: false),
        Table(name: "pending_references", key: ["sighting", "reference"],
              label: "'pending reference ' || quote(r.reference) || ' of sighting ' || r.sighting",
              event: "(SELECT event FROM main.sightings WHERE id = r.sighting)", inQuick: false),
        Table(name: "imports", key: ["id"], label: "'import ' || r.id || ' of bundle ' || r.bundle", event: "r.event", inQuick: true),
        Table(name: "import_ranges", key: ["import", "origin", "first"], label: "'range ' || r.origin || ':' || r.first || '-' || r.last || ' of import ' || r.import",
              event: "(SELECT event FROM S.imports WHERE id = r.import)", inQuick: true),
        Table(name: "redactions", key: ["id"], label: "'redaction ' || r.id || ' (' || r.action || ' ' || r.blob || ')'", event: "r.event", inQuick: true),
        Table(name: "quarantine", key: ["blob"], label: "'blob ' || coalesce((SELECT hash FROM main.blobs WHERE id = r.blob), r.blob)",
              event: "r.event", inQuick: true),
        Table(name: "verifications", key: ["id"], label: "'verification ' || r.id || ' at ' || r.at", event: "r.event", inQuick: true),
    ]

    /// Readies a checking connection, outside any transaction: temporary tables in a file with a
    /// bounded cache, and no foreign keys (the temporary tables refer to the archive's blobs and
    /// events, which SQLite's foreign keys cannot follow across schemas). No CHECK constraints
    /// either: the rows come from the handlers, and a check such as `meaning IN (...)` builds a
    /// small table on every insert; the connection only reads the archive's own tables.
    static func prepare(_ db: Database) throws {
        try db.execute("PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON; PRAGMA temp_store = FILE; PRAGMA temp.cache_size = -\(Archive.cacheKiB); PRAGMA temp.journal_mode = OFF")
    }

    /// Rebuilds and compares. Must run inside a read transaction on a connection readied by
    /// `prepare`; leaves no temporary table behind.
    mutating func run() throws {
        try makeTemporaryTables()
        defer { dropTemporaryTables() }
        do {
            let shadow = try Archive.over(db, path: path)
            if !quick { shadow.sightingRows = try SightingRowCheck(db: db, eventName: { [db] in try Self.eventName(db, $0) }) }
            try shadow.events.replayAll(skipping: quick ? [.sightings, .merge] : [])
            if let rows = shadow.sightingRows {
                try rows.finish()
                problems += rows.problems
            }
        } catch let error as QuireError {
            problem("events", "the derived tables cannot be rebuilt from the log: \(error.message)")
            replayFailed = true
            return
        }
        for table in Self.tables where (!quick || table.inQuick) && !table.streamed { try compare(table) }
        if quick { try checkBatchCounts() }
        try checkPeers()
    }

    private mutating func problem(_ subject: String, _ message: String) { problems.append((subject, message)) }

    // MARK: The temporary tables

    /// Temporary tables (and indexes) made from the stored tables' own definitions.
    private func makeTemporaryTables() throws {
        for table in Self.tables {
            guard let sql = try db.text("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", table.name) else {
                throw QuireError(.corrupt, "the archive has no \(table.name) table")
            }
            try db.execute(Self.replacingFirst("CREATE TABLE", with: "CREATE TEMP TABLE", in: sql))
            let indexes = try db.rows("SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [table.name]) {
                (name: $0.text(0), sql: $0.text(1))
            }.filter { Self.indexesReplayUses.contains($0.name) }.map(\.sql)
            for index in indexes {
                let unique = index.hasPrefix("CREATE UNIQUE INDEX")
                var rest = index.dropFirst(unique ? "CREATE UNIQUE INDEX".count : "CREATE INDEX".count).drop { $0 == " " }
                if rest.hasPrefix("IF NOT EXISTS") { rest = rest.dropFirst("IF NOT EXISTS".count).drop { $0 == " " } }
                try db.execute("CREATE \(unique ? "UNIQUE " : "")INDEX temp.\(rest)")
            }
        }
    }

    /// The stored tables' secondary indexes the replay's lookups need (a head is found by document
    /// and by parent); the others would only slow the rebuild down. Keys and unique columns are
    /// indexed by the tables themselves.
    static let indexesReplayUses: Set<String> = ["versions_document", "version_parents_parent", "payload_references_blob",
                                                  "pending_references_reference"]

    private func dropTemporaryTables() {
        for table in Self.tables { try? db.execute("DROP TABLE IF EXISTS temp.\(table.name)") }
    }

    static func replacingFirst(_ target: String, with replacement: String, in text: String) -> String {
        guard let range = text.range(of: target) else { return text }
        return text.replacingCharacters(in: range, with: replacement)
    }

    // MARK: Comparing

    /// The columns of a table, with `rowid` first when rows are identified by it.
    private func columns(_ table: Table) throws -> [String] {
        let names = try db.rows("SELECT name FROM pragma_table_info(?, 'main') ORDER BY cid", [table.name]) { $0.text(0) }
        return (table.key == ["rowid"] ? ["rowid"] : []) + names
    }

    /// Names every row the events make that is missing, every stored row no event makes, and
    /// every column that differs, each with the event the row follows from.
    private mutating func compare(_ table: Table) throws {
        let columns = try columns(table)
        let quoted = columns.map { "\"\($0)\"" }
        let join = table.key.map { "s.\($0) = r.\($0)" }.joined(separator: " AND ")
        let label = { (schema: String) in table.label.replacingOccurrences(of: "S.", with: "\(schema).") }
        let event = { (schema: String) in table.event.replacingOccurrences(of: "S.", with: "\(schema).") }
        // Rows the events make that the table lacks.
        try db.forEach("""
            SELECT \(label("temp")), \(event("temp")) FROM temp.\(table.name) r
            WHERE NOT EXISTS (SELECT 1 FROM main.\(table.name) s WHERE \(table.key.map { "s.\($0) = r.\($0)" }.joined(separator: " AND ")))
            """) { s in
            guard counted.names(table.name) else { return }
            problems.append(("\(table.name): \(s.text(0))", "missing: \(try eventName(s.optionalInt(1))) makes this row, but the table lacks it"))
        }
        // Stored rows no event makes.
        try db.forEach("""
            SELECT \(label("main")), \(event("main")) FROM main.\(table.name) r
            WHERE NOT EXISTS (SELECT 1 FROM temp.\(table.name) d WHERE \(table.key.map { "d.\($0) = r.\($0)" }.joined(separator: " AND ")))
            """) { s in
            guard counted.names(table.name) else { return }
            let claimed = s.optionalInt(1).map { " (it names \((try? eventName($0)) ?? "event \($0)"), which does not make it)" } ?? ""
            problems.append(("\(table.name): \(s.text(0))", "no event makes this row\(claimed): it was added or altered outside Quire"))
        }
        // Rows in both whose columns differ.
        let differs = quoted.map { "s.\($0) IS NOT r.\($0)" }.joined(separator: " OR ")
        let pairs = quoted.map { "s.\($0), r.\($0)" }.joined(separator: ", ")
        let statement = try db.prepare("""
            SELECT \(label("temp")), \(event("temp")), \(pairs)
            FROM main.\(table.name) s JOIN temp.\(table.name) r ON \(join) WHERE \(differs)
            """)
        while try statement.step() {
            guard counted.names(table.name) else { continue }
            var changes: [String] = []
            for (i, column) in columns.enumerated() {
                let stored = statement.value(2 + 2 * i), derived = statement.value(3 + 2 * i)
                if !Self.identical(stored, derived) { changes.append("\(column) is \(Self.show(stored)) but the events say \(Self.show(derived))") }
            }
            problems.append(("\(table.name): \(statement.text(0))",
                             "\(changes.joined(separator: "; ")) (\(try eventName(statement.optionalInt(1))))"))
        }
        problems += counted.uncounted(in: [table.name])
    }

    /// `event ORIGIN:SEQ (KIND)` for event row `id`.
    private func eventName(_ id: Int?) throws -> String { try Self.eventName(db, id) }

    static func eventName(_ db: Database, _ id: Int?) throws -> String {
        guard let id else { return "no event" }
        return try db.firstRow("SELECT o.archive, e.seq, e.kind FROM main.events e JOIN main.origins o ON o.id = e.origin WHERE e.id = ?", [id]) {
            "event \($0.text(0)):\($0.int(1)) (\($0.text(2)))"
        } ?? "event row \(id), which is not in the log"
    }

    /// Whether two values are the same, text byte for byte as SQL's `IS` compares it (Swift's
    /// `==` takes canonically equivalent strings as equal).
    static func identical(_ a: DatabaseValue, _ b: DatabaseValue) -> Bool {
        if case .text(let x) = a, case .text(let y) = b { return x.utf8.elementsEqual(y.utf8) }
        return a == b
    }

    /// A value as a problem shows it: text quoted (long text cut), NULL, numbers, blobs in hex.
    static func show(_ value: DatabaseValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let n): return String(n)
        case .real(let x): return String(x)
        case .text(let t): return "'" + (t.count > 80 ? t.prefix(80) + "…" : t) + "'"
        case .blob(let b): return "x'" + Hex.encode(Array(b.prefix(40))) + (b.count > 40 ? "…" : "") + "'"
        }
    }

    // MARK: Peers and articles

    /// What each peer is said to hold (which decides what bundles for it leave out) against the
    /// log: an event held here must have the hash the peer is said to hold for it, and no peer
    /// can hold more of this copy's own events than this copy wrote.
    private mutating func checkPeers() throws {
        let own = try db.text("SELECT value FROM main.archive WHERE key = 'archive_id'") ?? ""
        let peers = try db.rows("SELECT id, archive, known FROM main.peers ORDER BY id") { (id: $0.int(0), archive: $0.text(1), known: $0.text(2)) }
        for peer in peers {
            let subject = "peers: peer \(peer.archive)"
            if peer.archive == own { problem(subject, "this copy is listed as its own peer") }
            if peer.known == "{}" { continue }   // the column's default: nothing known of it yet (a remote named, never reached)
            guard let known = try? ArchiveState(json: JSON.parse(Array(peer.known.utf8))) else {
                problem(subject, "what it is known to hold is not a Quire state: \(Self.show(.text(peer.known)))")
                continue
            }
            for (origin, tip) in known.origins.sorted(by: { $0.key < $1.key }) {
                if let hash = try db.text("SELECT e.hash FROM main.events e JOIN main.origins o ON o.id = e.origin WHERE o.archive = ? AND e.seq = ?", origin, tip.seq) {
                    if hash != tip.hash {
                        problem(subject, "it is said to hold event \(origin):\(tip.seq) with hash \(tip.hash), but that event's hash is \(hash)")
                    }
                } else if origin == own {
                    let last = try db.int("SELECT max(seq) FROM main.events WHERE origin = (SELECT id FROM main.origins WHERE archive = ?)", own) ?? 0
                    problem(subject, "it is said to hold event \(origin):\(tip.seq) of this copy, which has written only \(last) events")
                }
            }
        }
    }

    /// The `articles` rows (read from the bytes, not from the events) against what they can be
    /// checked with without reading the bytes again: a blob without bytes has nothing read out of
    /// it, and the canonical URL is the normalized `url` field.
    /// Run by verify's primary thread (`Verifier.checkArticleRows`), beside the rebuild on the other, which is the longer.
    mutating func checkArticles() throws {
        try db.forEach("""
            SELECT b.hash, a.kind FROM main.articles a JOIN main.blobs b ON b.id = a.blob
            WHERE b.encoding = 'redacted' AND (a.kind <> 'none' OR a.fields <> '[]' OR a.url IS NOT NULL OR a.fingerprint IS NOT NULL)
            """) { s in
            problem("articles: blob \(s.text(0))", "its bytes are gone, yet its row holds metadata read from them (kind \(Self.show(s.value(1))))")
        }
        try db.forEach("SELECT b.hash, a.kind FROM main.articles a JOIN main.blobs b ON b.id = a.blob WHERE a.kind NOT IN ('html', 'json', 'text', 'none')") { s in
            problem("articles: blob \(s.text(0))", "its kind \(Self.show(s.value(1))) is not one Quire records")
        }
        try db.forEach("SELECT b.hash, a.url, a.fields FROM main.articles a JOIN main.blobs b ON b.id = a.blob WHERE a.fields <> '[]' OR a.url IS NOT NULL") { s in
            let subject = "articles: blob \(s.text(0))"
            let bytes = s.blob(2)
            var url: String? = nil
            if let plain = JSON.firstValue(named: "url", inTriples: bytes) {
                url = plain   // the usual shape, read without making a value of every string
            } else {
                guard let fields = (try? JSON.parse(bytes))?.arrayValue else {
                    problem(subject, "its fields are not a JSON list")
                    return
                }
                for field in fields {
                    guard let parts = field.arrayValue, parts.count == 3, let name = parts[0].stringValue, let value = parts[1].stringValue,
                          parts[2].stringValue != nil else {
                        problem(subject, "its fields hold \(field.canonical.prefix(80)), not [name, value, extractor]")
                        return
                    }
                    if name == "url", url == nil { url = value }
                }
            }
            let expected = url.flatMap(URLKey.normalize)
            if s.optionalText(1) != expected {
                problem(subject, "its url is \(Self.show(s.value(1))) but its url field gives \(Self.show(expected.map { .text($0) } ?? .null))")
            }
        }
    }

    // MARK: Quick mode

    /// Each closed batch's counts (its `batch.close` event) against its stored sightings.
    private mutating func checkBatchCounts() throws {
        let closes = try db.rows("""
            SELECT e.id, e.payload, e.payload_size FROM main.events e WHERE e.kind = 'batch.close'
            """) { (id: $0.int(0), payload: try EventPayload.text($0, payload: 1, size: 2)) }
        for close in closes {
            guard let payload = try? JSON.parse(Array(close.payload.utf8)), let uuid = payload["id"]?.stringValue,
                  let counts = payload["counts"]?.objectValue else { continue }
            guard let batch = try db.int("SELECT id FROM main.batches WHERE uuid = ?", uuid) else { continue }
            var stored: [String: Int] = [:]
            try db.forEach("SELECT meaning, count(*) FROM main.sightings WHERE batch = ? GROUP BY meaning", [batch]) { stored[$0.text(0)] = $0.int(1) }
            for meaning in Set(counts.keys).union(stored.keys).sorted() {
                let said = counts[meaning]?.intValue ?? 0, held = stored[meaning] ?? 0
                if said != held {
                    problem("sightings: batch \(uuid)", "it holds \(held) '\(meaning)' sightings but its close (\(try eventName(close.id))) counts \(said)")
                }
            }
        }
    }
}


/// Counts the differences found in each table: the first `DerivedStateCheck.namedPerTable` are
/// named, the rest only counted, and then said as one problem per table.
struct TableProblems {
    private var named: [String: Int] = [:], unnamed: [String: Int] = [:]

    /// Counts one difference of `table`; whether it is to be named.
    mutating func names(_ table: String) -> Bool {
        if named[table, default: 0] < DerivedStateCheck.namedPerTable {
            named[table, default: 0] += 1
            return true
        }
        unnamed[table, default: 0] += 1
        return false
    }

    /// One problem for each of `tables` with differences past those named: how many.
    func uncounted(in tables: [String]) -> [(subject: String, message: String)] {
        tables.compactMap { table in unnamed[table].map { (table, "\($0) more rows differ from what the events say") } }
    }
}
