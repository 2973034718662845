import SQLite

/// The only way into the `events` table: appends this copy's own events, accepts events from
/// bundles (`EventIntake`), checks every origin's hash chain, and hands events out for bundles
/// and for rebuilding the derived tables. Every event is applied to the derived tables as it
/// enters, by the handler its kind has in `EventRegistry`.
struct EventLog {
    let archive: Archive
    var db: Database { archive.db }

    /// An event entering the derived tables.
    struct Applied {
        /// The row in `events`.
        let id: Int
        /// The row in `origins` of the copy that wrote it.
        let origin: Int
        let kind: EventKind
        let at: String
        let payload: JSON
    }

    // MARK: This copy's events

    /// The tip of an origin's chain (seq 0 and the genesis hash when it has none).
    func tip(origin: Int) throws -> ChainTip {
        try db.firstRow("SELECT seq, hash FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1", [origin]) {
            ChainTip(seq: $0.int(0), hash: $0.text(1))
        } ?? .start
    }

    /// Appends an event from this archive to the log and applies it. Must run inside a write
    /// transaction. Returns its row id.
    @discardableResult
    func append(_ kind: EventKind, payload: JSON, at: String = Timestamp.now()) throws -> Int {
        var payload = payload
        let tip = try tip(origin: archive.selfOrigin)
        let seq = tip.seq + 1
        if let key = archive.signingKey, SSHSignature.signedKinds.contains(kind), var fields = payload.objectValue {
            let unsigned = SSHSignature.unsignedHash(previous: tip.hash, origin: archive.id, seq: seq, kind: kind.name, at: at, payload: payload)
            fields["signature"] = try key.signatureField(origin: archive.id, seq: seq, hash: unsigned)
            payload = .object(fields)
        }
        let text = payload.canonical
        let hash = Event.chainHash(previous: tip.hash, origin: archive.id, seq: seq, kind: kind.name, at: at, payload: text)
        let id = try insert(origin: archive.selfOrigin, seq: seq, kind: kind.name, at: at, payload: text, hash: hash)
        try apply(Applied(id: id, origin: archive.selfOrigin, kind: kind, at: at, payload: payload))
        return id
    }

    /// Appends an event whose payload is built while its effects are applied: `fill` gets the new
    /// event's row id and time, applies each part (so later parts see earlier ones), and returns
    /// the whole canonical payload text, which is then stored and chained. Used for the sightings
    /// of an ingest chunk, whose decisions depend on one another. Must run inside a write transaction.
    @discardableResult
    func appendBuilt(_ kind: EventKind, at: String = Timestamp.now(), fill: (_ eventID: Int, _ at: String) throws -> String) throws -> Int {
        let tip = try tip(origin: archive.selfOrigin)
        let seq = tip.seq + 1
        try db.run("INSERT INTO events (origin, seq, kind, at, payload, hash) VALUES (?, ?, ?, ?, '', '')", archive.selfOrigin, seq, kind.name, at)
        let id = db.lastInsertRowID
        let text = try fill(id, at)
        let hash = Event.chainHash(previous: tip.hash, origin: archive.id, seq: seq, kind: kind.name, at: at, payload: text)
        let stored = try EventPayload.stored(text)
        try db.run("UPDATE events SET payload = ?, payload_size = ?, hash = ? WHERE id = ?", stored.payload, stored.size, hash, id)
        return id
    }

    /// Records one event in its own transaction.
    @discardableResult
    func record(_ kind: EventKind, payload: JSON) throws -> Int {
        try archive.write { try append(kind, payload: payload) }
    }

    // MARK: Rows

