import Hashing

/// One entry of the change log, as stored in `events` and carried in bundles.
public struct Event: Sendable, Equatable {
    /// The archive id of the copy that wrote it.
    public let origin: String
    /// Its number within the origin: 1, 2, 3, ...
    public let seq: Int
    /// What kind of change: `batch.open`, `batch.close`, `sightings`, ...
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

    /// Whether this event's hash covers its fields chained onto `previous`.
    func links(to previous: String) -> Bool {
        Self.chainHash(previous: previous, origin: origin, seq: seq, kind: kind, at: at, payload: payload) == hash
    }
}

/// The last event an origin wrote: where the next one chains on.
struct ChainTip: Sendable, Equatable {
    var seq: Int
    var hash: String

    /// Before an origin's first event.
    static let start = ChainTip(seq: 0, hash: Event.genesis)
}
