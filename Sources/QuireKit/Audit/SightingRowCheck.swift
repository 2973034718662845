import SQLite

/// The part of verify's rebuild (`DerivedStateCheck`) that compares the rows of `sightings`,
/// `paths`, `roots` and `supplied_fields` with what the events say as the replay makes them,
/// instead of writing them into temporary copies and comparing those afterwards.
///
/// They are most of the rows the log makes (one sighting per file of every batch), and none of
/// the other handlers reads them back, so nothing needs them written: the replay hands each
/// sighting here (`Archive.sightingRows`) with the id it would get, and one cursor over the
/// stored sightings (joined to their path and root text) and one over the stored supplied
/// fields, both in id order, move along with it. A stored row the replay passes without making
/// is one no event makes; a row the replay makes that the cursor lacks is missing; a row in both
/// is compared column by column. Paths and roots are compared by their text, and a stored path
/// or root no sighting uses is one no event makes.
final class SightingRowCheck {
    /// One sighting as the events make it: the record, with the rows the replay found or made for it.
    struct Row {
        let sighting: SightingRecord
        let batch: Int, blob: Int?, document: Int?, version: Int?, event: Int
        /// The `held` column: 1 or 0, nil for failed and pending sightings or when not recorded.
        let held: Int?

        /// The columns of `SightingRowCheck.columns`, path and root as text.
        var values: [DatabaseValue] {
            func value(_ int: Int?) -> DatabaseValue { int.map { .integer(Int64($0)) } ?? .null }
            func value(_ text: String?) -> DatabaseValue { text.map { .text($0) } ?? .null }
            return [.integer(Int64(batch)), .text(sighting.path), sighting.pathRaw.flatMap(Hex.decode).map { .blob($0) } ?? .null,
                    value(sighting.size), value(sighting.mtime), value(blob), value(document), value(version), .text(sighting.meaning.rawValue),
                    value(sighting.error), .integer(Int64(event)), value(sighting.partial), value(sighting.root), value(held)]
        }
    }

    private let db: Database
    /// `sightings` with its path and root text, by id; `sightingAt` is the id of the row it is on.
    private let stored: Statement
    private var sightingAt: Int?
    /// `supplied_fields` by rowid; `fieldAt` is the rowid of the row it is on.
    private let storedFields: Statement
    private var fieldAt: Int?
    private var lastSighting = 0, lastField = 0
    /// Names `event ORIGIN:SEQ (KIND)` for an event row id.
    private let eventName: (Int?) throws -> String
    private(set) var problems: [(subject: String, message: String)] = []
    private var counted = TableProblems()
    /// The path and root rows already named as altered (`paths 3`), up to `alteredRowsKept`.
    private var alteredRows = Set<String>()
    static let alteredRowsKept = 10_000

    /// The stored columns the cursor reads, in `Row`'s order: path and root as text.
    static let columns = ["batch", "path", "path_raw", "size", "mtime", "blob", "document", "version", "meaning", "error",
                          "event", "partial", "root", "held"]

    init(db: Database, eventName: @escaping (Int?) throws -> String) throws {
        self.db = db
        self.eventName = eventName
        stored = try db.prepare("""
            SELECT s.id, s.batch, p.path, s.path_raw, s.size, s.mtime, s.blob, s.document, s.version, s.meaning, s.error,
                   s.event, s.partial, r.path, s.held, s.path, s.root, b.hash
            FROM main.sightings s LEFT JOIN main.paths p ON p.id = s.path LEFT JOIN main.roots r ON r.id = s.root
                 LEFT JOIN main.blobs b ON b.id = s.blob
            ORDER BY s.id
            """)
        storedFields = try db.prepare("SELECT rowid, sighting, name, value FROM main.supplied_fields ORDER BY rowid")
        sightingAt = try stored.step() ? stored.int(0) : nil
        fieldAt = try storedFields.step() ? storedFields.int(0) : nil
    }

    /// Takes the next sighting the replay makes; returns the id it has (the one the insert would give).
    func add(_ row: Row) throws -> Int {
        lastSighting += 1
        let id = lastSighting
        while let at = sightingAt, at < id { try storedSightingWithoutEvent() }
        if sightingAt == id {
            try compare(row, id: id)
            try advanceSighting()
        } else {
            report("sightings", "sighting \(id) (\(row.sighting.path))", "missing: \(try eventName(row.event)) makes this row, but the table lacks it")
        }
        for pair in row.sighting.meta ?? [] where pair.count == 2 { try addField(sighting: id, name: pair[0], value: pair[1], event: row.event) }
        return id
    }

    /// The row of blob `hash` when the stored sighting the next `add` compares with names that
    /// blob: its id, read with the row, instead of a look-up by hash (hashes are unique). Nil
    /// otherwise: the caller looks it up.
    func nextStoredBlob(hash: String) -> Int? {
        guard sightingAt == lastSighting + 1, stored.optionalText(17) == hash else { return nil }
        return stored.optionalInt(6)
    }

