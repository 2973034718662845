/// The kinds of event. Each kind's payload is documented in docs/schema.md; each has one handler
/// that applies it to the derived tables (`EventRegistry`).
enum EventKind: Hashable, Sendable {
    /// A batch begins: `{"id", "label", "source"?, "agent", "host", "tool", "note"?, "inputs", "started"}`.
    case batchOpen
    /// A batch ends: `{"id", "finished", "counts", "files", "bytes"}`.
    case batchClose
    /// The sightings of one committed chunk of a batch: `{"batch": id, "sightings": [...]}`.
    case sightings
    /// A bundle imported: `{"bundle", "source", "agent", "host", "added": {"origin": [first, last]}, "blobs"}`.
    case importRecord
    /// A forked document resolved: `{"key", "blob", "parents": [...], "agent", "note"?}` makes the merge version.
    case merge
    /// `{"blob", "size", "reason", "agent", "host"}`: delete the blob's bytes (here) or quarantine them (elsewhere).
    case redact
    /// `{"blob", "agent", "host", "reason"?}`: the origin copy serves a quarantined blob again.
    case reinstate
    /// `{"blob", "agent", "host"}`: the origin copy deletes a quarantined blob's bytes.
    case purge
    /// `{"mode", "result", "problems", "blobs", "bytes", "events", "agent", "host", "tool", "started"}`.
    case verify
    /// A kind from a newer Quire: kept in the log and passed on, but it changes nothing here.
    case unknown(String)

    /// Every kind this version writes and understands.
    static let known: [EventKind] = [.batchOpen, .batchClose, .sightings, .importRecord, .merge, .redact, .reinstate, .purge, .verify]

    /// The kind named `name` (the `events.kind` column).
    init(name: String) {
        self = Self.known.first { $0.name == name } ?? .unknown(name)
    }

    /// The `events.kind` column's text.
    var name: String {
        switch self {
        case .batchOpen: return "batch.open"
        case .batchClose: return "batch.close"
        case .sightings: return "sightings"
        case .importRecord: return "import"
        case .merge: return "merge"
        case .redact: return "redact"
        case .reinstate: return "reinstate"
        case .purge: return "purge"
        case .verify: return "verify"
        case .unknown(let name): return name
        }
    }
}