    /// Inserts an event row; the payload is stored compressed when long (`EventPayload`).
    func insert(origin: Int, seq: Int, kind: String, at: String, payload text: String, hash: String) throws -> Int {
        let stored = try EventPayload.stored(text)
        try db.run("INSERT INTO events (origin, seq, kind, at, payload, payload_size, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   origin, seq, kind, at, stored.payload, stored.size, hash)
        return db.lastInsertRowID
    }

    /// Applies an event to the derived tables with its kind's handler; kinds from newer Quire
    /// versions change nothing.
    func apply(_ event: Applied) throws {
        try EventRegistry.handlers[event.kind]?(archive, event)
    }

    /// The hash of event `seq` of the origin with archive id `origin`, when this archive holds it.
    func hash(origin: String, seq: Int) throws -> String? {
        try db.text("SELECT e.hash FROM events e JOIN origins o ON o.id = e.origin WHERE o.archive = ? AND e.seq = ?", origin, seq)
    }

    /// The archive id of the origin row `id`.
    func archiveID(origin id: Int) throws -> String {
        try db.text("SELECT archive FROM origins WHERE id = ?", id) ?? ""
    }

    /// The row of origin `archiveID` in `origins`, made when it is new.
    func originRow(_ archiveID: String) throws -> Int {
        if let id = try db.int("SELECT id FROM origins WHERE archive = ?", archiveID) { return id }
        try db.run("INSERT INTO origins (archive) VALUES (?)", archiveID)
        return db.lastInsertRowID
    }

    /// Every origin's row and archive id.
    func origins() throws -> [(id: Int, archive: String)] {
        try db.rows("SELECT id, archive FROM origins") { ($0.int(0), $0.text(1)) }
    }

    /// Whether any event of `origin` with a seq in `range` is of another kind than `kind`.
    func holdsOther(than kind: EventKind, origin: String, seqs range: ClosedRange<Int>) throws -> Bool {
        try db.int("""
            SELECT 1 FROM events e JOIN origins o ON o.id = e.origin
            WHERE o.archive = ? AND e.seq BETWEEN ? AND ? AND e.kind <> ? LIMIT 1
            """, origin, range.lowerBound, range.upperBound, kind.name) != nil
    }

    /// Moves the events of origin row `from` after seq `after` to origin row `to` (archive id
    /// `toID`), numbered from 1 and chained again under that id: what `reid` does to the events a
    /// copy made with cp wrote under an id that is not its own. Payloads stay as they were.
    /// Returns how many moved. Inside a write transaction; the derived tables must be replayed after.
    func remint(from: Int, after: Int, to: Int, toID: String) throws -> Int {
        let rows = try db.rows("SELECT id, kind, at, payload, payload_size FROM events WHERE origin = ? AND seq > ? ORDER BY seq", [from, after]) {
            (id: $0.int(0), kind: $0.text(1), at: $0.text(2), payload: try EventPayload.text($0, payload: 3, size: 4))
        }
        var tip = try tip(origin: to)
        for row in rows {
            let seq = tip.seq + 1
            let hash = Event.chainHash(previous: tip.hash, origin: toID, seq: seq, kind: row.kind, at: row.at, payload: row.payload)
            try db.run("UPDATE events SET origin = ?, seq = ?, hash = ? WHERE id = ?", to, seq, hash, row.id)
            tip = ChainTip(seq: seq, hash: hash)
        }
        return rows.count
    }

    // MARK: Bundles

    /// The events past `base` (for each origin row, the seq the receiver holds), in arrival order
    /// (each one's dependencies arrived before it), with their kinds.
    func events(past base: [Int: Int]) throws -> [(id: Int, kind: EventKind)] {
        var out: [(id: Int, kind: EventKind)] = []
        for (origin, seq) in base {
            try db.forEach("SELECT id, kind FROM events WHERE origin = ? AND seq > ?", [origin, seq]) {
                out.append(($0.int(0), EventKind(name: $0.text(1))))
            }
        }
        return out.sorted { $0.id < $1.id }
    }

    /// Event row `id` as it travels.
    func event(id: Int) throws -> Event? {
        try db.firstRow("""
            SELECT o.archive, e.seq, e.kind, e.at, e.hash, e.payload, e.payload_size FROM events e JOIN origins o ON o.id = e.origin WHERE e.id = ?
            """, [id]) { Event(origin: $0.text(0), seq: $0.int(1), kind: $0.text(2), at: $0.text(3),
                               payload: try EventPayload.text($0, payload: 5, size: 6), hash: $0.text(4)) }
    }

    /// The length of event row `id`'s bundle record body (`EventWire.encode`), without reading
    /// its payload.
    func wireLength(id: Int) throws -> Int {
        try db.firstRow("""
            SELECT length(CAST(o.archive AS BLOB)), e.seq, length(CAST(e.kind AS BLOB)), length(CAST(e.at AS BLOB)),
                   length(CAST(e.hash AS BLOB)), coalesce(e.payload_size, length(CAST(e.payload AS BLOB)))
            FROM events e JOIN origins o ON o.id = e.origin WHERE e.id = ?
            """, [id]) { EventWire.length(origin: $0.int(0), seq: $0.int(1), kind: $0.int(2), at: $0.int(3), hash: $0.int(4), payload: $0.int(5)) } ?? 0
    }

    // MARK: Replay and checks

    /// Applies every event in arrival order (the derived tables must be empty), but those of the
    /// kinds in `skipping` (`verify --quick` leaves out the costly ones). A failure names the
    /// event as `origin:seq (kind)`, so `verify` can say which event the state cannot follow from.
    func replayAll(skipping: Set<EventKind> = []) throws {
        let skipped = skipping.map { "'\($0.name)'" }.joined(separator: ", ")
        let events = try db.prepare("""
            SELECT e.id, e.origin, e.kind, e.at, e.payload, e.payload_size, o.archive, e.seq FROM main.events e JOIN main.origins o ON o.id = e.origin
            \(skipping.isEmpty ? "" : "WHERE e.kind NOT IN (\(skipped))") ORDER BY e.id
            """)
        // Each event's payload is inflated and parsed on another thread while the one before it
        // is applied (the application, on this connection, is the longer part).
        var pending: ReplayEvent? = nil
        while try events.step() {
            let next = ReplayEvent(events)
            if let pending { try replay(pending) }
            pending = next
        }
        if let pending { try replay(pending) }
    }

    /// Applies one event read for `replayAll`, once its payload is parsed.
    private func replay(_ event: ReplayEvent) throws {
        let parsed: ReplayEvent.Parsed
        do {
            parsed = try event.parsed()
        } catch {
            throw QuireError(.corrupt, "event \(event.name) has a payload that is not JSON", underlying: error as? JSONParseError)
        }
        do {
            switch parsed {
            case .sightings(let fields, let items):
                try archive.applySightings(batch: JSON.value(of: "batch", in: fields), items: items, eventID: event.id,
                                           origin: event.origin, at: event.at)
            case .json(let payload):
                try apply(Applied(id: event.id, origin: event.origin, kind: event.kind, at: event.at, payload: payload))
            }
        } catch let error as QuireError {
            throw QuireError(error.code, "event \(event.name) cannot be applied: \(error.message)", underlying: error.underlying)
        }
    }

    /// Checks that each origin's events are numbered 1, 2, 3, ... and each one's hash covers its
    /// fields and the previous hash (a payload whose hash checks is the one its origin recorded).
    /// Calls `problem` with `origin:seq` and what is wrong; returns how many events were checked.
    /// Static, over any connection, so a checking thread can use its own.
    static func verifyChains(db: Database, _ problem: (_ subject: String, _ message: String) -> Void) throws -> Int {
        var origin = -1
        var previous = Event.genesis
        var expected = 1
        var checked = 0
        try db.forEach("SELECT e.origin, o.archive, e.seq, e.kind, e.at, e.payload, e.hash, e.payload_size FROM events e JOIN origins o ON o.id = e.origin ORDER BY e.origin, e.seq") { s in
            if s.int(0) != origin {
                origin = s.int(0)
                previous = Event.genesis
                expected = 1
            }
            let (archiveID, seq, kind, at, hash) = (s.text(1), s.int(2), s.text(3), s.text(4), s.text(6))
            let subject = "\(archiveID):\(seq)"
            checked += 1
            if seq != expected {
                problem(subject, "follows event \(expected - 1) of its origin: events \(expected)-\(seq - 1) are missing")
            }
            if let payload = try? EventPayload.text(s, payload: 5, size: 7) {
                if !Event(origin: archiveID, seq: seq, kind: kind, at: at, payload: payload, hash: hash).links(to: previous) {
                    problem(subject, "its hash does not match its contents and the previous event's hash (altered, or the chain is broken)")
                }
            } else {
                problem(subject, "its compressed payload is damaged: it does not inflate to its recorded size")
            }
            previous = hash
            expected = seq + 1
        }
        return checked
    }
}

extension Archive {
    /// The event log over this archive's connection.
    var events: EventLog { EventLog(archive: self) }
}