    /// After the replay: stored rows past the last one made, and paths and roots no sighting uses.
    func finish() throws {
        while sightingAt != nil { try storedSightingWithoutEvent() }
        while fieldAt != nil { try storedFieldWithoutEvent() }
        for (table, column) in [("paths", "path"), ("roots", "root")] {
            try db.forEach("""
                SELECT t.path FROM main.\(table) t WHERE NOT EXISTS (SELECT 1 FROM main.sightings s WHERE s.\(column) = t.id)
                """) { s in
                report(table, "\(column) \(DerivedStateCheck.show(s.value(0)))", "no event makes this row: it was added or altered outside Quire")
            }
        }
        problems += counted.uncounted(in: ["sightings", "supplied_fields", "paths", "roots"])
    }

    // MARK: Sightings

    private func compare(_ row: Row, id: Int) throws {
        let label = "sighting \(id) (\(row.sighting.path))"
        let derived = row.values
        var changes: [String] = []
        for (i, column) in Self.columns.enumerated() {
            var held = stored.value(1 + i)
            if column == "root", held == .null, let rootID = stored.optionalInt(16) {
                held = .integer(Int64(rootID))   // a root id no row of `roots` has: not the NULL it reads as
            }
            guard !Self.holds(stored, 1 + i, held, derived[i]) else { continue }
            let change = "\(column) is \(DerivedStateCheck.show(held)) but the events say \(DerivedStateCheck.show(derived[i]))"
            // A path (or root) whose own row holds other text, while no row holds the events'
            // text, was altered: that table's problem. A sighting pointing at another row is the
            // sighting's.
            let table = column == "path" ? "paths" : "roots"
            if column == "path" || column == "root", case .text(let text) = held, case .text(let expected) = derived[i],
               try db.int("SELECT id FROM main.\(table) WHERE path = ?", expected) == nil {
                // Each altered row once, however many sightings use it (remembered up to a
                // bound, so a file with every path altered cannot make the check's memory grow;
                // past it, each sighting of such a row counts once more).
                if alteredRows.count >= Self.alteredRowsKept || alteredRows.insert("\(table) \(stored.int(column == "path" ? 15 : 16))").inserted {
                    report(table, "\(column) \(DerivedStateCheck.show(.text(text)))", "\(change) (\(try eventName(row.event)))")
                }
            } else {
                changes.append(change)
            }
        }
        if !changes.isEmpty { report("sightings", label, "\(changes.joined(separator: "; ")) (\(try eventName(row.event)))") }
    }

    private func storedSightingWithoutEvent() throws {
        let claimed = stored.optionalInt(11).map { " (it names \((try? eventName($0)) ?? "event \($0)"), which does not make it)" } ?? ""
        let path = stored.optionalText(2).map { " (\($0))" } ?? ""
        report("sightings", "sighting \(stored.int(0))\(path)", "no event makes this row\(claimed): it was added or altered outside Quire")
        try advanceSighting()
    }

    private func advanceSighting() throws {
        sightingAt = try stored.step() ? stored.int(0) : nil
    }

    // MARK: Supplied fields

    private func addField(sighting: Int, name: String, value: String, event: Int) throws {
        lastField += 1
        let id = lastField
        while let at = fieldAt, at < id { try storedFieldWithoutEvent() }
        let label = "supplied field \(DerivedStateCheck.show(.text(name))) of sighting \(sighting)"
        if fieldAt == id {
            var changes: [String] = []
            for (i, (column, derived)) in [("sighting", DatabaseValue.integer(Int64(sighting))), ("name", .text(name)), ("value", .text(value))].enumerated() {
                let held = storedFields.value(1 + i)
                if !Self.holds(storedFields, 1 + i, held, derived) { changes.append("\(column) is \(DerivedStateCheck.show(held)) but the events say \(DerivedStateCheck.show(derived))") }
            }
            if !changes.isEmpty { report("supplied_fields", label, "\(changes.joined(separator: "; ")) (\(try eventName(event)))") }
            try advanceField()
        } else {
            report("supplied_fields", label, "missing: \(try eventName(event)) makes this row, but the table lacks it")
        }
    }

    private func storedFieldWithoutEvent() throws {
        report("supplied_fields", "supplied field \(DerivedStateCheck.show(storedFields.value(2))) of sighting \(storedFields.int(1))",
               "no event makes this row: it was added or altered outside Quire")
        try advanceField()
    }

    private func advanceField() throws {
        fieldAt = try storedFields.step() ? storedFields.int(0) : nil
    }

    // MARK: Problems

    /// Names a problem, up to `DerivedStateCheck.namedPerTable` per table; counts the rest.
    private func report(_ table: String, _ row: String, _ message: String) {
        if counted.names(table) { problems.append(("\(table): \(row)", message)) }
    }

    /// Whether column `i` of `statement`, read as `held`, is exactly `derived`: text byte for byte,
    /// as SQL's `IS` compares it (Swift's `==` takes canonically equivalent strings as equal, and
    /// reading a column as text replaces bytes that are not UTF-8), anything else by value.
    private static func holds(_ statement: Statement, _ i: Int, _ held: DatabaseValue, _ derived: DatabaseValue) -> Bool {
        if case .text = held, case .text(let text) = derived { return statement.withBlob(i) { $0.elementsEqual(text.utf8) } }
        return held == derived
    }

}
