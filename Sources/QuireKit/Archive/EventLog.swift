import Hashing
import SQLite

/// One entry of the change log, as stored in `events` and carried in bundles.
public struct Event: Sendable, Equatable {
    /// The archive id of the copy that wrote it.
    public let origin: String
    /// Its number within the origin: 1, 2, 3, ...
    public let seq: Int
    /// What kind of change: `batch.open`, `batch.close`, `sighting`, ...
    public let kind: String
    /// When the origin recorded it.
    public let at: String
    /// Canonical JSON (stored compressed when long, see `EventPayload`).
    public let payload: String
    /// sha256 over the previous event's hash and this event's fields (see `chainHash`).
    public let hash: String

    public init(origin: String, seq: Int, kind: String, at: String, payload: String, hash: String) {
        self.origin = origin
        self.seq = seq
        self.kind = kind
        self.at = at
        self.payload = payload
        self.hash = hash
    }

    /// The hash that precedes seq 1 of every origin: 64 zeros.
    public static let genesis = String(repeating: "0", count: 64)

    /// The chain hash of an event: SHA-256 of the previous event's hash, origin, seq, kind, at
    /// and payload, each followed by a newline (the payload last, without one).
    public static func chainHash(previous: String, origin: String, seq: Int, kind: String, at: String, payload: String) -> String {
        var h = SHA256()
        h.update(previous.utf8)
        h.update([0x0A])
        h.update(origin.utf8)
        h.update([0x0A])
        h.update(String(seq).utf8)
        h.update([0x0A])
        h.update(kind.utf8)
        h.update([0x0A])
        h.update(at.utf8)
        h.update([0x0A])
        h.update(payload.utf8)
        return h.finalize().hex
    }
}

/// The last event an origin wrote: where the next one chains on.
struct ChainTip {
    var seq: Int
    var hash: String
}

/// The kinds of event this version of Quire writes and understands.
enum EventKind {
    static let batchOpen = "batch.open"
    static let batchClose = "batch.close"
    /// The sightings of one committed chunk of a batch: `{"batch": id, "sightings": [...]}`.
    static let sightings = "sightings"
    /// A bundle imported: `{"bundle", "source", "agent", "host", "added": {"origin": [first, last]}, "blobs"}`.
    static let importRecord = "import"
    /// A forked document resolved: `{"key", "blob", "parents": [...], "agent", "note"?}` makes the merge version.
    static let merge = "merge"
}

extension Archive {
    /// The tip of an origin's chain (seq 0 and the genesis hash when it has none).
    func chainTip(origin: Int) throws -> ChainTip {
        try db.firstRow("SELECT seq, hash FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1", [origin]) {
            ChainTip(seq: $0.int(0), hash: $0.text(1))
        } ?? ChainTip(seq: 0, hash: Event.genesis)
    }

    /// Appends an event from this archive to the log and applies it to the derived tables.
    /// Must run inside a write transaction; `tip` is this origin's chain tip and is advanced.
    @discardableResult
    func record(kind: String, payload: JSON, at: String = Timestamp.now(), tip: inout ChainTip) throws -> Int {
        let text = payload.canonical
        let seq = tip.seq + 1
        let hash = Event.chainHash(previous: tip.hash, origin: id, seq: seq, kind: kind, at: at, payload: text)
        let stored = try EventPayload.stored(text)
        try db.run("INSERT INTO events (origin, seq, kind, at, payload, payload_size, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   selfOrigin, seq, kind, at, stored.payload, stored.size, hash)
        let eventID = db.lastInsertRowID
        tip = ChainTip(seq: seq, hash: hash)
        try apply(eventID: eventID, origin: selfOrigin, kind: kind, at: at, payload: payload)
        return eventID
    }

    /// Appends an event whose payload is built while its effects are applied: `fill` gets the new
    /// event's row id, applies each part (so later parts see earlier ones), and returns the whole
    /// canonical payload text, which is then stored and chained. (`fill` also gets the event's time.) Used for the sightings of an ingest chunk, whose
    /// decisions depend on one another. Must run inside a write transaction.
    @discardableResult
    func recordBuilt(kind: String, at: String = Timestamp.now(), tip: inout ChainTip, fill: (_ eventID: Int, _ at: String) throws -> String) throws -> Int {
        let seq = tip.seq + 1
        try db.run("INSERT INTO events (origin, seq, kind, at, payload, hash) VALUES (?, ?, ?, ?, '', '')", selfOrigin, seq, kind, at)
        let eventID = db.lastInsertRowID
        let text = try fill(eventID, at)
        let hash = Event.chainHash(previous: tip.hash, origin: id, seq: seq, kind: kind, at: at, payload: text)
        let stored = try EventPayload.stored(text)
        try db.run("UPDATE events SET payload = ?, payload_size = ?, hash = ? WHERE id = ?", stored.payload, stored.size, hash, eventID)
        tip = ChainTip(seq: seq, hash: hash)
        return eventID
    }

    /// Records one event in its own transaction.
    @discardableResult
    func record(kind: String, payload: JSON) throws -> Int {
        try write {
            var tip = try chainTip(origin: selfOrigin)
            return try record(kind: kind, payload: payload, tip: &tip)
        }
    }
}
