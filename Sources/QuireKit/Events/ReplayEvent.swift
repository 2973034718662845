import Dispatch
import SQLite

/// One event row read by `EventLog.replayAll`, its payload inflated and parsed on another
/// thread while the replay applies the event before it.
///
/// The columns are copied off the row at once (the statement moves on); the parse needs no
/// database. A sightings event (the bulk of the log) has its list read without a dictionary per
/// item, and each item made into its record and checked version hash (`PreparedSighting`), so
/// the SHA-256 of every version is also off the replay's thread. `parsed()` waits for the result
/// and throws what the parse threw, in the order the replay reaches the event.
final class ReplayEvent: @unchecked Sendable {
    enum Parsed {
        case json(JSON)
        case sightings(fields: JSON.Fields, items: [PreparedSighting]?)
    }

    let id: Int, origin: Int
    let kind: EventKind
    let at: String
    /// `origin:seq (kind)`, as problems name the event.
    let name: String
    private var result: Result<Parsed, any Error>?
    private let done = DispatchGroup()

    /// Reads the row `events` is on (the columns of `replayAll`'s query) and starts the parse.
    init(_ events: Statement) {
        id = events.int(0)
        origin = events.int(1)
        kind = EventKind(name: events.text(2))
        at = events.text(3)
        name = "\(events.text(6)):\(events.int(7)) (\(events.text(2)))"
        let payload = EventPayload.Stored(events, payload: 4, size: 5)
        let kind = self.kind
        done.enter()
        DispatchQueue.global().async { [self] in
            result = Result {
                let bytes = try payload.bytes()
                if kind == .sightings {
                    let (fields, items) = try JSON.parseObjectLists(bytes, listKey: "sightings")
                    return .sightings(fields: fields, items: items?.map(PreparedSighting.init))
                }
                return .json(try JSON.parse(bytes))
            }
            done.leave()
        }
    }

    /// The parsed payload, once ready; throws the parse's error.
    func parsed() throws -> Parsed {
        done.wait()
        return try result!.get()
    }
}
